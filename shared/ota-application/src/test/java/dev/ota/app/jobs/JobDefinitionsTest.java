package dev.ota.app.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ota.domain.OperatorException;
import dev.ota.domain.RetryPolicy;
import dev.ota.domain.job.JobDefinition;
import dev.ota.domain.job.TargetType;
import dev.ota.domain.rollout.RolloutWindow;
import dev.ota.domain.rollout.Stage;
import dev.ota.domain.rollout.Stage.FailureAction;
import dev.ota.port.in.JobOperations.CreateJob;
import dev.ota.port.in.JobOperations.Retry;
import dev.ota.port.in.JobOperations.Rollout;
import dev.ota.port.in.JobOperations.Targets;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class JobDefinitionsTest {

    private static final Instant NOW = Instant.parse("2026-05-01T00:00:00Z");

    private static CreateJob request(Targets targets) {
        return new CreateJob("P1", "2.0.0", targets, false, null, null, null, null, null, null, null);
    }

    private static Targets versions(String... v) {
        return new Targets(TargetType.SOURCE_VERSIONS, List.of(v), null, null);
    }

    @Test
    void defaultsAreFilledIn() {
        JobDefinition d = JobDefinitions.from(request(versions("1.0.0")), NOW);
        assertThat(d.rate().maxRatePerMinute()).isEqualTo(100_000);
        assertThat(d.retryPolicy()).isEqualTo(RetryPolicy.DEFAULT);
        assertThat(d.stages()).isEmpty();
        assertThat(d.description()).isEmpty();
    }

    @Test
    void everyFieldSurvivesTheStoredForm() {
        CreateJob full = new CreateJob(
                "P1",
                "2.0.0",
                versions("1.0.0", "1.1.0"),
                true,
                new Rollout(5000, 50, 2.0, 100),
                List.of(
                        new Stage(10, null, 90, 20, 5, FailureAction.ABORT),
                        new Stage(null, 25, 95, 10, 20, FailureAction.PAUSE),
                        new Stage(null, null, 100, 5, 50, null)),
                NOW.plusSeconds(60),
                NOW.plusSeconds(86400),
                Duration.ofMinutes(30),
                new Retry(4, List.of(-1, -3), Duration.ofSeconds(90)),
                "spring rollout");
        JobDefinition d = JobDefinitions.from(full, NOW);
        JobDefinition back = JobDefinitionJson.decode(JobDefinitionJson.encode(d));
        assertThat(back).isEqualTo(d);
        assertThat(JobDefinitions.toRequest(back).stages().get(2).onFailure()).isEqualTo(FailureAction.PAUSE);
        assertThat(JobDefinitions.toRequest(back).retry().retryableCodes()).containsExactly(-3, -1);
    }

    @Test
    void targetsMustBeOneKindWithItsField() {
        assertThatThrownBy(() -> JobDefinitions.from(request(null), NOW))
                .isInstanceOf(OperatorException.class)
                .hasMessageContaining("targets.type");
        assertThatThrownBy(() -> JobDefinitions.from(
                        request(new Targets(TargetType.PRODUCT, List.of("1.0.0"), null, null)), NOW))
                .hasMessageContaining("must not set sourceVersions");
        assertThatThrownBy(() ->
                        JobDefinitions.from(request(new Targets(TargetType.DEVICE_LIST, null, List.of(), null)), NOW))
                .hasMessageContaining("at least one device");
        assertThatThrownBy(() -> JobDefinitions.from(request(versions("2.0.0")), NOW))
                .hasMessageContaining("must not contain the target");
    }

    @Test
    void inlineListIsCappedAndNamesChecked() {
        List<String> many = Collections.nCopies(1001, "d");
        assertThatThrownBy(
                        () -> JobDefinitions.from(request(new Targets(TargetType.DEVICE_LIST, null, many, null)), NOW))
                .hasMessageContaining("DEVICE_LIST_FILE");
        assertThatThrownBy(() -> JobDefinitions.from(
                        request(new Targets(TargetType.DEVICE_LIST, null, List.of("a/b"), null)), NOW))
                .hasMessageContaining("deviceName");
        JobDefinition d = JobDefinitions.from(
                request(new Targets(TargetType.DEVICE_LIST, null, List.of("a", "b", "a"), null)), NOW);
        assertThat(d.deviceNames()).containsExactly("a", "b");
    }

    @Test
    void deviceListFileMustLieUnderItsPrefix() {
        assertThatThrownBy(() -> JobDefinitions.from(
                        request(new Targets(TargetType.DEVICE_LIST_FILE, null, null, "firmware/x.txt")), NOW))
                .hasMessageContaining("device-lists/");
        assertThatThrownBy(() -> JobDefinitions.from(
                        request(new Targets(TargetType.DEVICE_LIST_FILE, null, null, "device-lists/../x")), NOW))
                .hasMessageContaining("device-lists/");
    }

    @Test
    void limitsOnRateTimeoutRetryWindowAndStages() {
        Targets t = versions("1.0.0");
        assertThatThrownBy(() -> JobDefinitions.from(
                        new CreateJob(
                                "P1",
                                "2.0.0",
                                t,
                                false,
                                new Rollout(0, null, null, null),
                                null,
                                null,
                                null,
                                null,
                                null,
                                null),
                        NOW))
                .hasMessageContaining("ratePerMinute");
        assertThatThrownBy(() -> JobDefinitions.from(
                        new CreateJob(
                                "P1", "2.0.0", t, false, null, null, null, null, Duration.ofSeconds(30), null, null),
                        NOW))
                .hasMessageContaining("inProgressTimeout");
        assertThatThrownBy(() -> JobDefinitions.from(
                        new CreateJob(
                                "P1",
                                "2.0.0",
                                t,
                                false,
                                null,
                                null,
                                null,
                                null,
                                null,
                                new Retry(12, List.of(-1), Duration.ZERO),
                                null),
                        NOW))
                .hasMessageContaining("maxAttempts");
        assertThatThrownBy(() -> JobDefinitions.from(
                        new CreateJob(
                                "P1",
                                "2.0.0",
                                t,
                                false,
                                null,
                                null,
                                null,
                                null,
                                null,
                                new Retry(2, List.of(-7), Duration.ZERO),
                                null),
                        NOW))
                .hasMessageContaining("retryableCodes");
        assertThatThrownBy(() -> JobDefinitions.from(
                        new CreateJob("P1", "2.0.0", t, false, null, null, null, NOW.minusSeconds(1), null, null, null),
                        NOW))
                .hasMessageContaining("endAt");
        assertThatThrownBy(() -> JobDefinitions.from(
                        new CreateJob(
                                "P1",
                                "2.0.0",
                                t,
                                false,
                                null,
                                List.of(new Stage(null, null, 100, 0, 0, null), new Stage(null, null, 100, 0, 0, null)),
                                null,
                                null,
                                null,
                                null,
                                null),
                        NOW))
                .hasMessageContaining("only the last stage");
    }

    @Test
    void sourceVersionsMayNarrowAListButNotAProduct() {
        JobDefinition narrowed = JobDefinitions.from(
                request(new Targets(TargetType.DEVICE_LIST, List.of("1.0.0"), List.of("a"), null)), NOW);
        assertThat(narrowed.acceptsVersion("1.0.0")).isTrue();
        assertThat(narrowed.acceptsVersion("1.5.0")).isFalse();
        assertThat(narrowed.acceptsVersion(null)).as("never reported").isFalse();
        assertThat(narrowed.qualifiesByVersion("1.0.0"))
                .as("a list job takes only listed devices")
                .isFalse();
        JobDefinition plain =
                JobDefinitions.from(request(new Targets(TargetType.DEVICE_LIST, null, List.of("a"), null)), NOW);
        assertThat(plain.acceptsVersion(null)).isTrue();
        assertThat(JobDefinitionJson.decode(JobDefinitionJson.encode(narrowed))).isEqualTo(narrowed);
        assertThatThrownBy(() -> JobDefinitions.from(
                        request(new Targets(TargetType.PRODUCT, List.of("1.0.0"), null, null)), NOW))
                .hasMessageContaining("must not set sourceVersions");
    }

    @Test
    void qualifiesByVersionForDynamicPickup() {
        JobDefinition byVersion = JobDefinitions.from(request(versions("1.0.0")), NOW);
        assertThat(byVersion.qualifiesByVersion("1.0.0")).isTrue();
        assertThat(byVersion.qualifiesByVersion("1.5.0")).isFalse();
        JobDefinition product = JobDefinitions.from(request(new Targets(TargetType.PRODUCT, null, null, null)), NOW);
        assertThat(product.qualifiesByVersion("0.1")).isTrue();
        assertThat(product.qualifiesByVersion("2.0.0"))
                .as("already on the target")
                .isFalse();
    }

    /** Regression: +999999999-12-31T23:59:59Z parsed, then overflowed epoch millis (a 500 at the API). */
    @Test
    void timesOutsideWhatCanBeStoredAreInvalidRequests() {
        for (Instant extreme : List.of(
                Instant.MAX,
                Instant.parse("+999999999-12-31T23:59:59Z"),
                Instant.MIN,
                Instant.parse("1969-12-31T23:59:59Z"),
                Instant.parse("+10000-01-01T00:00:00Z"))) {
            CreateJob start =
                    new CreateJob("P1", "2.0.0", versions("1.0.0"), false, null, null, extreme, null, null, null, null);
            assertThatThrownBy(() -> JobDefinitions.from(start, NOW))
                    .isInstanceOf(OperatorException.class)
                    .hasMessageContaining("startAt must lie between")
                    .extracting(e -> ((OperatorException) e).code())
                    .isEqualTo(OperatorException.Code.INVALID_REQUEST);
            if (extreme.isAfter(NOW)) {
                CreateJob end = new CreateJob(
                        "P1", "2.0.0", versions("1.0.0"), false, null, null, null, extreme, null, null, null);
                assertThatThrownBy(() -> JobDefinitions.from(end, NOW))
                        .isInstanceOf(OperatorException.class)
                        .hasMessageContaining("endAt must lie between");
            }
        }
        assertThat(JobDefinitions.from(
                                new CreateJob(
                                        "P1",
                                        "2.0.0",
                                        versions("1.0.0"),
                                        false,
                                        null,
                                        null,
                                        null,
                                        Instant.parse("9999-12-31T23:59:59Z"),
                                        null,
                                        null,
                                        null),
                                NOW)
                        .window()
                        .endAt())
                .as("the latest storable time is fine")
                .isEqualTo(RolloutWindow.LATEST);
    }

    @Test
    void aTargetVersionThatCannotBeStoredIsInvalid() {
        for (String version : List.of(".", "..", "a/b", "1.0?")) {
            CreateJob r =
                    new CreateJob("P1", version, versions("1.0.0"), false, null, null, null, null, null, null, null);
            assertThatThrownBy(() -> JobDefinitions.from(r, NOW))
                    .isInstanceOf(OperatorException.class)
                    .hasMessageStartingWith("targetVersion");
        }
    }

    @Test
    void everyJobHasAnInProgressTimeout() {
        assertThat(JobDefinitions.from(request(versions("1.0.0")), NOW).inProgressTimeout())
                .isEqualTo(JobDefinition.DEFAULT_TIMEOUT);
        assertThat(JobDefinitions.deviceList("P1", "2.0.0", List.of("d"), RetryPolicy.DEFAULT, "x")
                        .inProgressTimeout())
                .isEqualTo(JobDefinition.DEFAULT_TIMEOUT);
    }
}
