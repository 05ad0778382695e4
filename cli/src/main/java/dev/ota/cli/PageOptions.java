package dev.ota.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import picocli.CommandLine.Option;

/** The listing commands' paging options (a picocli mixin), and printing a page as a table. */
public final class PageOptions {

    @Option(names = "--limit", paramLabel = "N", description = "Items per page, 1-100 (default: 50).")
    Integer limit;

    @Option(
            names = "--next-token",
            paramLabel = "TOKEN",
            description = "Continue after the page that returned this token.")
    String nextToken;

    @Option(names = "--all", description = "Follow nextToken to the end.")
    boolean all;

    /** Fetches the page (every page with --all) and prints it: JSON, or a table of {@code row}s and the token to go on with. */
    public int list(
            OtaCli root,
            String path,
            Map<String, String> filters,
            List<String> headers,
            Function<JsonNode, List<String>> row) {
        JsonNode page = Pages.fetch(root.api(), path, filters, limit, nextToken, all);
        root.print(page, () -> {
            List<List<String>> rows = new ArrayList<>();
            page.path("items").forEach(item -> rows.add(row.apply(item)));
            Text.table(root.environment().out(), headers, rows);
            Pages.printToken(root, page);
        });
        return ExitCodes.OK;
    }
}
