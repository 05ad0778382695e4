package dev.ota.domain.rollout;

import java.util.ArrayList;
import java.util.List;

/**
 * A job's rollout groups with their sizes fixed once the targets are known. Percentages are of the
 * targets and round up, so a 1% canary of 50 devices is one device, never none. The last group
 * takes the rest (and any device that qualifies later); a job without stages is one unbounded group.
 */
public record StagePlan(List<Stage> stages, List<Long> sizes) {

    public static final int MAX_STAGES = 20;

    public StagePlan {
        stages = List.copyOf(stages);
        sizes = List.copyOf(sizes);
        if (stages.size() != sizes.size()) {
            throw new IllegalArgumentException("one size per stage");
        }
    }

    public static StagePlan of(List<Stage> stages, long targetCount) {
        if (stages == null || stages.isEmpty()) {
            return new StagePlan(List.of(), List.of());
        }
        if (stages.size() > MAX_STAGES) {
            throw new IllegalArgumentException("at most " + MAX_STAGES + " stages");
        }
        List<Long> sizes = new ArrayList<>();
        long remaining = Math.max(0, targetCount);
        for (int i = 0; i < stages.size(); i++) {
            Stage stage = stages.get(i);
            long size;
            if (i == stages.size() - 1) {
                size = remaining;
            } else if (stage.deviceCount() != null) {
                size = Math.min(stage.deviceCount(), remaining);
            } else if (stage.percent() != null) {
                size = Math.min((targetCount * stage.percent() + 99) / 100, remaining);
            } else {
                throw new IllegalArgumentException(
                        "stage " + (i + 1) + " of " + stages.size() + " needs deviceCount or percent");
            }
            sizes.add(size);
            remaining -= size;
        }
        return new StagePlan(stages, sizes);
    }

    public int count() {
        return Math.max(1, stages.size());
    }

    public boolean isLast(int stage) {
        return stage >= count() - 1;
    }

    /** How many devices group {@code stage} releases in all; the last group is unbounded. */
    public long size(int stage) {
        return isLast(stage) ? Long.MAX_VALUE : sizes.get(stage);
    }

    public Stage stage(int index) {
        return stages.isEmpty() ? null : stages.get(Math.min(index, stages.size() - 1));
    }
}
