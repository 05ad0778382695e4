package dev.ota.aws.presign;

import java.net.URI;
import java.util.Objects;
import java.util.function.UnaryOperator;
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
 * @param servedAs         how a signed URL is handed to devices: as signed, on AWS; the local stack
 *                         moves path-style URLs to the bucket's own endpoint, which relays them
 */
public record PresignConfig(
        Region region,
        IdentityProvider<? extends AwsCredentialsIdentity> credentials,
        URI endpointOverride,
        boolean pathStyle,
        UnaryOperator<URI> servedAs) {

    public PresignConfig {
        Objects.requireNonNull(region, "region");
        Objects.requireNonNull(credentials, "credentials");
        servedAs = servedAs == null ? UnaryOperator.identity() : servedAs;
    }

    public PresignConfig(
            Region region,
            IdentityProvider<? extends AwsCredentialsIdentity> credentials,
            URI endpointOverride,
            boolean pathStyle) {
        this(region, credentials, endpointOverride, pathStyle, null);
    }

    public PresignConfig servedAs(UnaryOperator<URI> rewrite) {
        return new PresignConfig(region, credentials, endpointOverride, pathStyle, rewrite);
    }

    /** AWS endpoints, virtual-hosted style. */
    public static PresignConfig of(Region region, IdentityProvider<? extends AwsCredentialsIdentity> credentials) {
        return new PresignConfig(region, credentials, null, false);
    }

    public PresignConfig withEndpoint(URI endpoint, boolean pathStyle) {
        return new PresignConfig(region, credentials, endpoint, pathStyle, servedAs);
    }
}
