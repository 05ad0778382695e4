package dev.ota.domain.rollout;

/**
 * One rollout group (hawkBit's deployment group, Alibaba's canary batch). It is sized by a device
 * count or a percentage of the job's targets; the last group takes whatever remains, and devices
 * that qualify later (dynamic jobs) join it.
 *
 * @param successThresholdPercent the next group starts once this share of the group's devices succeeded
 * @param failureThresholdPercent the job pauses or aborts once this share of the group's finished
 *     devices failed (0 = never)
 * @param minDevicesForFailure the failure threshold is judged only once this many devices finished
 */
public record Stage(
        Integer deviceCount,
        Integer percent,
        int successThresholdPercent,
        int failureThresholdPercent,
        int minDevicesForFailure,
        FailureAction onFailure) {

    public enum FailureAction {
        PAUSE,
        ABORT
    }

    public Stage {
        if (deviceCount != null && percent != null) {
            throw new IllegalArgumentException("a stage is sized by deviceCount or percent, not both");
        }
        if (deviceCount != null && deviceCount < 1) {
            throw new IllegalArgumentException("stage deviceCount must be at least 1");
        }
        if (percent != null && (percent < 1 || percent > 100)) {
            throw new IllegalArgumentException("stage percent must be 1..100");
        }
        if (successThresholdPercent < 0 || successThresholdPercent > 100) {
            throw new IllegalArgumentException("successThresholdPercent must be 0..100");
        }
        if (failureThresholdPercent < 0 || failureThresholdPercent > 100) {
            throw new IllegalArgumentException("failureThresholdPercent must be 0..100");
        }
        if (minDevicesForFailure < 0) {
            throw new IllegalArgumentException("minDevicesForFailure must not be negative");
        }
        onFailure = onFailure == null ? FailureAction.PAUSE : onFailure;
    }

    public StageSuccessCondition successCondition() {
        return new ThresholdSuccessCondition(successThresholdPercent);
    }

    public StageErrorCondition errorCondition() {
        return failureThresholdPercent == 0
                ? StageErrorCondition.NEVER
                : new ThresholdErrorCondition(failureThresholdPercent, minDevicesForFailure);
    }
}
