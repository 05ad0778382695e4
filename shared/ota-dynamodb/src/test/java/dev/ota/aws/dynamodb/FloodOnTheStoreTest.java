package dev.ota.aws.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ota.app.ConcurrentUpdateException;
import dev.ota.app.UpdateSender;
import dev.ota.app.VersionReportService;
import dev.ota.domain.ExecutionStatus;
import dev.ota.domain.device.DeviceId;
import dev.ota.domain.device.DeviceReport;
import dev.ota.domain.job.JobRecord;
import dev.ota.log.StructuredLog;
import dev.ota.port.out.JobAdmission;
import dev.ota.port.out.LateTargets;
import dev.ota.protocol.UpdateFirmwareMessage;
import dev.ota.protocol.VersionReportResponse;
import java.io.OutputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A device that floods: 1,000 report_version within one minute of receive time, delivered by eight
 * concurrent "containers" in random order, on the real store. Every report is answered; the device
 * gets update_firmware for its attempt at most once per cooldown, counted here (not timed). The
 * figure is docs/benchmarks.md's "publishes per flooding device per minute".
 */
class FloodOnTheStoreTest {

    private static final StructuredLog QUIET =
            new StructuredLog(new ObjectMapper(), new PrintStream(OutputStream.nullOutputStream()), "test");
    private static final Duration COOLDOWN = VersionReportService.DEFAULT_RESEND_COOLDOWN;
    private static final int REPORTS = 1_000;
    private static final Duration SPAN = Duration.ofMinutes(1);

    private final StoreFixture f = new StoreFixture();

    @org.junit.jupiter.params.ParameterizedTest(name = "shuffled={0}")
    @org.junit.jupiter.params.provider.ValueSource(booleans = {false, true})
    void aFloodingDeviceGetsAtMostOneUpdatePerCooldownAndEveryReportIsAnswered(boolean shuffled) throws Exception {
        JobRecord job = f.job();
        DeviceId device = f.queueOne(job);
        f.released(job, device);
        AtomicInteger updates = new AtomicInteger();
        AtomicInteger answers = new AtomicInteger();
        UpdateSender sender = new UpdateSender(fw -> "https://example.com/" + fw.s3Key(), (d, m) -> {
            if (m instanceof UpdateFirmwareMessage) {
                updates.incrementAndGet();
            }
        });
        VersionReportService service = new VersionReportService(
                f.devices,
                (d, m) -> {
                    if (m instanceof VersionReportResponse) {
                        answers.incrementAndGet();
                    }
                },
                sender,
                QUIET,
                JobAdmission.ALWAYS,
                LateTargets.NONE,
                COOLDOWN);

        List<DeviceReport.VersionReport> flood = new ArrayList<>();
        long step = SPAN.toMillis() / REPORTS;
        for (int i = 0; i < REPORTS; i++) {
            flood.add(DeviceReport.version(
                    device, "1.0.0", StoreFixture.T0.plusSeconds(1).plusMillis(i * step)));
        }
        if (shuffled) {
            Collections.shuffle(flood, new Random());
        }
        ExecutorService containers = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> running = new ArrayList<>();
            for (DeviceReport.VersionReport r : flood) {
                running.add(containers.submit(() -> {
                    for (int invocation = 0; ; invocation++) {
                        try {
                            service.handle(r);
                            return;
                        } catch (ConcurrentUpdateException lostRaces) {
                            if (invocation == 2) {
                                throw lostRaces;
                            }
                        }
                    }
                }));
            }
            for (Future<?> running1 : running) {
                running1.get();
            }
        } finally {
            containers.shutdownNow();
        }

        long maxPerSpan = SPAN.toMillis() / COOLDOWN.toMillis() + 1;
        System.out.println("flood (" + (shuffled ? "shuffled" : "in receive order") + "): " + REPORTS
                + " report_version in " + SPAN + " from one device -> "
                + updates.get() + " update_firmware (at most " + maxPerSpan + "), " + answers.get()
                + " report_version_rsp");
        assertThat(updates.get()).isBetween(1, (int) maxPerSpan);
        assertThat(answers.get()).isGreaterThanOrEqualTo(REPORTS);
        assertThat(f.state(device).execution().status()).isEqualTo(ExecutionStatus.DELIVERED);
        assertThat(f.state(device).execution().attempt()).isEqualTo(1);
        assertThat(f.state(device).execution().history().stream()
                        .filter(e -> e.kind() == dev.ota.domain.ExecutionEvent.Kind.VERSION)
                        .count())
                .isEqualTo(dev.ota.domain.ExecutionStateMachine.MAX_VERSION_EVENTS);
    }
}
