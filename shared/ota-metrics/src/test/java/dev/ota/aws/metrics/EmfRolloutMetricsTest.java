package dev.ota.aws.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ota.domain.ExecutionStatus;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class EmfRolloutMetricsTest {

    private final List<String> written = new ArrayList<>();
    private final EmfRolloutMetrics metrics = new EmfRolloutMetrics("OTA/test", written::add);

    @Test
    void anInvocationsMetricsAreWrittenAsOneEmfDocumentPerDimensionSet() {
        metrics.reportRejected("report_progress", "invalid");
        metrics.reportRejected("report_progress", "invalid");
        metrics.devicesReleased(3);

        metrics.flush();

        assertThat(written).hasSize(2);
        assertThat(written.get(0))
                .contains(
                        "\"Namespace\":\"OTA/test\"",
                        "\"ReportsRejected\"",
                        "\"Type\":\"report_progress\"",
                        "\"Reason\":\"invalid\"");
        assertThat(written.get(1)).contains("\"DevicesReleased\":3");
    }

    @Test
    void anInvocationThatRecordedNothingWritesNothing() {
        // A release's delivery: no metric of its own (DevicesReleased counts releases).
        metrics.executionChanged(ExecutionStatus.QUEUED, ExecutionStatus.DELIVERED, 0);

        metrics.flush();

        assertThat(written).as("nothing counted: no document").isEmpty();
    }

    @Test
    void primingWritesNothingAndLeavesTheInvocationsMetricsAlone() {
        metrics.reportRejected("report_version", "identity");

        metrics.prime();

        assertThat(written).as("priming writes no document").isEmpty();
        metrics.flush();
        assertThat(written).singleElement().asString().contains("\"Type\":\"report_version\"");
    }
}
