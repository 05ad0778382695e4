package dev.ota.function.support;

import dev.ota.aws.presign.PresignConfig;
import java.net.URI;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.EnvironmentVariableCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.utils.SdkAutoCloseable;

/**
 * How every AWS client of a function is built: one region, one credentials provider, the
 * url-connection HTTP client, and where each service answers. On Lambda it comes from the
 * environment ({@link #fromEnvironment}); the local stack builds one pointed at its stand-ins.
 * A function's wiring asks it for the clients it needs, once per container.
 *
 * <p>Region and credentials are named explicitly, so the SDK skips its provider-chain probing at
 * cold start. The IoT Data Plane endpoint is the account's iot:Data-ATS endpoint, passed in as a
 * template parameter: calling DescribeEndpoint at every cold start gets throttled.
 */
public final class AwsClients implements AutoCloseable {

    /** The services this backend calls. */
    public enum Service {
        DYNAMODB,
        S3,
        SQS,
        IOT_DATA,
        EVENTBRIDGE,
        SECRETS_MANAGER,
        /** The AWS IoT control plane (registry, fleet index): only the job worker's thing-group and fleet-query targets. */
        IOT
    }

    private final Region region;
    private final AwsCredentialsProvider credentials;
    private final Map<Service, URI> endpoints;
    private final Function<Service, SdkHttpClient.Builder<?>> httpClients;
    private final ClientOverrideConfiguration overrides;
    private final boolean s3PathStyle;
    private final UnaryOperator<URI> downloadUrlsServedAs;
    private final Consumer<String> metricsOutput;
    private final List<SdkAutoCloseable> built = new ArrayList<>();

    private AwsClients(Builder b) {
        this.region = Objects.requireNonNull(b.region, "region");
        this.credentials = Objects.requireNonNull(b.credentials, "credentials");
        this.endpoints = new EnumMap<>(b.endpoints);
        this.httpClients = b.httpClients;
        this.overrides = b.overrides;
        this.s3PathStyle = b.s3PathStyle;
        this.downloadUrlsServedAs = b.downloadUrlsServedAs;
        this.metricsOutput = b.metricsOutput;
    }

    /**
     * Where CloudWatch Embedded Metric Format documents go: the function's stdout, which Lambda
     * sends to CloudWatch Logs, where the metrics are extracted; the local stack's metrics store there.
     */
    public Consumer<String> metricsOutput() {
        return metricsOutput;
    }

    /** Lambda's: region from {@code AWS_REGION}, the role's credentials, the IoT endpoint from {@code IOT_DATA_ENDPOINT}. */
    public static AwsClients fromEnvironment(Environment env) {
        Builder b = builder(Region.of(env.required("AWS_REGION")), EnvironmentVariableCredentialsProvider.create());
        String iot = env.optional("IOT_DATA_ENDPOINT");
        if (iot != null) {
            b.endpoint(Service.IOT_DATA, URI.create(iot.contains("://") ? iot : "https://" + iot));
        }
        return b.build();
    }

    public static Builder builder(Region region, AwsCredentialsProvider credentials) {
        return new Builder(region, credentials);
    }

    /**
     * A client of {@code service}, e.g. {@code aws.build(Service.DYNAMODB, DynamoDbClient.builder())}.
     * S3 clients also need {@link #s3PathStyle()} on their builder.
     */
    public <B extends AwsClientBuilder<B, C> & AwsSyncClientBuilder<B, C>, C extends SdkAutoCloseable> C build(
            Service service, B builder) {
        URI endpoint = endpoints.get(service);
        if (endpoint == null && service == Service.IOT_DATA) {
            throw new IllegalStateException("IOT_DATA_ENDPOINT is not set");
        }
        builder.region(region).credentialsProvider(credentials).httpClientBuilder(httpClients.apply(service));
        if (endpoint != null) {
            builder.endpointOverride(endpoint);
        }
        if (overrides != null) {
            builder.overrideConfiguration(overrides);
        }
        C client = builder.build();
        synchronized (built) {
            built.add(client);
        }
        return client;
    }

    /** How download URLs are presigned: the bucket's region and endpoint, as this function's role. */
    public PresignConfig presignConfig() {
        return new PresignConfig(region, credentials, endpoints.get(Service.S3), s3PathStyle, downloadUrlsServedAs);
    }

    public Region region() {
        return region;
    }

    public AwsCredentialsProvider credentials() {
        return credentials;
    }

    /** The S3 endpoint, or null for AWS's own. */
    public URI endpoint(Service service) {
        return endpoints.get(service);
    }

    /** Path-style S3 addressing: a local stand-in has no per-bucket host names. */
    public boolean s3PathStyle() {
        return s3PathStyle;
    }

    /** Closes every client built here (the local stack; Lambda never closes a container's clients). */
    @Override
    public void close() {
        synchronized (built) {
            built.forEach(SdkAutoCloseable::close);
            built.clear();
        }
    }

    public static final class Builder {
        private final Region region;
        private final AwsCredentialsProvider credentials;
        private final Map<Service, URI> endpoints = new EnumMap<>(Service.class);
        private Function<Service, SdkHttpClient.Builder<?>> httpClients = service -> UrlConnectionHttpClient.builder();
        private ClientOverrideConfiguration overrides;
        private boolean s3PathStyle;
        private UnaryOperator<URI> downloadUrlsServedAs;
        private Consumer<String> metricsOutput = System.out::println;

        private Builder(Region region, AwsCredentialsProvider credentials) {
            this.region = region;
            this.credentials = credentials;
        }

        public Builder endpoint(Service service, URI endpoint) {
            endpoints.put(service, endpoint);
            return this;
        }

        /** The HTTP client of each service (url-connection unless a stand-in needs another). */
        public Builder httpClients(Function<Service, SdkHttpClient.Builder<?>> httpClients) {
            this.httpClients = httpClients;
            return this;
        }

        /** Interceptors or retries for every client, e.g. the local stack's call counter. */
        public Builder overrides(ClientOverrideConfiguration overrides) {
            this.overrides = overrides;
            return this;
        }

        public Builder s3PathStyle(boolean pathStyle) {
            this.s3PathStyle = pathStyle;
            return this;
        }

        /** Where devices fetch a presigned download URL, if not where it was signed (the local bucket endpoint). */
        public Builder downloadUrlsServedAs(UnaryOperator<URI> servedAs) {
            this.downloadUrlsServedAs = servedAs;
            return this;
        }

        /** Where the functions' EMF documents go instead of stdout (the local stack's metrics). */
        public Builder metricsOutput(Consumer<String> output) {
            this.metricsOutput = output;
            return this;
        }

        public AwsClients build() {
            return new AwsClients(this);
        }
    }
}
