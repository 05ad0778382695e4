package dev.ota.aws.presign;

import java.net.URI;
import java.util.Objects;
import software.amazon.awssdk.auth.credentials.EnvironmentVariableCredentialsProvider;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.IdentityProvider;
import software.amazon.awssdk.regions.Region;

/**
 * Where and as whom presigned URLs are signed: what an {@code S3Presigner} was built with, minus
 * the S3 client module. The bucket and the URL lifetime come from the function's settings.
 *
 * @param region           the bucket's region; also the signing region
 * @param credentials      resolved at every signature, as S3Presigner does; session credentials
 *                         add {@code X-Amz-Security-Token}
 * @param endpointOverride null for AWS ({@code https://{bucket}.s3.{region}.{dnsSuffix}}), or e.g.
 *                         a local S3 stand-in
 * @param pathStyle        {@code {endpoint}/{bucket}/{key}} instead of {@code {bucket}.{host}/{key}}
 */
public record PresignConfig(
        Region region,
        IdentityProvider<? extends AwsCredentialsIdentity> credentials,
        URI endpointOverride,
        boolean pathStyle) {

    public PresignConfig {
        Objects.requireNonNull(region, "region");
        Objects.requireNonNull(credentials, "credentials");
    }

    /** AWS endpoints, virtual-hosted style. */
    public static PresignConfig of(Region region, IdentityProvider<? extends AwsCredentialsIdentity> credentials) {
        return new PresignConfig(region, credentials, null, false);
    }

    /** Lambda's: region from {@code AWS_REGION}, the function role's credentials from the environment. */
    public static PresignConfig fromEnvironment() {
        String region = System.getenv("AWS_REGION");
        if (region == null || region.isBlank()) {
            throw new IllegalStateException("environment variable AWS_REGION is not set");
        }
        return of(Region.of(region), EnvironmentVariableCredentialsProvider.create());
    }

    public PresignConfig withEndpoint(URI endpoint, boolean pathStyle) {
        return new PresignConfig(region, credentials, endpoint, pathStyle);
    }
}
