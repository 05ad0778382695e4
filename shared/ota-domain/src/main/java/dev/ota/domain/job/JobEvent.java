package dev.ota.domain.job;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * One entry of a job's timeline, stored on the job item by the same conditional write as the
 * change it records, so an event is kept exactly when its change happened.
 *
 * @param id orders the events (the time in milliseconds, then a random suffix: two writers at the
 *     same millisecond do not collide)
 * @param actor the IAM caller of an operator's action, or null (the scheduler)
 * @param detail the stage, the threshold's reason, ... or null
 */
public record JobEvent(String id, Instant at, Kind kind, String actor, String detail) {

    /** Events a job keeps: each append drops the oldest beyond these (see {@link JobPatch#event}). */
    public static final int MAX_EVENTS = 100;

    public enum Kind {
        CREATED,
        STARTED,
        STAGE_RELEASED,
        PAUSED,
        RESUMED,
        CANCELED,
        ABORTED,
        COMPLETED
    }

    public static JobEvent of(Kind kind, Instant at, String actor, String detail) {
        String suffix = UUID.randomUUID().toString().replace("-", "").substring(0, 8);
        return new JobEvent(String.format("e%013d%s", at.toEpochMilli(), suffix), at, kind, actor, detail);
    }

    /** The ids an append to {@code events} (oldest first) drops, so that at most {@link #MAX_EVENTS} are left. */
    public static List<String> dropped(List<JobEvent> events) {
        int over = events.size() + 1 - MAX_EVENTS;
        return over <= 0
                ? List.of()
                : events.subList(0, over).stream().map(JobEvent::id).toList();
    }
}
