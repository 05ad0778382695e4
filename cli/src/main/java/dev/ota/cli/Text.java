package dev.ota.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Plain-text renderings of the API's objects: aligned tables and "key: value" blocks. */
public final class Text {
    private Text() {}

    public static String s(JsonNode node, String field) {
        JsonNode v = node.path(field);
        return v.isMissingNode() || v.isNull() ? "-" : v.asText();
    }

    public static void table(PrintStream out, List<String> headers, List<List<String>> rows) {
        int[] widths = new int[headers.size()];
        for (int i = 0; i < headers.size(); i++) {
            widths[i] = headers.get(i).length();
        }
        for (List<String> row : rows) {
            for (int i = 0; i < row.size(); i++) {
                widths[i] = Math.max(widths[i], row.get(i).length());
            }
        }
        out.println(line(headers, widths));
        for (List<String> row : rows) {
            out.println(line(row, widths));
        }
    }

    private static String line(List<String> cells, int[] widths) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < cells.size(); i++) {
            String cell = cells.get(i);
            sb.append(i == cells.size() - 1 ? cell : String.format("%-" + widths[i] + "s  ", cell));
        }
        return sb.toString().stripTrailing();
    }

    public static void keyValues(PrintStream out, String... pairs) {
        int width = 0;
        for (int i = 0; i < pairs.length; i += 2) {
            width = Math.max(width, pairs[i].length());
        }
        for (int i = 0; i + 1 < pairs.length; i += 2) {
            out.printf("%-" + (width + 1) + "s %s%n", pairs[i] + ":", pairs[i + 1]);
        }
    }

    public static void firmware(PrintStream out, JsonNode f) {
        keyValues(
                out,
                "product",
                s(f, "productId"),
                "version",
                s(f, "version"),
                "status",
                s(f, "status"),
                "size",
                f.path("fileSize").asLong() + " bytes ("
                        + ProgressBar.bytes(f.path("fileSize").asLong()) + ")",
                "md5sum",
                s(f, "md5sum"),
                "sha256",
                s(f, "sha256"),
                "s3 key",
                s(f, "s3Key"),
                "description",
                s(f, "description"),
                "created",
                s(f, "createdAt"),
                "registered",
                s(f, "registeredAt"));
        if (!f.path("rejectionReason").isNull() && !f.path("rejectionReason").isMissingNode()) {
            keyValues(out, "rejected", s(f, "rejectionReason"));
        }
    }

    public static List<String> firmwareRow(JsonNode f) {
        return List.of(
                s(f, "productId"),
                s(f, "version"),
                s(f, "status"),
                ProgressBar.bytes(f.path("fileSize").asLong()),
                s(f, "md5sum"),
                s(f, "createdAt"),
                s(f, "description"));
    }

    public static final List<String> FIRMWARE_HEADERS =
            List.of("PRODUCT", "VERSION", "STATUS", "SIZE", "MD5", "CREATED", "DESCRIPTION");

    /**
     * "[#####-----]  50%  5/10 devices finished" for a job or statistics view: its {@code finished}
     * devices (as the API counts them: executions that ended) of its {@code targetCount}.
     */
    public static String progress(JsonNode view) {
        long targetCount = view.path("targetCount").asLong();
        long total = targetCount > 0 ? targetCount : sum(view.path("counts"));
        long done = view.path("finished").asLong();
        int percent = total == 0 ? 0 : (int) (done * 100 / total);
        return ProgressBar.bar(done, total, 30) + String.format(" %3d%%  %d/%d devices finished", percent, done, total);
    }

    public static long sum(JsonNode counts) {
        long n = 0;
        for (JsonNode c : counts) {
            n += c.asLong();
        }
        return n;
    }

    /** "delivered 2  succeeded 4  failed 1" - only the states that hold devices, in state order. */
    public static String counts(JsonNode counts) {
        List<String> parts = new ArrayList<>();
        counts.fieldNames().forEachRemaining(name -> {
            long n = counts.path(name).asLong();
            if (n > 0) {
                parts.add(name.toLowerCase(Locale.ROOT).replace('_', ' ') + " " + n);
            }
        });
        return parts.isEmpty() ? "no devices yet" : String.join("  ", parts);
    }

    /** A recount: whether the counters agree with the rows, the differences, whether they were repaired. */
    public static void recount(PrintStream out, JsonNode r) {
        keyValues(
                out,
                "job",
                s(r, "jobId"),
                "rows",
                counts(r.path("rows")),
                "counters",
                counts(r.path("counters")),
                "consistent",
                s(r, "consistent"),
                "repaired",
                s(r, "repaired"));
        for (JsonNode d : r.path("differences")) {
            out.println("  " + d.asText());
        }
    }

    public static void job(PrintStream out, JsonNode j) {
        keyValues(
                out,
                "job",
                s(j, "jobId"),
                "product",
                s(j, "productId"),
                "target version",
                s(j, "targetVersion"),
                "state",
                s(j, "state")
                        + (j.path("stateReason").isTextual()
                                ? " (" + j.path("stateReason").asText() + ")"
                                : ""),
                "dynamic",
                s(j, "dynamic"),
                "stage",
                j.path("stageCount").asInt() > 0
                        ? (j.path("currentStage").asInt() + 1) + " of "
                                + j.path("stageCount").asInt()
                        : "-",
                "targets",
                s(j, "targetCount"),
                "created",
                s(j, "createdAt"),
                "created by",
                s(j, "createdBy"),
                "description",
                s(j, "description"));
        // The latest operator actions, when there were any.
        for (String[] action :
                new String[][] {{"paused by", "pausedBy"}, {"resumed by", "resumedBy"}, {"canceled by", "canceledBy"}
                }) {
            if (j.path(action[1]).isTextual()) {
                keyValues(out, action[0], j.path(action[1]).asText());
            }
        }
        countsBlock(out, j);
        timeline(out, j);
    }

    /** The job's events (GET /jobs/{jobId} only), oldest first: time, what, who or why. */
    static void timeline(PrintStream out, JsonNode j) {
        if (!j.path("events").isArray() || j.path("events").isEmpty()) {
            return;
        }
        out.println("timeline");
        for (JsonNode e : j.path("events")) {
            out.println("  " + e.path("at").asText() + "  " + e.path("kind").asText()
                    + (e.path("actor").isTextual() ? "  by " + e.path("actor").asText() : "")
                    + (e.path("detail").isTextual() ? "  " + e.path("detail").asText() : ""));
        }
    }

    /** The view's devices by state, then its progress. */
    public static void countsBlock(PrintStream out, JsonNode view) {
        JsonNode counts = view.path("counts");
        out.println("devices by state:");
        List<List<String>> rows = new ArrayList<>();
        counts.fieldNames()
                .forEachRemaining(
                        name -> rows.add(List.of("  " + name, counts.path(name).asText())));
        table(out, List.of("  STATE", "DEVICES"), rows);
        out.println(progress(view));
    }

    public static final List<String> JOB_HEADERS =
            List.of("JOB", "PRODUCT", "TARGET", "STATE", "TARGETS", "SUCCEEDED", "FAILED", "CREATED");

    public static List<String> jobRow(JsonNode j) {
        JsonNode c = j.path("counts");
        return List.of(
                s(j, "jobId"),
                s(j, "productId"),
                s(j, "targetVersion"),
                s(j, "state"),
                s(j, "targetCount"),
                String.valueOf(c.path("SUCCEEDED").asLong()),
                String.valueOf(c.path("FAILED").asLong() + c.path("TIMED_OUT").asLong()),
                s(j, "createdAt"));
    }

    public static final List<String> EXECUTION_HEADERS =
            List.of("DEVICE", "STATUS", "PERCENT", "RESULT", "MESSAGE", "FROM", "TARGET", "ATTEMPT", "UPDATED");

    public static List<String> executionRow(JsonNode e) {
        return List.of(
                s(e, "deviceName"),
                s(e, "status"),
                s(e, "percent"),
                s(e, "resultCode"),
                s(e, "resultMsg"),
                s(e, "fromVersion"),
                s(e, "targetVersion"),
                s(e, "attempt"),
                s(e, "updatedAt"));
    }

    public static void execution(PrintStream out, JsonNode e) {
        keyValues(
                out,
                "job",
                s(e, "jobId"),
                "device",
                s(e, "deviceName"),
                "status",
                s(e, "status"),
                "percent",
                s(e, "percent"),
                "result code",
                s(e, "resultCode"),
                "result message",
                s(e, "resultMsg"),
                "from version",
                s(e, "fromVersion"),
                "target version",
                s(e, "targetVersion"),
                "attempt",
                s(e, "attempt"),
                "updated",
                s(e, "updatedAt"));
    }
}
