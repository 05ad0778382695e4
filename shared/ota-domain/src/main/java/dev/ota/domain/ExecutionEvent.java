package dev.ota.domain;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * One thing that happened to an execution, at the broker's receive time (device reports) or the
 * scheduler's or operator's clock (timeouts, retries, cancels). An execution keeps the distinct
 * events of its current run in its history and its status is their replay in time order
 * ({@link ExecutionStateMachine}), so the result depends on the set of events, never on the order
 * or number of their deliveries.
 *
 * <p>Events in the same millisecond are replayed in the order of {@link Kind} (then fails by code,
 * -1 first: the -3 then -5 of one HTTP 403 keep their order, so the -3 decides the attempt).
 *
 * @param code the fail's result code, or for {@link Kind#BASE} the attempt
 * @param msg the fail's or cancel's message; for {@link Kind#BASE} the encoded snapshot
 */
public record ExecutionEvent(Kind kind, Instant at, int code, String msg) implements Comparable<ExecutionEvent> {

    /** In the order events of the same millisecond replay. */
    public enum Kind {
        /** The execution as it was when its history began (release, an operator's retry, or an older item). */
        BASE('S'),
        /**
         * A downloading report with progress; only the first of those between two other events is
         * kept (enough to tell whether a delivery made progress before it failed).
         */
        DOWNLOAD('P'),
        /** The scheduler sent update_firmware again because the delivery went quiet (Execution.QUIET_AFTER). */
        RESEND('Q'),
        BURNING('B'),
        FAIL('F'),
        /** The scheduler found the attempt past its in-progress timeout. */
        TIMEOUT('T'),
        /** A version report naming another version than the target. */
        VERSION('V'),
        /** The scheduler started a pending retry. */
        START('R'),
        /** A version report naming the target. */
        TARGET('G'),
        DONE('D'),
        CANCEL('C');

        private final char letter;

        Kind(char letter) {
            this.letter = letter;
        }

        static Kind of(char letter) {
            for (Kind k : values()) {
                if (k.letter == letter) {
                    return k;
                }
            }
            throw new IllegalArgumentException("unknown execution event '" + letter + "'");
        }
    }

    private static final Comparator<ExecutionEvent> ORDER = Comparator.comparing(
                    (ExecutionEvent e) -> e.kind() == Kind.BASE ? 0 : 1)
            .thenComparing(ExecutionEvent::at)
            .thenComparing(ExecutionEvent::kind)
            .thenComparing(e -> -e.code())
            .thenComparing(ExecutionEvent::msg);

    public ExecutionEvent {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(at, "at");
        msg = msg == null ? "" : msg;
    }

    public static ExecutionEvent of(Kind kind, Instant at) {
        return new ExecutionEvent(kind, at, 0, "");
    }

    @Override
    public int compareTo(ExecutionEvent other) {
        return ORDER.compare(this, other);
    }

    /** One line: kind letter, epoch millis, code, message (backslash and newline escaped). */
    public String encode() {
        return kind.letter + "|" + at.toEpochMilli() + "|" + code + "|"
                + msg.replace("\\", "\\\\").replace("\n", "\\n");
    }

    public static ExecutionEvent decode(String line) {
        String[] parts = line.split("\\|", 4);
        if (parts.length != 4 || parts[0].length() != 1) {
            throw new IllegalArgumentException("not an execution event: " + line);
        }
        return new ExecutionEvent(
                Kind.of(parts[0].charAt(0)),
                Instant.ofEpochMilli(Long.parseLong(parts[1])),
                Integer.parseInt(parts[2]),
                unescape(parts[3]));
    }

    public static String encodeAll(List<ExecutionEvent> events) {
        StringBuilder sb = new StringBuilder();
        for (ExecutionEvent e : events) {
            sb.append(sb.length() == 0 ? "" : "\n").append(e.encode());
        }
        return sb.toString();
    }

    public static List<ExecutionEvent> decodeAll(String text) {
        List<ExecutionEvent> out = new ArrayList<>();
        if (text == null || text.isEmpty()) {
            return out;
        }
        for (String line : text.split("\n")) {
            out.add(decode(line));
        }
        return out;
    }

    private static String unescape(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length()) {
                char n = s.charAt(++i);
                out.append(n == 'n' ? '\n' : n);
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
