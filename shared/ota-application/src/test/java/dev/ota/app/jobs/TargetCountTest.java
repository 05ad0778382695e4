package dev.ota.app.jobs;

import static dev.ota.app.jobs.EngineFixture.FROM;
import static dev.ota.app.jobs.EngineFixture.PRODUCT;
import static dev.ota.app.jobs.EngineFixture.TARGET;
import static dev.ota.app.jobs.EngineFixture.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ota.domain.OperatorException;
import dev.ota.domain.OperatorException.Code;
import dev.ota.domain.device.ThingName;
import dev.ota.port.in.JobOperations.TargetCount;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The dry run of job creation: checked as creation is, counted as the expansion counts, nothing written. */
class TargetCountTest {

    private final EngineFixture f = new EngineFixture();

    private TargetCount dryRun(EngineFixture.Request request) {
        TargetCount count = f.service.countTargets(request.build());
        assertThat(f.jobs.liveJobIds()).as("a dry run writes no job").isEmpty();
        assertThat(f.service.list(null, null, 10).items()).isEmpty();
        return count;
    }

    /** The dry run's count is the targetCount the job gets once expanded. */
    private void sameAsCreation(EngineFixture.Request request, long expected) {
        TargetCount count = dryRun(request);
        assertThat(count.targets()).isEqualTo(expected);
        assertThat(count.complete()).isTrue();
        String jobId = f.create(request);
        f.planAndRun(jobId);
        assertThat(f.job(jobId).targetCount()).isEqualTo(expected);
    }

    @Test
    void sourceVersionsCountTheDevicesOnThoseVersionsAndNotThoseOnTheTarget() {
        f.fleet(5, FROM);
        f.device("e01", "1.5.0");
        f.device("e02", TARGET);
        f.device("e03", "0.9.0");

        sameAsCreation(request().onVersions(FROM, "1.5.0"), 6);
    }

    @Test
    void aProductCountsEveryDeviceNotYetOnTheTarget() {
        f.fleet(4, FROM);
        f.device("e01", TARGET);
        f.device("e02", "0.9.0");

        sameAsCreation(request().product(), 5);
    }

    @Test
    void aDeviceListFileCountsDistinctValidNamesAndSaysWhatItSkipped() {
        f.lists.put("device-lists/a.txt", "a\nb\na\nbad name\nc\nb\ne\ne\n# comment\n\n");

        TargetCount count = dryRun(request().file("device-lists/a.txt"));

        assertThat(count).isEqualTo(new TargetCount(4L, 1, 3, true, null));
        sameAsCreation(request().file("device-lists/a.txt"), 4);
    }

    @Test
    void anInlineListCountsItsNames() {
        sameAsCreation(request().devices("d01", "d02", "d03"), 3);
    }

    @Test
    void aThingGroupIsCountedWhereTheEngineReadsTheRegistry() {
        f.fleet(3, FROM);
        f.things.group(
                "plant-a",
                List.of("d01", "d02", "d03").stream()
                        .map(d -> ThingName.of(PRODUCT, d).value())
                        .toArray(String[]::new));

        sameAsCreation(request().thingGroup("plant-a"), 3);
    }

    @Test
    void theDryRunRefusesWhatCreationRefusesWithTheSameCode() {
        assertThatThrownBy(() -> dryRun(request().devices(List.of())))
                .isInstanceOfSatisfying(
                        OperatorException.class, e -> assertThat(e.code()).isEqualTo(Code.INVALID_REQUEST));
        assertThatThrownBy(() -> dryRun(request().file("device-lists/missing.txt")))
                .isInstanceOfSatisfying(
                        OperatorException.class, e -> assertThat(e.code()).isEqualTo(Code.INVALID_REQUEST));
        f.catalog.delete(PRODUCT, TARGET);
        assertThatThrownBy(() -> dryRun(request().devices("d01")))
                .isInstanceOfSatisfying(
                        OperatorException.class, e -> assertThat(e.code()).isEqualTo(Code.FIRMWARE_NOT_AVAILABLE));
    }
}
