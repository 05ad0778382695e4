package dev.ota.function.support;

import dev.ota.domain.device.DeviceProfile;
import java.util.Locale;

/**
 * How download URLs are minted (template parameters DownloadUrlMinter, DownloadViewerProtocol,
 * DeviceProfile and the CloudFront key pair; docs/downloads.md) and what the devices can take.
 *
 * @param minter           {@link #CLOUDFRONT} or {@link #S3_PRESIGNED}
 * @param scheme           the scheme of CloudFront URLs: http while the distribution allows it
 * @param cloudFrontDomain the distribution's domain or its custom domain
 * @param keyPairId        the CloudFront public key's id
 * @param privateKeySecret the Secrets Manager secret (name or ARN) holding the private key's PEM
 */
public record DownloadSettings(
        String minter,
        String scheme,
        String cloudFrontDomain,
        String keyPairId,
        String privateKeySecret,
        DeviceProfile profile) {

    public static final String CLOUDFRONT = "cloudfront";
    public static final String S3_PRESIGNED = "s3-presigned";

    public DownloadSettings {
        if (!CLOUDFRONT.equals(minter) && !S3_PRESIGNED.equals(minter)) {
            throw new IllegalArgumentException("DOWNLOAD_URL_MINTER must be cloudfront or s3-presigned, not " + minter);
        }
        if (CLOUDFRONT.equals(minter)
                && (isBlank(cloudFrontDomain) || isBlank(keyPairId) || isBlank(privateKeySecret))) {
            throw new IllegalArgumentException(
                    "cloudfront URLs need CLOUDFRONT_DOMAIN, CLOUDFRONT_KEY_PAIR_ID and CLOUDFRONT_PRIVATE_KEY_SECRET");
        }
    }

    /** Without the variables (unit tests, tools): S3 presigned URLs for capable devices. */
    public static DownloadSettings from(Environment env) {
        return new DownloadSettings(
                env.text("DOWNLOAD_URL_MINTER", S3_PRESIGNED).toLowerCase(Locale.ROOT),
                "https-only".equals(env.text("DOWNLOAD_VIEWER_PROTOCOL", "allow-all")) ? "https" : "http",
                env.optional("CLOUDFRONT_DOMAIN"),
                env.optional("CLOUDFRONT_KEY_PAIR_ID"),
                env.optional("CLOUDFRONT_PRIVATE_KEY_SECRET"),
                DeviceProfile.named(env.text("DEVICE_PROFILE", "capable")));
    }

    public boolean cloudFront() {
        return CLOUDFRONT.equals(minter);
    }

    private static boolean isBlank(String s) {
        return s == null || s.isBlank();
    }
}
