package dev.ota.aws.presign;

import dev.ota.domain.DownloadKey;
import dev.ota.domain.FirmwareRef;
import dev.ota.port.out.DownloadUrlMinter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.regex.Pattern;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4FamilyHttpSigner;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.regions.PartitionMetadata;
import software.amazon.awssdk.regions.Region;

/**
 * Presigned GET URLs on the firmware bucket, signed by the SDK's own SigV4 signer
 * ({@link AwsV4HttpSigner}, query-string auth, {@code UNSIGNED-PAYLOAD}) with the signer properties
 * {@code S3Presigner} uses for GetObject, so the URL is the one S3Presigner makes for the same
 * inputs, byte for byte (SigV4DownloadUrlMinterTest), without the S3 client module's 13 MB.
 *
 * <p>Each (re)send mints a new URL, so a device that resumes after its URL expired gets a working
 * URL for the same bytes and can Range-resume.
 *
 * <p>AWS addressing follows S3Presigner's defaults: virtual-hosted
 * {@code https://{bucket}.s3.{region}.{dnsSuffix}/{key}}, {@code s3.amazonaws.com} in us-east-1 (the
 * SDK's legacy global endpoint), path-style on the same host for bucket names that cannot be a
 * host label (dots, upper case). Not covered, because this stack does not use them: FIPS and
 * dual-stack endpoints, {@code AWS_ENDPOINT_URL_S3}, the us-east-1 regional-endpoint setting,
 * access point ARNs and directory buckets (rejected).
 */
public final class SigV4DownloadUrlMinter implements DownloadUrlMinter {

    /** SigV4's limit for a presigned URL's lifetime. */
    public static final Duration MAX_EXPIRY = Duration.ofDays(7);

    // The S3 endpoint rules' aws.isVirtualHostableS3Bucket(bucket, false): one DNS label.
    private static final Pattern VIRTUAL_HOSTABLE = Pattern.compile("[a-z\\d][a-z\\d\\-]{1,61}[a-z\\d]");
    private static final Pattern IPV4 = Pattern.compile("(\\d+\\.){3}\\d+");
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private final AwsV4HttpSigner signer = AwsV4HttpSigner.create();
    private final PresignConfig config;
    private final String bucket;
    private final Duration expiry;
    private final Clock clock;
    private final String scheme;
    private final String host;
    private final int port;
    private final String pathPrefix;

    public SigV4DownloadUrlMinter(PresignConfig config, String bucket, Duration expiry) {
        this(config, bucket, expiry, Clock.systemUTC());
    }

    /** @param clock the signing time; tests fix it */
    public SigV4DownloadUrlMinter(PresignConfig config, String bucket, Duration expiry, Clock clock) {
        if (expiry.isNegative() || expiry.isZero() || expiry.compareTo(MAX_EXPIRY) > 0) {
            throw new IllegalArgumentException("URL expiry must be between 1 s and 7 days (SigV4's limit)");
        }
        if (bucket == null || bucket.isEmpty()) {
            throw new IllegalArgumentException("bucket is empty");
        }
        if (bucket.startsWith("arn:")
                || bucket.endsWith("--x-s3")
                || bucket.endsWith("--xa-s3")
                || bucket.endsWith("--op-s3")) {
            throw new IllegalArgumentException(
                    "bucket '" + bucket + "': ARNs, directory buckets and Outposts aliases are not supported");
        }
        if (config.region().isGlobalRegion()) {
            throw new IllegalArgumentException(
                    "region " + config.region() + " is a global pseudo-region; name the bucket's region");
        }
        this.config = config;
        this.bucket = bucket;
        this.expiry = expiry;
        this.clock = clock;

        URI endpoint = config.endpointOverride();
        String endpointHost;
        String basePath;
        if (endpoint == null) {
            scheme = "https";
            endpointHost = awsEndpointHost(config.region());
            port = -1;
            basePath = "";
        } else {
            if (endpoint.getHost() == null || endpoint.getRawQuery() != null || endpoint.getRawFragment() != null) {
                throw new IllegalArgumentException(
                        "endpoint override must be scheme://host[:port][/path]: " + endpoint);
            }
            scheme = endpoint.getScheme();
            endpointHost = endpoint.getHost();
            port = endpoint.getPort();
            String rawPath = endpoint.getRawPath() == null ? "" : endpoint.getRawPath();
            basePath = rawPath.endsWith("/") ? rawPath.substring(0, rawPath.length() - 1) : rawPath;
        }
        boolean virtualHosted = !config.pathStyle()
                && VIRTUAL_HOSTABLE.matcher(bucket).matches()
                && !IPV4.matcher(endpointHost).matches()
                && !endpointHost.startsWith("[");
        if (virtualHosted) {
            host = bucket + "." + endpointHost;
            pathPrefix = basePath + "/";
        } else {
            host = endpointHost;
            pathPrefix = basePath + "/" + encode(bucket, false) + "/";
        }
    }

    /** S3Presigner's default for a region: the legacy global endpoint in us-east-1, regional elsewhere. */
    private static String awsEndpointHost(Region region) {
        String dnsSuffix = PartitionMetadata.of(region).dnsSuffix();
        return Region.US_EAST_1.equals(region) ? "s3." + dnsSuffix : "s3." + region.id() + "." + dnsSuffix;
    }

    @Override
    public String mint(FirmwareRef firmware) {
        // Devices download the top-level copy registration made (see DownloadKey), never the upload key.
        return config.servedAs()
                .apply(presignGet(DownloadKey.of(firmware.s3Key(), firmware.md5sum())))
                .toString();
    }

    /** A GET URL for {@code key} in the bucket, valid for the expiry from now. */
    public URI presignGet(String key) {
        if (key == null || key.isEmpty()) {
            throw new IllegalArgumentException("object key is empty");
        }
        SdkHttpRequest.Builder request = SdkHttpRequest.builder()
                .method(SdkHttpMethod.GET)
                .protocol(scheme)
                .host(host)
                .encodedPath(pathPrefix + encode(key, true));
        if (port != -1) {
            request.port(port);
        }
        AwsCredentialsIdentity identity = resolveIdentity();
        SdkHttpRequest signed = signer.sign(r -> r.identity(identity)
                        .request(request.build())
                        .putProperty(AwsV4FamilyHttpSigner.SERVICE_SIGNING_NAME, "s3")
                        .putProperty(
                                AwsV4HttpSigner.REGION_NAME, config.region().id())
                        .putProperty(
                                AwsV4FamilyHttpSigner.AUTH_LOCATION, AwsV4FamilyHttpSigner.AuthLocation.QUERY_STRING)
                        .putProperty(AwsV4FamilyHttpSigner.EXPIRATION_DURATION, expiry)
                        // UNSIGNED-PAYLOAD; S3 paths are signed as sent: neither re-encoded nor normalized.
                        .putProperty(AwsV4FamilyHttpSigner.PAYLOAD_SIGNING_ENABLED, false)
                        .putProperty(AwsV4FamilyHttpSigner.DOUBLE_URL_ENCODE, false)
                        .putProperty(AwsV4FamilyHttpSigner.NORMALIZE_PATH, false)
                        .putProperty(HttpSigner.SIGNING_CLOCK, clock))
                .request();
        return signed.getUri();
    }

    private AwsCredentialsIdentity resolveIdentity() {
        try {
            return config.credentials().resolveIdentity().join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException cause ? cause : e;
        }
    }

    /**
     * RFC 3986 percent-encoding of a bucket name or object key, as the S3 client marshals the
     * {@code {Key+}} path label: unreserved characters stay, '/' stays in keys, every other UTF-8
     * byte becomes %XX (so a space is %20 and '+' is %2B).
     */
    static String encode(String value, boolean keepSlashes) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        StringBuilder out = new StringBuilder(bytes.length + 16);
        for (byte b : bytes) {
            int c = b & 0xFF;
            if ((c >= 'A' && c <= 'Z')
                    || (c >= 'a' && c <= 'z')
                    || (c >= '0' && c <= '9')
                    || c == '-'
                    || c == '.'
                    || c == '_'
                    || c == '~'
                    || (keepSlashes && c == '/')) {
                out.append((char) c);
            } else {
                out.append('%').append(HEX[c >> 4]).append(HEX[c & 0xF]);
            }
        }
        return out.toString();
    }
}
