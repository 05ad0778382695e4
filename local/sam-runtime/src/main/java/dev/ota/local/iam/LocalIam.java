package dev.ota.local.iam;

import dev.ota.local.iam.PolicyEvaluator.Decision;
import dev.ota.local.iam.PolicyEvaluator.Outcome;
import dev.ota.local.standin.BucketHostEndpoint;
import dev.ota.local.standin.EmbeddedS3;
import dev.ota.local.template.LocalDeployment;
import dev.ota.local.template.SamTemplate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/**
 * IAM for the local stack, read from template.yaml: each function runs as its own execution role
 * ({@code Role: !GetAtt XRole.Arn}), and every permission the stack checks is decided by that
 * role's inline policies with {@link PolicyEvaluator}, within the local deployment's account.
 *
 * <p>Checks come from three places: every SDK call a function makes ({@link RoleEnforcer}, one per
 * function's clients), every download a presigned URL asks of the bucket's endpoint
 * ({@link #downloadAuthorizer()}: the URL's session token names the role that signed it), and what
 * AWS checks when the stack is deployed (a function's log group, its SQS event sources, its
 * on-failure destination: {@link #deploymentProblems}).
 *
 * <p>A role with something the local evaluator cannot read (managed policies, a permissions
 * boundary, policy variables, an unsupported condition operator or a condition key the local stack
 * does not supply) stops the stack when it starts, naming it.
 */
public final class LocalIam {

    /** The stand-ins' key pair; a function's credentials add a session token naming its role. */
    private static final String ACCESS_KEY = EmbeddedS3.ACCESS_KEY;

    private static final String SECRET_KEY = EmbeddedS3.SECRET_KEY;
    private static final String TOKEN_PREFIX = "ota-local-role:";

    /** The condition keys the local stack supplies; a policy conditioned on another is refused at start. */
    static final Set<String> SUPPLIED_KEYS = Set.of(
            "aws:securetransport", "aws:requestedregion", "aws:principalarn", "aws:principalaccount", "s3:prefix");

    /**
     * A function's execution role.
     *
     * @param principalArn the assumed-role ARN its calls are made as: {@code arn:aws:sts::{account}:assumed-role/{role}/{function}}
     */
    public record Role(
            String functionLogicalId,
            String logicalId,
            String name,
            String arn,
            String principalArn,
            List<Policy> policies) {
        public Role {
            policies = List.copyOf(policies);
        }
    }

    /** A permission refused, as it was reported. */
    public record Denial(String role, String function, String action, String resource, String message) {}

    /**
     * Counts since start (or {@link #reset}).
     *
     * @param calls        SDK calls checked (a transaction or batch is one call)
     * @param permissions  permissions evaluated for them (a transaction of three items is three)
     * @param denied       SDK calls refused
     * @param downloads    presigned downloads checked at the bucket's endpoint
     * @param downloadsRefused of those, refused
     */
    public record Stats(long calls, long permissions, long denied, long downloads, long downloadsRefused) {}

    private final LocalDeployment deployment;
    private final Map<String, Role> byFunction = new LinkedHashMap<>();
    private final Map<String, Role> byToken = new ConcurrentHashMap<>();
    private final SdkCallPermissions permissions;
    private final LongAdder calls = new LongAdder();
    private final LongAdder evaluated = new LongAdder();
    private final LongAdder denied = new LongAdder();
    private final LongAdder downloads = new LongAdder();
    private final LongAdder downloadsRefused = new LongAdder();
    private final List<Denial> denials = new CopyOnWriteArrayList<>();
    /** role logical id -> "Sid action" -> permissions it allowed. */
    private final Map<String, Map<String, LongAdder>> grantsUsed = new ConcurrentHashMap<>();

    private LocalIam(LocalDeployment deployment) {
        this.deployment = deployment;
        this.permissions = new SdkCallPermissions(deployment);
    }

    /** Reads the execution role of each function of the template; refuses what it cannot evaluate. */
    public static LocalIam from(SamTemplate template) {
        LocalIam iam = new LocalIam(template.deployment());
        for (SamTemplate.FunctionSpec function : template.functions()) {
            SamTemplate.RoleSpec spec = template.role(function.logicalId());
            if (!spec.unsupported().isEmpty()) {
                throw new Policy.UnsupportedPolicyException(spec.logicalId() + " (role of " + function.logicalId()
                        + "): the local stack " + "evaluates only a role's inline Policies, not " + spec.unsupported());
            }
            List<Policy> policies = new ArrayList<>();
            spec.policies()
                    .forEach((name, document) -> policies.add(Policy.parse(spec.logicalId() + "/" + name, document)));
            for (Policy policy : policies) {
                for (Policy.Statement s : policy.statements()) {
                    for (Policy.Condition c : s.conditions()) {
                        if (!SUPPLIED_KEYS.contains(c.key())) {
                            throw new Policy.UnsupportedPolicyException(policy.name() + " statement "
                                    + (s.sid() == null ? "" : s.sid()) + ": condition key " + c.key()
                                    + " is not supplied locally (supplied: " + SUPPLIED_KEYS + ")");
                        }
                    }
                }
            }
            String principal = "arn:" + iam.deployment.partition() + ":sts::" + iam.deployment.accountId()
                    + ":assumed-role/" + spec.name() + "/" + template.physicalName(function.logicalId());
            Role role = new Role(function.logicalId(), spec.logicalId(), spec.name(), spec.arn(), principal, policies);
            iam.byFunction.put(function.logicalId(), role);
            iam.byToken.put(token(role), role);
        }
        return iam;
    }

    public LocalDeployment deployment() {
        return deployment;
    }

    public SdkCallPermissions permissions() {
        return permissions;
    }

    public Role role(String functionLogicalId) {
        Role role = byFunction.get(functionLogicalId);
        if (role == null) {
            throw new IllegalArgumentException(
                    "no function " + functionLogicalId + " in template.yaml; have " + byFunction.keySet());
        }
        return role;
    }

    public Collection<Role> roles() {
        return List.copyOf(byFunction.values());
    }

    /**
     * The function's credentials: the stand-ins' key pair with a session token that names its role,
     * as Lambda hands a function its role's session credentials. Requests and presigned URLs carry
     * the token ({@code X-Amz-Security-Token}); the stand-ins accept it, and the bucket's endpoint
     * tells the signer's role from it.
     */
    public StaticCredentialsProvider credentials(Role role) {
        return StaticCredentialsProvider.create(AwsSessionCredentials.create(ACCESS_KEY, SECRET_KEY, token(role)));
    }

    private static String token(Role role) {
        return TOKEN_PREFIX + role.logicalId() + ":" + role.functionLogicalId();
    }

    /** The role a session token names, or null. */
    public Role roleOfSessionToken(String token) {
        return token == null ? null : byToken.get(token);
    }

    /** An interceptor that checks every call of these clients against the role (add it after any call counter). */
    public RoleEnforcer enforcer(Role role) {
        return new RoleEnforcer(this, role);
    }

    /** Evaluates one permission for the role and counts it; a denial is recorded with its message. */
    Decision check(Role role, Permission permission) {
        evaluated.increment();
        Decision decision = evaluate(role, permission);
        if (decision.allowed()) {
            grantsUsed
                    .computeIfAbsent(role.logicalId(), k -> new ConcurrentHashMap<>())
                    .computeIfAbsent(
                            decision.statement() + " " + permission.action() + " " + shape(permission.resource()),
                            k -> new LongAdder())
                    .increment();
        }
        return decision;
    }

    /**
     * A resource as the report of grants used shows it: tables and indexes as they are, an object by
     * its key's first segment ({@code firmware/*}, {@code download-*}), a topic by its first two levels.
     */
    static String shape(String resource) {
        int s3 = resource.indexOf(":s3:::");
        if (s3 >= 0) {
            int slash = resource.indexOf('/', s3);
            if (slash < 0) {
                return resource;
            }
            String key = resource.substring(slash + 1);
            int cut = key.indexOf('/') >= 0 ? key.indexOf('/') : key.indexOf('-');
            return resource.substring(0, slash + 1) + (cut < 0 ? key : key.substring(0, cut + 1) + "*");
        }
        int topic = resource.indexOf(":topic/");
        if (topic >= 0) {
            String[] levels = resource.substring(topic + ":topic/".length()).split("/");
            return resource.substring(0, topic + ":topic/".length())
                    + (levels.length > 2 ? levels[0] + "/" + levels[1] + "/*" : String.join("/", levels));
        }
        return resource;
    }

    /** The role's decision on one permission, uncounted. */
    public Decision evaluate(Role role, Permission permission) {
        Map<String, List<String>> context = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        // The functions' SDK calls and the bucket's endpoint are HTTPS on AWS (plain HTTP on loopback here).
        context.put("aws:SecureTransport", List.of("true"));
        context.put("aws:RequestedRegion", List.of(deployment.region()));
        context.put("aws:PrincipalArn", List.of(role.arn()));
        context.put("aws:PrincipalAccount", List.of(deployment.accountId()));
        context.putAll(permission.context());
        return PolicyEvaluator.evaluate(
                role.policies(), new PolicyEvaluator.Request(permission.action(), permission.resource(), context));
    }

    void countCall() {
        calls.increment();
    }

    void countDenied() {
        denied.increment();
    }

    void recordDenial(Role role, Permission permission, String message) {
        if (denials.size() < 1000) {
            denials.add(new Denial(
                    role.logicalId(), role.functionLogicalId(), permission.action(), permission.resource(), message));
        }
    }

    /** AWS's wording of a refusal, with where the policy comes from. */
    String message(Role role, Permission permission, Decision decision) {
        String why = decision.outcome() == Outcome.EXPLICIT_DENY
                ? "with an explicit deny in an identity-based policy (" + decision.policy() + " statement "
                        + decision.statement() + ")"
                : "because no identity-based policy allows the " + permission.action() + " action";
        return "User: " + role.principalArn() + " is not authorized to perform: " + permission.action()
                + " on resource: "
                + permission.resource() + " " + why + " [local IAM: role " + role.logicalId() + " of "
                + role.functionLogicalId()
                + " in template.yaml]";
    }

    /**
     * What AWS would refuse when deploying or running the functions outside their own code: Lambda
     * writes a function's logs with its role, polls its SQS event sources with it, and sends its
     * failed asynchronous events to its on-failure queue with it. Returns the refusals, empty when
     * every function may.
     *
     * @param queueArn a queue's ARN by logical id
     */
    public List<String> deploymentProblems(SamTemplate template, Function<String, String> queueArn) {
        List<String> problems = new ArrayList<>();
        for (SamTemplate.FunctionSpec f : template.functions()) {
            Role role = role(f.logicalId());
            String stream = "arn:" + deployment.partition() + ":logs:" + deployment.region() + ":"
                    + deployment.accountId() + ":log-group:" + f.logGroup() + ":log-stream:local";
            deploymentCheck(role, new Permission("logs:CreateLogStream", stream), "its log group", problems);
            deploymentCheck(role, new Permission("logs:PutLogEvents", stream), "its log group", problems);
            for (SamTemplate.SqsSource source : f.sqsSources()) {
                String arn = queueArn.apply(source.queue());
                // What Lambda's event source mapping needs (the managed AWSLambdaSQSQueueExecutionRole grants exactly
                // these).
                for (String action : List.of("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes")) {
                    deploymentCheck(
                            role, new Permission(action, arn), "its SQS event source " + source.name(), problems);
                }
            }
            if (f.onFailureQueue() != null) {
                deploymentCheck(
                        role,
                        new Permission("sqs:SendMessage", queueArn.apply(f.onFailureQueue())),
                        "its on-failure destination",
                        problems);
            }
        }
        return problems;
    }

    private void deploymentCheck(Role role, Permission permission, String what, List<String> problems) {
        Decision decision = evaluate(role, permission);
        if (!decision.allowed()) {
            problems.add(role.functionLogicalId() + " (" + what + "): " + message(role, permission, decision));
        }
    }

    /**
     * The bucket endpoint's check of a presigned download: the URL's session token names the role
     * that signed it, and that role must be allowed {@code s3:GetObject} on the key, as S3 checks
     * the signer's permissions when a URL is used. For a missing key S3 answers 404 only to a signer
     * that may also {@code s3:ListBucket} (with {@code s3:prefix} = the key), 403 otherwise. A URL
     * signed with the stand-ins' own key pair and no token (an operator's, a test's) is not a
     * function's and is served.
     */
    public BucketHostEndpoint.Authorizer downloadAuthorizer() {
        return request -> {
            String token = request.query().get("X-Amz-Security-Token");
            if (token == null) {
                return null;
            }
            downloads.increment();
            Role role = roleOfSessionToken(token);
            if (role == null) {
                downloadsRefused.increment();
                return "The provided token is not a session token of any local role: " + token;
            }
            String versionId = request.query().get("versionId");
            List<Permission> needed = new ArrayList<>();
            needed.add(new Permission(
                    versionId == null ? "s3:GetObject" : "s3:GetObjectVersion",
                    permissions.objectArn(request.bucket(), request.key())));
            if (!request.objectExists()) {
                needed.add(new Permission(
                        "s3:ListBucket",
                        permissions.bucketArn(request.bucket()),
                        Map.of("s3:prefix", List.of(request.key()))));
            }
            for (Permission p : needed) {
                Decision decision = check(role, p);
                if (!decision.allowed()) {
                    String message = message(role, p, decision);
                    downloadsRefused.increment();
                    recordDenial(role, p, message);
                    return message;
                }
            }
            return null;
        };
    }

    public Stats stats() {
        return new Stats(calls.sum(), evaluated.sum(), denied.sum(), downloads.sum(), downloadsRefused.sum());
    }

    public List<Denial> denials() {
        return List.copyOf(denials);
    }

    /**
     * For each role, what its statements allowed ("Sid action resource", resources shaped by
     * {@link #shape}), with how often: what the code really uses.
     */
    public Map<String, Map<String, Long>> grantsUsed() {
        Map<String, Map<String, Long>> out = new TreeMap<>();
        grantsUsed.forEach((role, used) -> {
            Map<String, Long> counts = new TreeMap<>();
            used.forEach((k, v) -> counts.put(k, v.sum()));
            out.put(role, counts);
        });
        return out;
    }
}
