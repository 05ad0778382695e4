package dev.ota.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ota.domain.ExecutionStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The AWS calls a rollout costs per device, counted by the local stack (every SDK call the
 * functions and the job operations make): from creating the job through each device's release,
 * its downloading / burning / done reports and its new version report, to the job's completion.
 * The figures go to target/benchmarks/rollout-cost.txt (docs/benchmarks.md quotes them).
 */
class RolloutCostIT {

    private static final int DEVICES = 20;

    @Test
    void awsCallsPerDevice() throws Exception {
        // A stack of its own: the counter sees every call, and on the shared stack the tick would also plan other
        // tests' jobs.
        try (JobFixture f = new JobFixture("COST", SharedStack.get(java.util.Map.of("UrlExpirySeconds", "3602")))) {
            f.firmware("8.0.0");
            List<String> names = JobFixture.names("k", DEVICES);
            for (String name : names) {
                f.reportVersion(name, "1.0.0");
            }
            f.stack.calls().reset();
            String jobId = f.create(f.job("8.0.0").sourceVersions("1.0.0").rate(1000));
            Map<String, Long> created = f.stack.calls().snapshot();
            f.stack.calls().reset();

            f.tick();
            assertThat(f.updatedDevices()).hasSize(DEVICES);
            Map<String, Long> released = f.stack.calls().snapshot();
            f.stack.calls().reset();

            for (String name : names) {
                f.progress(name, "downloading", "8.0.0", 0, 0);
                f.progress(name, "downloading", "8.0.0", 35, 0);
                f.progress(name, "downloading", "8.0.0", 70, 0);
                f.progress(name, "downloading", "8.0.0", 100, 0);
                f.progress(name, "burning", "8.0.0", null, 0);
                f.progress(name, "done", "8.0.0", null, 0);
                f.reportVersion(name, "8.0.0");
            }
            Map<String, Long> reported = f.stack.calls().snapshot();
            f.stack.calls().reset();
            f.tick();
            Map<String, Long> completed = f.stack.calls().snapshot();
            assertThat(f.jobs.describe(jobId).state().name()).isEqualTo("COMPLETED");
            assertThat(f.count(jobId, ExecutionStatus.SUCCEEDED)).isEqualTo(DEVICES);

            StringBuilder report = new StringBuilder();
            report.append("AWS calls for a rollout of ")
                    .append(DEVICES)
                    .append(" devices (per device = total / ")
                    .append(DEVICES)
                    .append(")\n");
            section(report, "create the job (inline expansion)", created);
            section(report, "scheduler: plan + release (tick)", released);
            section(report, "device reports: downloading x4, burning, done, report_version", reported);
            section(report, "scheduler: completion (tick)", completed);
            Map<String, Long> all = new TreeMap<>();
            for (Map<String, Long> m : List.of(created, released, reported, completed)) {
                m.forEach((k, v) -> all.merge(k, v, Long::sum));
            }
            section(report, "whole rollout", all);
            Path out = Path.of("target", "benchmarks", "rollout-cost.txt");
            Files.createDirectories(out.getParent());
            Files.writeString(out, report.toString());
            System.out.println(report);
            long total = all.values().stream().mapToLong(Long::longValue).sum();
            assertThat(total / (double) DEVICES).as("calls per device").isLessThan(20);
        }
    }

    private static void section(StringBuilder out, String title, Map<String, Long> calls) {
        long total = calls.values().stream().mapToLong(Long::longValue).sum();
        out.append(String.format("%n%s: %d calls, %.2f per device%n", title, total, total / (double) DEVICES));
        calls.forEach((op, n) -> out.append(String.format("  %-40s %5d  %6.2f/device%n", op, n, n / (double) DEVICES)));
    }
}
