package dev.ota.app;

import static dev.ota.testing.OtaFixture.FROM;
import static dev.ota.testing.OtaFixture.NOW;
import static dev.ota.testing.OtaFixture.PRODUCT;
import static dev.ota.testing.OtaFixture.TARGET;
import static dev.ota.testing.OtaFixture.TARGET_MD5;
import static dev.ota.testing.OtaFixture.TARGET_SIZE;
import static dev.ota.testing.OtaFixture.device;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ota.domain.DeviceState;
import dev.ota.domain.Execution;
import dev.ota.domain.ExecutionStatus;
import dev.ota.domain.FirmwareRef;
import dev.ota.domain.InvalidMessageException;
import dev.ota.domain.RetryPolicy;
import dev.ota.domain.device.DeviceId;
import dev.ota.domain.job.JobDefinition;
import dev.ota.domain.job.JobRecord;
import dev.ota.domain.job.JobStatus;
import dev.ota.domain.job.TargetType;
import dev.ota.port.out.RolloutStore.RowView;
import dev.ota.protocol.UpdateFirmwareMessage;
import dev.ota.testing.OtaFixture;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class UpdateDevicesServiceTest {

    private final OtaFixture f = new OtaFixture();

    private static final FirmwareRef OTHER_JOB_FIRMWARE =
            new FirmwareRef("2.0.0", "firmware/p1/2.0.0/fw.bin", 10, "d41d8cd98f00b204e9800998ecf8427e");

    private DeviceId busyDevice(String name) {
        DeviceId id = device(name);
        Execution other = Execution.queued(
                        "job-0", OTHER_JOB_FIRMWARE, FROM, RetryPolicy.DEFAULT, NOW.minusSeconds(600))
                .delivered(NOW.minusSeconds(600));
        f.store.put(new DeviceState(id, FROM, NOW.minusSeconds(600), other));
        return id;
    }

    @Test
    void unregisteredFirmwareIsRejectedAndNothingHappens() {
        assertThatThrownBy(() -> f.updateTo("9.9.9", null, "dev-1"))
                .isInstanceOf(InvalidMessageException.class)
                .hasMessage("firmware 9.9.9 of product p1 is not registered and available");

        assertThat(f.jobs.all()).isEmpty();
        assertThat(f.channel.sent()).isEmpty();
        assertThat(f.store.writes()).isEmpty();
    }

    @Test
    void firmwareOfAnotherProductIsNotRegisteredForThisOne() {
        assertThatThrownBy(() -> f.updates.update(new UpdateDevicesRequest("p2", TARGET, List.of("dev-1"), null)))
                .isInstanceOf(InvalidMessageException.class)
                .hasMessage("firmware 1.1.0 of product p2 is not registered and available");
    }

    @Test
    void deliversToADeviceOnAnotherVersion() {
        DeviceId dev = f.knownDevice("dev-1", FROM);

        UpdateDevicesResult result = f.updateTo(TARGET, null, "dev-1");

        assertThat(result.delivered()).containsExactly("dev-1");
        assertThat(result.skipped()).isEmpty();
        assertThat(result.version()).isEqualTo(TARGET);

        JobRecord job = f.jobs.find(result.jobId()).orElseThrow();
        assertThat(job.productId()).isEqualTo(PRODUCT);
        assertThat(job.firmware()).isEqualTo(f.firmware.ref());
        assertThat(job.definition().retryPolicy()).isEqualTo(RetryPolicy.DEFAULT);
        assertThat(job.state()).isEqualTo(JobStatus.IN_PROGRESS);
        assertThat(job.targetCount()).isEqualTo(1);
        assertThat(job.createdAt()).isEqualTo(NOW);

        Execution e = f.execution(dev);
        assertThat(e.jobId()).isEqualTo(result.jobId());
        assertThat(e.status()).isEqualTo(ExecutionStatus.DELIVERED);
        assertThat(e.attempt()).isEqualTo(1);
        assertThat(e.percent()).isZero();
        assertThat(e.fromVersion()).isEqualTo(FROM);
        assertThat(e.firmware()).isEqualTo(f.firmware.ref());
        assertThat(e.attemptStartedAt()).isEqualTo(NOW);
        assertThat(e.retryPolicy()).isEqualTo(RetryPolicy.DEFAULT);
        assertThat(f.jobs.statusCounts(result.jobId())).isEqualTo(Map.of(ExecutionStatus.DELIVERED, 1L));

        assertThat(f.channel.sent()).hasSize(1);
        assertThat(f.channel.sent().get(0).device()).isEqualTo(dev);
        UpdateFirmwareMessage msg = f.channel.updates().get(0);
        assertThat(msg.version()).isEqualTo(TARGET);
        assertThat(msg.md5sum()).isEqualTo(TARGET_MD5);
        assertThat(msg.fileSize()).isEqualTo(TARGET_SIZE);
        // sig=1 was minted to check the URL budget when the job was created
        assertThat(msg.url()).isEqualTo("https://firmware.example.com/firmware/p1/1.1.0/fw.bin?sig=2");
        assertThat(f.channel.sent().get(0).json())
                .isEqualTo(
                        "{\"file_size\":175436,\"md5sum\":\"" + TARGET_MD5
                                + "\",\"type\":\"update_firmware\",\"url\":\"https://firmware.example.com/firmware/p1/1.1.0/fw.bin?sig=2\",\"version\":\"1.1.0\"}");
    }

    @Test
    void deliversToADeviceNeverSeenBefore() {
        UpdateDevicesResult result = f.updateTo(TARGET, null, "fresh");

        assertThat(result.delivered()).containsExactly("fresh");
        Execution e = f.execution(device("fresh"));
        assertThat(e.status()).isEqualTo(ExecutionStatus.DELIVERED);
        assertThat(e.fromVersion()).isNull();
        assertThat(f.channel.updates()).hasSize(1);
    }

    @Test
    void skipsADeviceBusyWithAnotherJob() {
        DeviceId busy = busyDevice("busy");
        Execution before = f.execution(busy);
        f.knownDevice("free", FROM);

        UpdateDevicesResult result = f.updateTo(TARGET, null, "busy", "free");

        assertThat(result.delivered()).containsExactly("free");
        assertThat(result.skipped()).containsExactly(Map.entry("busy", "busy with job job-0"));
        assertThat(f.execution(busy)).isEqualTo(before);
        assertThat(f.channel.sent()).extracting(s -> s.device().deviceName()).containsExactly("free");
    }

    @Test
    void aJobWhoseEveryDeviceWasSkippedIsCompletedAtOnce() {
        busyDevice("busy");
        f.knownDevice("current", TARGET);

        UpdateDevicesResult result = f.updateTo(TARGET, null, "busy", "current");

        assertThat(result.delivered()).isEmpty();
        JobRecord job = f.jobs.find(result.jobId()).orElseThrow();
        assertThat(job.state()).isEqualTo(JobStatus.COMPLETED);
        assertThat(f.jobs.statusCounts(result.jobId())).isEqualTo(Map.of(ExecutionStatus.SKIPPED, 2L));
    }

    @Test
    void itsExecutionsHaveTheDefaultInProgressTimeout() {
        DeviceId dev = f.knownDevice("dev-1", FROM);

        UpdateDevicesResult result = f.updateTo(TARGET, null, "dev-1");

        assertThat(f.jobs.find(result.jobId()).orElseThrow().definition().inProgressTimeout())
                .isEqualTo(JobDefinition.DEFAULT_TIMEOUT);
        assertThat(f.execution(dev).timeout()).isEqualTo(JobDefinition.DEFAULT_TIMEOUT);
        assertThat(f.jobs.find(result.jobId()).orElseThrow().state()).isEqualTo(JobStatus.IN_PROGRESS);
    }

    @Test
    void skipsADeviceAlreadyOnTheTarget() {
        f.knownDevice("current", TARGET);

        UpdateDevicesResult result = f.updateTo(TARGET, null, "current");

        assertThat(result.delivered()).isEmpty();
        assertThat(result.skipped()).containsExactly(Map.entry("current", "already on 1.1.0"));
        assertThat(f.execution(device("current"))).isNull();
        assertThat(f.channel.sent()).isEmpty();
    }

    @Test
    void updatesADeviceWhosePreviousExecutionEnded() {
        DeviceId dev = device("old");
        Execution ended = Execution.queued(
                        "job-0", OTHER_JOB_FIRMWARE, FROM, RetryPolicy.DEFAULT, NOW.minusSeconds(900))
                .delivered(NOW.minusSeconds(900))
                .failed(ExecutionStatus.FAILED, -2, "time_out", NOW.minusSeconds(800), null);
        f.store.put(new DeviceState(dev, FROM, NOW.minusSeconds(700), ended));

        UpdateDevicesResult result = f.updateTo(TARGET, null, "old");

        assertThat(result.delivered()).containsExactly("old");
        assertThat(f.execution(dev).jobId()).isEqualTo(result.jobId());
        assertThat(f.execution(dev).attempt()).isEqualTo(1);
    }

    @Test
    void aDeviceTakenBetweenReadAndWriteIsSkippedWithoutSending() {
        f.knownDevice("dev-1", FROM);
        f.rollout.beforeNextRelease(() -> busyDevice("dev-1"));

        UpdateDevicesResult result = f.updateTo(TARGET, null, "dev-1");

        // The rollout reads the device again after the lost race, so it names the job that took it.
        assertThat(result.delivered()).isEmpty();
        assertThat(result.skipped()).containsExactly(Map.entry("dev-1", "busy with job job-0"));
        assertThat(f.execution(device("dev-1")).jobId()).isEqualTo("job-0");
        assertThat(f.channel.sent()).isEmpty();
    }

    @Test
    void mixedFleetKeepsRequestOrderAndEachDeviceGetsItsOwnUrl() {
        f.knownDevice("a", FROM);
        f.knownDevice("b", TARGET);
        busyDevice("c");
        f.knownDevice("d", "0.9.0");

        UpdateDevicesResult result = f.updateTo(TARGET, null, "a", "b", "c", "d");

        assertThat(result.delivered()).containsExactly("a", "d");
        assertThat(result.skipped()).containsOnlyKeys("b", "c");
        assertThat(f.channel.updates())
                .extracting(UpdateFirmwareMessage::url)
                .doesNotHaveDuplicates()
                .hasSize(2);
        assertThat(f.jobs.find(result.jobId()).orElseThrow().targetCount()).isEqualTo(4);
        assertThat(f.execution(device("d")).fromVersion()).isEqualTo("0.9.0");
    }

    @Test
    void duplicateNamesAreUpdatedOnce() {
        UpdateDevicesResult result = f.updateTo(TARGET, null, "dev-1", "dev-1", "dev-2");

        assertThat(result.delivered()).containsExactly("dev-1", "dev-2");
        assertThat(f.channel.updates()).hasSize(2);
        assertThat(f.jobs.find(result.jobId()).orElseThrow().targetCount()).isEqualTo(2);
    }

    @Test
    void theRequestsRetryPolicyIsCopiedOntoEachExecution() {
        RetryPolicy policy = new RetryPolicy(5, Set.of(-1), Duration.ofMinutes(2));

        UpdateDevicesResult result = f.updateTo(TARGET, policy, "dev-1");

        assertThat(f.execution(device("dev-1")).retryPolicy()).isEqualTo(policy);
        assertThat(f.jobs.find(result.jobId()).orElseThrow().definition().retryPolicy())
                .isEqualTo(policy);
    }

    @Test
    void eachRequestIsANewJob() {
        UpdateDevicesResult first = f.updateTo(TARGET, null, "dev-1");
        f.store.put(new DeviceState(device("dev-1"), TARGET, NOW, null));
        UpdateDevicesResult second = f.updateTo(TARGET, null, "dev-2");

        assertThat(first.jobId()).isNotEqualTo(second.jobId());
        assertThat(f.jobs.all()).hasSize(2);
    }

    @Test
    void theJobIsAnEngineJobOfTheListWithTheEngineDefaults() {
        UpdateDevicesResult result = f.updateTo(TARGET, null, "dev-1", "dev-2");

        JobDefinition d = f.jobs.find(result.jobId()).orElseThrow().definition();
        assertThat(d.targetType()).isEqualTo(TargetType.DEVICE_LIST);
        assertThat(d.deviceNames()).containsExactly("dev-1", "dev-2");
        assertThat(d.dynamic()).isFalse();
        assertThat(d.stages()).isEmpty();
        assertThat(d.inProgressTimeout()).as("the engine's default").isEqualTo(JobDefinition.DEFAULT_TIMEOUT);
        assertThat(d.window().startAt()).isNull();
        assertThat(d.description()).isEqualTo(UpdateDevicesService.DESCRIPTION);
        assertThat(f.jobs.liveJobIds()).as("the scheduler completes it").containsExactly(result.jobId());
        assertThat(f.queued).as("nothing left for the work queue").isEmpty();
    }

    @Test
    void skippedDevicesAreSkippedInTheJobWithTheRolloutsReason() {
        busyDevice("busy");
        f.knownDevice("current", TARGET);
        f.knownDevice("free", FROM);

        UpdateDevicesResult result = f.updateTo(TARGET, null, "busy", "current", "free");

        assertThat(f.jobs.statusCounts(result.jobId()))
                .isEqualTo(Map.of(ExecutionStatus.SKIPPED, 2L, ExecutionStatus.DELIVERED, 1L));
        assertThat(f.rollout.rowsOf(result.jobId()))
                .extracting(RowView::deviceName, RowView::status, RowView::resultMsg, RowView::heldBy)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(
                                "busy", ExecutionStatus.SKIPPED, "held by job job-0", "job-0"),
                        org.assertj.core.groups.Tuple.tuple(
                                "current", ExecutionStatus.SKIPPED, "already runs 1.1.0", null),
                        org.assertj.core.groups.Tuple.tuple("free", ExecutionStatus.DELIVERED, "", null));
    }

    @Test
    void aListTooLongForTheJobItemIsExpandedFromTheRequest() {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < JobDefinition.MAX_INLINE_DEVICES + 5; i++) {
            names.add(String.format("d%04d", i));
        }

        UpdateDevicesResult result = f.updates.update(new UpdateDevicesRequest(PRODUCT, TARGET, names, null));

        assertThat(result.delivered()).containsExactlyElementsOf(names);
        JobRecord job = f.jobs.find(result.jobId()).orElseThrow();
        assertThat(job.definition().deviceNames())
                .as("not kept on the job item")
                .isEmpty();
        assertThat(job.targetCount()).isEqualTo(names.size());
        assertThat(f.channel.updates()).hasSize(names.size());
    }

    @Nested
    class Requests {

        @Test
        void needsAtLeastOneDevice() {
            assertThatThrownBy(() -> new UpdateDevicesRequest(PRODUCT, TARGET, List.of(), null))
                    .isInstanceOf(InvalidMessageException.class)
                    .hasMessage("deviceNames must list at least one device");
            assertThatThrownBy(() -> new UpdateDevicesRequest(PRODUCT, TARGET, null, null))
                    .isInstanceOf(InvalidMessageException.class)
                    .hasMessage("deviceNames must list at least one device");
        }

        @Test
        void atMostMaxDevices() {
            List<String> names = new ArrayList<>();
            for (int i = 0; i <= UpdateDevicesRequest.MAX_DEVICES; i++) {
                names.add("d" + i);
            }
            assertThatThrownBy(() -> new UpdateDevicesRequest(PRODUCT, TARGET, names, null))
                    .isInstanceOf(InvalidMessageException.class)
                    .hasMessage("deviceNames lists 10001 devices, over 10000");
            assertThat(new UpdateDevicesRequest(
                                    PRODUCT, TARGET, names.subList(0, UpdateDevicesRequest.MAX_DEVICES), null)
                            .deviceNames())
                    .hasSize(UpdateDevicesRequest.MAX_DEVICES);
        }

        @Test
        void deviceNamesAndProductAreValidated() {
            assertThatThrownBy(() -> new UpdateDevicesRequest(PRODUCT, TARGET, List.of("ok", "bad/name"), null))
                    .isInstanceOf(InvalidMessageException.class)
                    .hasMessage("deviceName has characters outside [A-Za-z0-9_.:@-]");
            assertThatThrownBy(() -> new UpdateDevicesRequest("p#", TARGET, List.of("ok"), null))
                    .isInstanceOf(InvalidMessageException.class)
                    .hasMessage("productId has characters outside [A-Za-z0-9_.:@-]");
            assertThatThrownBy(() -> new UpdateDevicesRequest(PRODUCT, TARGET, Arrays.asList("ok", null), null))
                    .isInstanceOf(InvalidMessageException.class)
                    .hasMessage("deviceName is missing");
        }

        @Test
        void versionIsValidated() {
            assertThatThrownBy(() -> new UpdateDevicesRequest(PRODUCT, "1 .0", List.of("ok"), null))
                    .isInstanceOf(InvalidMessageException.class)
                    .hasMessage("version must be printable ASCII without spaces");
            assertThatThrownBy(() -> new UpdateDevicesRequest(PRODUCT, "", List.of("ok"), null))
                    .isInstanceOf(InvalidMessageException.class)
                    .hasMessage("version is missing");
        }

        @Test
        void duplicatesAreDroppedKeepingOrderAndTheListIsImmutable() {
            UpdateDevicesRequest r = new UpdateDevicesRequest(PRODUCT, TARGET, List.of("b", "a", "b", "c", "a"), null);
            assertThat(r.deviceNames()).containsExactly("b", "a", "c");
            assertThatThrownBy(() -> r.deviceNames().add("x")).isInstanceOf(UnsupportedOperationException.class);
        }

        @Test
        void defaultRetryPolicy() {
            assertThat(new UpdateDevicesRequest(PRODUCT, TARGET, Collections.singletonList("a"), null).retryPolicy())
                    .isSameAs(RetryPolicy.DEFAULT);
        }
    }
}
