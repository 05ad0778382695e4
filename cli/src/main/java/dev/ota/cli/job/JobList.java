package dev.ota.cli.job;

import dev.ota.cli.ProductListing;
import dev.ota.cli.Text;
import picocli.CommandLine.Command;

@Command(name = "list", description = "List jobs (of one product with --product).")
final class JobList extends ProductListing {
    JobList() {
        super("/jobs", Text.JOB_HEADERS, Text::jobRow);
    }
}
