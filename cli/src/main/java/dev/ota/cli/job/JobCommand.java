package dev.ota.cli.job;

import dev.ota.cli.Api;
import dev.ota.cli.CommandGroup;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;

/** {@code ota job ...}: update jobs. */
@Command(
        name = "job",
        description = "Create, update, delete, watch and control update jobs; per-device retry and cancel.",
        subcommands = {
            JobCreate.class,
            JobUpdate.class,
            JobDelete.class,
            JobStatus.class,
            JobWatch.class,
            JobHealth.class,
            JobList.class,
            JobDevices.class,
            JobPause.class,
            JobResume.class,
            JobCancel.class,
            JobRecount.class,
            JobDeviceRetry.class,
            JobDeviceCancel.class
        })
public final class JobCommand extends CommandGroup {

    /** {@code /jobs/{jobId}} (encoded) followed by fixed segments such as {@code statistics}. */
    static String path(String jobId, String... fixed) {
        List<String> segments = new ArrayList<>(List.of("=jobs", jobId));
        for (String f : fixed) {
            segments.add("=" + f);
        }
        return Api.path(segments.toArray(String[]::new));
    }
}
