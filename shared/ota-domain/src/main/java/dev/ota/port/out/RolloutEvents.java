package dev.ota.port.out;

import dev.ota.domain.job.RolloutEvent;

/**
 * Where job and execution state changes are announced, for other systems to react to (the AWS IoT
 * Jobs {@code $aws/events/job/...} equivalent; on AWS, EventBridge; schema in docs/events.md). An
 * event is published after the change it announces was written; a failure to publish is the
 * adapter's to log, never the caller's to undo.
 */
public interface RolloutEvents {

    void publish(RolloutEvent event);

    RolloutEvents NONE = event -> {};
}
