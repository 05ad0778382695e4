package dev.ota.port.out;

import dev.ota.domain.job.WorkMessage;
import java.util.List;

/** The scheduler's work queue (SQS): bounded pieces of job work, each handled by one invocation. */
public interface WorkQueue {
    void send(List<WorkMessage> messages);
}
