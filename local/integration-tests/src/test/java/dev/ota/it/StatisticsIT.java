package dev.ota.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ota.domain.ExecutionStatus;
import dev.ota.port.in.JobOperations.DeviceExecutionView;
import dev.ota.port.in.JobOperations.JobStatistics;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * Device reports arrive as IoT invokes Lambda: asynchronously, so twice and out of order. Here
 * every device's reports are each sent twice, shuffled, and handled four at a time; the job's
 * counts must still be exact: each device counted once, in the status its reports really lead to.
 */
class StatisticsIT {

    @Test
    void countsStayExactUnderDuplicateAndReorderedReports() throws Exception {
        try (JobFixture f = new JobFixture("STATS")) {
            f.firmware("6.0.0");
            List<String> names = JobFixture.names("x", 12);
            for (String name : names) {
                f.reportVersion(name, "1.0.0");
            }
            String jobId = f.create(f.job("6.0.0").sourceVersions("1.0.0").retry(1, Duration.ZERO));
            f.tick();
            assertThat(f.updatedDevices()).hasSize(12);

            // Broker receive times are fixed per report; delivery order is then scrambled and doubled.
            Instant t = f.stack.clock().instant().plusSeconds(1);
            List<Callable<Object>> reports = new ArrayList<>();
            for (int i = 0; i < names.size(); i++) {
                String d = names.get(i);
                Instant t0 = t.plusMillis(i);
                switch (i % 4) {
                    case 0 -> { // succeeds: downloading, burning, done, new version
                        reports.add(() -> f.progress(d, "downloading", "6.0.0", 0, 0, t0.plusMillis(100)));
                        reports.add(() -> f.progress(d, "downloading", "6.0.0", 60, 0, t0.plusMillis(200)));
                        reports.add(() -> f.progress(d, "downloading", "6.0.0", 100, 0, t0.plusMillis(300)));
                        reports.add(() -> f.progress(d, "burning", "6.0.0", null, 0, t0.plusMillis(400)));
                        reports.add(() -> f.progress(d, "done", "6.0.0", null, 0, t0.plusMillis(500)));
                        reports.add(() -> f.reportVersion(d, "6.0.0", t0.plusMillis(600)));
                    }
                    case 1 -> { // fails for good (one attempt)
                        reports.add(() -> f.progress(d, "downloading", "6.0.0", 20, 0, t0.plusMillis(100)));
                        reports.add(() -> f.progress(d, "fail", "6.0.0", null, -4, t0.plusMillis(200)));
                    }
                    case 2 -> { // still downloading
                        reports.add(() -> f.progress(d, "downloading", "6.0.0", 10, 0, t0.plusMillis(100)));
                        reports.add(() -> f.progress(d, "downloading", "6.0.0", 40, 0, t0.plusMillis(200)));
                    }
                    default -> { // reports done only, no download seen: done still counts
                        reports.add(() -> f.progress(d, "done", "6.0.0", null, 0, t0.plusMillis(300)));
                    }
                }
            }
            List<Callable<Object>> doubled = new ArrayList<>(reports);
            doubled.addAll(reports);
            Collections.shuffle(doubled, new Random(42));
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                for (Future<Object> done : pool.invokeAll(doubled)) {
                    done.get();
                }
            } finally {
                pool.shutdown();
            }

            JobStatistics stats = f.jobs.statistics(jobId);
            Map<ExecutionStatus, Long> counts = stats.counts();
            assertThat(counts)
                    .containsEntry(ExecutionStatus.SUCCEEDED, 6L)
                    .containsEntry(ExecutionStatus.FAILED, 3L)
                    // The job counts an attempt in flight as DELIVERED from its start to its end
                    // (ExecutionStatus.recorded); the device list says where each stands.
                    .containsEntry(ExecutionStatus.DELIVERED, 3L)
                    .containsEntry(ExecutionStatus.DOWNLOADING, 0L)
                    .containsEntry(ExecutionStatus.BURNING, 0L)
                    .containsEntry(ExecutionStatus.QUEUED, 0L);
            assertThat(counts.values().stream().mapToLong(Long::longValue).sum())
                    .isEqualTo(12);
            assertThat(stats.targetCount()).isEqualTo(12);
            assertThat(stats.retries()).isZero();

            // The per-device list agrees with the counts, and shows the live percent of downloads.
            List<DeviceExecutionView> rows =
                    f.jobs.devices(jobId, null, null, 100).items();
            assertThat(rows).hasSize(12);
            assertThat(rows.stream().filter(r -> r.status() == ExecutionStatus.SUCCEEDED))
                    .hasSize(6);
            assertThat(f.jobs.devices(jobId, ExecutionStatus.DOWNLOADING, null, 100)
                            .items())
                    .hasSize(3)
                    .extracting(DeviceExecutionView::percent)
                    .containsOnly(40);
            assertThat(f.jobs.devices(jobId, ExecutionStatus.DELIVERED, null, 100)
                            .items())
                    .as("all three are downloading")
                    .isEmpty();
            DeviceExecutionView failed = f.jobs.devices(jobId, ExecutionStatus.FAILED, null, 100)
                    .items()
                    .get(0);
            assertThat(failed.resultCode()).isEqualTo(-4);
            assertThat(failed.fromVersion()).isEqualTo("1.0.0");
            assertThat(failed.targetVersion()).isEqualTo("6.0.0");

            // Paging: three pages of five cover the twelve devices once.
            List<String> paged = new ArrayList<>();
            String token = null;
            do {
                var page = f.jobs.devices(jobId, null, token, 5);
                page.items().forEach(r -> paged.add(r.deviceName()));
                token = page.nextToken();
            } while (token != null);
            assertThat(paged).containsExactlyElementsOf(names);
        }
    }
}
