package dev.ota.domain.job;

import dev.ota.domain.rollout.ReleaseBudget;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * A conditional change to a job item: what to set and add, applied only if the conditions still
 * hold. Lost races show as a false return from the repository, never as an overwrite.
 */
public final class JobPatch {

    // ---- conditions ----
    Set<JobStatus> ifStateIn;
    boolean checkPlanAt;
    Instant ifPlanAt;
    boolean checkCursor;
    String ifCursor;
    Integer ifCurrentStage;
    JobDefinition ifDefinition;

    // ---- changes ----
    JobDefinition definition;
    JobStatus state;
    String stateReason;
    Integer currentStage;
    List<Long> stageSizes;
    Boolean expanded;
    boolean setCursor;
    String cursor;
    Long seqNext;
    Instant expansionHeartbeat;
    ReleaseBudget budget;
    Instant planAt;
    Integer resumedStage;
    Boolean pausedByRule;
    /** Who paused, resumed or canceled: set only by an operator's action (null: unchanged). */
    String pausedBy;

    String resumedBy;
    String canceledBy;
    Boolean windowEnded;
    Boolean swept;
    /** false: the job leaves the scheduler's index of live jobs; true: it joins it again (a deletion to finish). */
    Boolean live;
    /** false: the job stops taking devices that qualify later. */
    Boolean dynamicActive;

    JobEvent event;
    List<String> dropEvents = List.of();
    /** The job read had no timeline (an item older than timelines): the write starts one. */
    boolean startsEvents;

    long addTargets;
    long addQueued;
    long addInvalid;
    long addDuplicates;

    public static JobPatch patch() {
        return new JobPatch();
    }

    public JobPatch ifStateIn(JobStatus first, JobStatus... rest) {
        this.ifStateIn = EnumSet.of(first, rest);
        return this;
    }

    public JobPatch ifStateIn(Set<JobStatus> states) {
        this.ifStateIn = EnumSet.copyOf(states);
        return this;
    }

    public JobPatch ifPlanAt(Instant expected) {
        this.checkPlanAt = true;
        this.ifPlanAt = expected;
        return this;
    }

    public JobPatch ifCursor(String expected) {
        this.checkCursor = true;
        this.ifCursor = expected;
        return this;
    }

    public JobPatch ifCurrentStage(int expected) {
        this.ifCurrentStage = expected;
        return this;
    }

    /** Only if the stored definition is still {@code expected} (an operator's update read it). */
    public JobPatch ifDefinition(JobDefinition expected) {
        this.ifDefinition = expected;
        return this;
    }

    /** A new definition (an operator's update of a live job: rate, thresholds, timeout, retries, description). */
    public JobPatch definition(JobDefinition next) {
        this.definition = next;
        return this;
    }

    public JobPatch state(JobStatus next, String reason) {
        this.state = next;
        this.stateReason = reason;
        return this;
    }

    public JobPatch currentStage(int stage) {
        this.currentStage = stage;
        return this;
    }

    public JobPatch stageSizes(List<Long> sizes) {
        this.stageSizes = List.copyOf(sizes);
        return this;
    }

    public JobPatch expanded(boolean value) {
        this.expanded = value;
        return this;
    }

    public JobPatch cursor(String value) {
        this.setCursor = true;
        this.cursor = value;
        return this;
    }

    public JobPatch seqNext(long value) {
        this.seqNext = value;
        return this;
    }

    public JobPatch heartbeat(Instant at) {
        this.expansionHeartbeat = at;
        return this;
    }

    public JobPatch budget(ReleaseBudget value) {
        this.budget = value;
        return this;
    }

    public JobPatch planAt(Instant at) {
        this.planAt = at;
        return this;
    }

    public JobPatch resumedStage(int stage) {
        this.resumedStage = stage;
        return this;
    }

    public JobPatch pausedByRule(boolean value) {
        this.pausedByRule = value;
        return this;
    }

    public JobPatch pausedBy(String actor) {
        this.pausedBy = actor;
        return this;
    }

    public JobPatch resumedBy(String actor) {
        this.resumedBy = actor;
        return this;
    }

    public JobPatch canceledBy(String actor) {
        this.canceledBy = actor;
        return this;
    }

    public JobPatch windowEnded(boolean value) {
        this.windowEnded = value;
        return this;
    }

    public JobPatch swept(boolean value) {
        this.swept = value;
        return this;
    }

    public JobPatch live(boolean value) {
        this.live = value;
        return this;
    }

    public JobPatch dynamicActive(boolean value) {
        this.dynamicActive = value;
        return this;
    }

    /**
     * Appends {@code event} to the job's timeline in this write, and drops the oldest of the
     * events {@code read} (the job as the caller read it) beyond {@link JobEvent#MAX_EVENTS}. Two
     * writers that read the same job both append (ids differ); the list may then hold one more
     * per such writer until the next append trims it.
     */
    public JobPatch event(JobEvent event, JobRecord read) {
        this.event = event;
        this.dropEvents = JobEvent.dropped(read.events());
        this.startsEvents = read.events().isEmpty();
        return this;
    }

    public JobEvent newEvent() {
        return event;
    }

    public boolean startsEvents() {
        return startsEvents;
    }

    public List<String> droppedEvents() {
        return dropEvents;
    }

    public JobPatch addExpanded(long rows, long invalid, long duplicates) {
        this.addTargets += rows;
        this.addQueued += rows;
        this.addInvalid += invalid;
        this.addDuplicates += duplicates;
        return this;
    }

    // Accessors for adapters (same package would be nicer; adapters live in another module).
    public Set<JobStatus> conditionStates() {
        return ifStateIn;
    }

    public boolean conditionOnPlanAt() {
        return checkPlanAt;
    }

    public Instant conditionPlanAt() {
        return ifPlanAt;
    }

    public boolean conditionOnCursor() {
        return checkCursor;
    }

    public String conditionCursor() {
        return ifCursor;
    }

    public Integer conditionCurrentStage() {
        return ifCurrentStage;
    }

    public JobDefinition conditionDefinition() {
        return ifDefinition;
    }

    public JobDefinition newDefinition() {
        return definition;
    }

    public JobStatus newState() {
        return state;
    }

    public String newStateReason() {
        return stateReason;
    }

    public Integer newCurrentStage() {
        return currentStage;
    }

    public List<Long> newStageSizes() {
        return stageSizes;
    }

    public Boolean newExpanded() {
        return expanded;
    }

    public boolean setsCursor() {
        return setCursor;
    }

    public String newCursor() {
        return cursor;
    }

    public Long newSeqNext() {
        return seqNext;
    }

    public Instant newHeartbeat() {
        return expansionHeartbeat;
    }

    public ReleaseBudget newBudget() {
        return budget;
    }

    public Instant newPlanAt() {
        return planAt;
    }

    public Integer newResumedStage() {
        return resumedStage;
    }

    public Boolean newPausedByRule() {
        return pausedByRule;
    }

    public String newPausedBy() {
        return pausedBy;
    }

    public String newResumedBy() {
        return resumedBy;
    }

    public String newCanceledBy() {
        return canceledBy;
    }

    public Boolean newWindowEnded() {
        return windowEnded;
    }

    public Boolean newSwept() {
        return swept;
    }

    public Boolean newLive() {
        return live;
    }

    public Boolean newDynamicActive() {
        return dynamicActive;
    }

    public long addedTargets() {
        return addTargets;
    }

    public long addedQueued() {
        return addQueued;
    }

    public long addedInvalid() {
        return addInvalid;
    }

    public long addedDuplicates() {
        return addDuplicates;
    }
}
