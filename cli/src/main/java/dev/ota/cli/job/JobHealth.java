package dev.ota.cli.job;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ota.cli.Subcommand;
import dev.ota.cli.Text;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(
        name = "health",
        description = "How a rollout stands: each stage's devices, success and failure rates against its"
                + " thresholds and the current stage's verdict; failures by result code; who created,"
                + " paused, resumed or canceled the job.")
final class JobHealth extends Subcommand {
    @Parameters(index = "0", paramLabel = "JOB_ID")
    String jobId;

    @Override
    public Integer call() {
        return show(root().api().get(JobCommand.path(jobId, "health"), Map.of()), JobHealth::text);
    }

    static void text(PrintStream out, JsonNode h) {
        Text.keyValues(
                out,
                "job",
                Text.s(h, "jobId"),
                "state",
                Text.s(h, "state")
                        + (h.path("stateReason").isTextual()
                                        && !h.path("stateReason").asText().isEmpty()
                                ? " (" + h.path("stateReason").asText() + ")"
                                : ""),
                "stage",
                Text.s(h, "currentStage") + " of " + h.path("stages").size(),
                "created by",
                Text.s(h, "createdBy"),
                "paused by",
                Text.s(h, "pausedBy"),
                "resumed by",
                Text.s(h, "resumedBy"),
                "canceled by",
                Text.s(h, "canceledBy"));
        List<List<String>> rows = new ArrayList<>();
        for (JsonNode s : h.path("stages")) {
            rows.add(List.of(
                    Text.s(s, "stage"),
                    Text.s(s, "phase"),
                    Text.s(s, "size"),
                    Text.s(s, "entered"),
                    Text.s(s, "succeeded"),
                    Text.s(s, "failed"),
                    Text.s(s, "timedOut"),
                    Text.s(s, "live"),
                    Text.s(s, "successPercent") + "% / " + Text.s(s, "successThresholdPercent") + "%",
                    Text.s(s, "failurePercent") + "% / " + Text.s(s, "failureThresholdPercent") + "%",
                    s.path("verdict").isTextual() ? s.path("verdict").asText() : "-"));
        }
        Text.table(
                out,
                List.of(
                        "STAGE",
                        "PHASE",
                        "SIZE",
                        "ENTERED",
                        "SUCCEEDED",
                        "FAILED",
                        "TIMED OUT",
                        "LIVE",
                        "SUCCESS/NEEDED",
                        "FAILURE/LIMIT",
                        "VERDICT"),
                rows);
        for (JsonNode s : h.path("stages")) {
            if (s.path("verdictReason").isTextual()) {
                out.println("stage " + Text.s(s, "stage") + ": "
                        + s.path("verdictReason").asText());
            }
        }
        out.println("failures by result code"
                + (h.path("failuresComplete").asBoolean(true)
                        ? ":"
                        : " (of the first " + Text.s(h, "failuresRead") + " FAILED devices read; " + Text.s(h, "failed")
                                + " failed in all):"));
        List<List<String>> codes = new ArrayList<>();
        h.path("failuresByCode")
                .fields()
                .forEachRemaining(
                        e -> codes.add(List.of("  " + e.getKey(), e.getValue().asText())));
        Text.table(out, List.of("  CODE", "DEVICES"), codes);
    }
}
