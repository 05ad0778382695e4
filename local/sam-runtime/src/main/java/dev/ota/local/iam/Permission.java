package dev.ota.local.iam;

import java.util.List;
import java.util.Map;

/**
 * One permission IAM checks: an action on a resource ARN, with the request's own condition keys
 * (e.g. {@code s3:prefix} of a listing). The principal's keys are added by {@link LocalIam}.
 */
public record Permission(String action, String resource, Map<String, List<String>> context) {

    public Permission {
        context = Map.copyOf(context);
    }

    public Permission(String action, String resource) {
        this(action, resource, Map.of());
    }
}
