package dev.ota.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ota.domain.ExecutionStatus;
import dev.ota.domain.job.JobStatus;
import dev.ota.local.stack.LocalStack;
import dev.ota.local.standin.LocalAws;
import dev.ota.local.standin.RepoRoot;
import dev.ota.port.in.JobOperations.JobView;
import java.io.BufferedWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Creating a job over a device-list file of one million names (the size is
 * {@code -Dota.benchmark.names}), on a local stack of its own: how long creation and expansion
 * take, and how much heap they hold. Not part of the default test run (the name ends in neither
 * Test nor IT). Run it with:
 *
 * <pre>
 * OTA_MOTO_SERVER=.venv/bin/moto_server mvn -B -o test -pl local/integration-tests -am -Dtest=DeviceListFileBenchmark \
 *     -Dsurefire.failIfNoSpecifiedTests=false -DargLine=-Xmx256m [-Dota.benchmark.names=1000000]
 * </pre>
 *
 * The figures go to target/benchmarks/device-list-file.txt. Memory is the live heap (in use right
 * after a full collection, sampled every second), highest seen during creation and expansion, less
 * the live heap before: what the expansion holds, not what it merely allocated on the way.
 */
class DeviceListFileBenchmark {

    @Test
    void jobOverAOneMillionNameFile() throws Exception {
        int names = Integer.getInteger("ota.benchmark.names", 1_000_000);
        Path file = Files.createTempFile("device-list-", ".txt");
        try (LocalStack stack = LocalStack.start(new LocalStack.Options(
                        RepoRoot.find().resolve("template.yaml"), LocalAws.Ports.free(), 4, Map.of()));
                JobFixture f = new JobFixture("BENCH", stack)) {
            f.firmware("9.0.0");
            try (BufferedWriter out = Files.newBufferedWriter(file)) {
                for (int i = 0; i < names; i++) {
                    out.write(String.format("bench-device-%07d%n", i));
                }
            }
            long fileBytes = Files.size(file);
            String key = "device-lists/" + f.product + "/fleet.txt";
            try (S3Client s3 = stack.aws().s3()) {
                s3.putObject(r -> r.bucket(LocalStack.BUCKET).key(key), RequestBody.fromFile(file));
            }

            LiveSet live = new LiveSet();
            long before = live.settle();
            stack.calls().reset();
            long t0 = System.nanoTime();
            // Starts in a day: the benchmark measures creation and expansion, not the release.
            String jobId = f.create(f.job("9.0.0")
                    .file(key)
                    .rate(1000)
                    .window(stack.clock().instant().plus(Duration.ofDays(1)), null));
            long created = System.nanoTime();
            int ticks = 0;
            JobView job = f.jobs.describe(jobId);
            while (job.state() == JobStatus.PREPARING) {
                stack.tick();
                ticks++;
                job = f.jobs.describe(jobId);
            }
            long expanded = System.nanoTime();
            long peak = live.peak() - before;
            live.close();

            assertThat(job.state()).isEqualTo(JobStatus.SCHEDULED);
            assertThat(job.targetCount()).isEqualTo(names);
            assertThat(f.count(jobId, ExecutionStatus.QUEUED)).isEqualTo(names);

            Map<String, Long> calls = new TreeMap<>(stack.calls().snapshot());
            int workerRuns = stack.functions().get("JobWorkerFunction").invocations();
            double createS = (created - t0) / 1e9;
            double totalS = (expanded - t0) / 1e9;
            StringBuilder report = new StringBuilder();
            report.append(String.format("names                      %,d (%,d bytes)%n", names, fileBytes));
            report.append(String.format("create (API call, inline)  %.1f s%n", createS));
            report.append(String.format(
                    "create + full expansion    %.1f s (%,.0f names/s), %d ticks, %d worker invocations%n",
                    totalS, names / totalS, ticks, workerRuns));
            report.append(String.format(
                    "live heap, peak above the start: %.1f MiB (max heap %d MiB; live heap before %.1f MiB)%n",
                    peak / 1048576.0, Runtime.getRuntime().maxMemory() / 1048576, before / 1048576.0));
            report.append(String.format(
                    "AWS calls: %,d in all, %.4f per name%n",
                    calls.values().stream().mapToLong(Long::longValue).sum(),
                    calls.values().stream().mapToLong(Long::longValue).sum() / (double) names));
            calls.forEach((op, n) -> report.append(String.format("  %-32s %,9d%n", op, n)));
            Path out = Path.of("target", "benchmarks", "device-list-file.txt");
            Files.createDirectories(out.getParent());
            Files.writeString(out, report.toString());
            System.out.println(report);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /**
     * The live heap: every second a full collection, then the heap still in use; the highest seen.
     * (The heap "after" a young collection still holds old-generation garbage, so it is no live set.)
     */
    static final class LiveSet implements AutoCloseable {
        private final AtomicLong peak = new AtomicLong();
        private final Thread sampler;
        private volatile boolean running = true;

        LiveSet() {
            sampler = new Thread(
                    () -> {
                        while (running) {
                            sample();
                            try {
                                Thread.sleep(1000);
                            } catch (InterruptedException e) {
                                return;
                            }
                        }
                    },
                    "live-set-sampler");
            sampler.setDaemon(true);
        }

        private long sample() {
            System.gc();
            long used = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
            peak.accumulateAndGet(used, Math::max);
            return used;
        }

        /** The live set now; sampling starts. */
        long settle() {
            long used = sample();
            peak.set(used);
            sampler.start();
            return used;
        }

        long peak() {
            sample();
            return peak.get();
        }

        @Override
        public void close() {
            running = false;
            sampler.interrupt();
        }
    }
}
