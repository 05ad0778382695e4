package dev.ota.domain.job;

/**
 * Who drove a job: the IAM caller (user or role ARN, as API Gateway's IAM authorizer names it) of
 * the API request that created it and of the latest pause, resume and cancel. Null where nobody
 * did, or the request came without an IAM caller (jobs made before this was kept, tests).
 */
public record JobActors(String createdBy, String pausedBy, String resumedBy, String canceledBy) {

    public static final JobActors NONE = new JobActors(null, null, null, null);

    public static JobActors createdBy(String actor) {
        return new JobActors(actor, null, null, null);
    }
}
