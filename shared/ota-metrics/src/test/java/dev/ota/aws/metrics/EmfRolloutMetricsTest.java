package dev.ota.aws.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class EmfRolloutMetricsTest {

    private final List<String> written = new ArrayList<>();
    private final EmfRolloutMetrics metrics = new EmfRolloutMetrics("OTA/test", written::add);

    @Test
    void anInvocationsMetricsAreWrittenAsOneEmfDocumentPerDimensionSet() {
        metrics.reportAccepted("report_progress");
        metrics.reportAccepted("report_progress");
        metrics.devicesReleased(3);

        metrics.flush();

        assertThat(written).hasSize(2);
        assertThat(written.get(0))
                .contains("\"Namespace\":\"OTA/test\"", "\"ReportsAccepted\"", "\"Type\":\"report_progress\"");
        assertThat(written.get(1)).contains("\"DevicesReleased\":3");
    }

    @Test
    void primingWritesNothingAndLeavesTheInvocationsMetricsAlone() {
        metrics.reportAccepted("report_version");

        metrics.prime();

        assertThat(written).as("priming writes no document").isEmpty();
        metrics.flush();
        assertThat(written).singleElement().asString().contains("\"Type\":\"report_version\"");
    }
}
