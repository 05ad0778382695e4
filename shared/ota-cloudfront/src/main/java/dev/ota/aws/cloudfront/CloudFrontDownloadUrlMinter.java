package dev.ota.aws.cloudfront;

import dev.ota.domain.DownloadKey;
import dev.ota.domain.FirmwareRef;
import dev.ota.port.out.DownloadUrlMinter;
import java.net.URI;
import java.security.PrivateKey;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;
import software.amazon.awssdk.services.cloudfront.CloudFrontUtilities;
import software.amazon.awssdk.services.cloudfront.model.CannedSignerRequest;

/**
 * CloudFront signed URLs with a canned policy, signed by the SDK's {@link CloudFrontUtilities}:
 * {@code {scheme}://{domain}/{downloadKey}?Expires=..&Signature=..&Key-Pair-Id=..}. The
 * distribution reads the private bucket through Origin Access Control, so the signer needs no S3
 * permission and the URL carries no session token: about 500 characters with a 2048-bit key (320 with 1024) on
 * {@code d…​.cloudfront.net} (docs/benchmarks.md), short enough for the C SDK's 1024-byte request.
 *
 * <p>Each (re)send mints a new URL, so a device that resumes after its URL expired gets a working
 * URL for the same bytes and can Range-resume.
 */
public final class CloudFrontDownloadUrlMinter implements DownloadUrlMinter {

    // A host, optionally with a port: what CloudFront's DomainName or a custom domain look like.
    private static final Pattern DOMAIN = Pattern.compile("[A-Za-z0-9.-]+(:\\d{1,5})?");

    private final CloudFrontUtilities signer = CloudFrontUtilities.create();
    private final String origin;
    private final String keyPairId;
    private final PrivateKey privateKey;
    private final Duration expiry;
    private final Clock clock;

    /**
     * @param scheme     http (devices that cannot check CloudFront's certificate) or https
     * @param domain     the distribution's domain name or its custom domain; a port only locally
     * @param keyPairId  the id of the CloudFront public key whose private half is {@code privateKey}
     */
    public CloudFrontDownloadUrlMinter(
            String scheme, String domain, String keyPairId, PrivateKey privateKey, Duration expiry, Clock clock) {
        if (!"http".equals(scheme) && !"https".equals(scheme)) {
            throw new IllegalArgumentException("scheme must be http or https, not " + scheme);
        }
        if (domain == null || !DOMAIN.matcher(domain).matches()) {
            throw new IllegalArgumentException("CloudFront domain must be a host name, optionally :port: " + domain);
        }
        if (keyPairId == null || keyPairId.isBlank()) {
            throw new IllegalArgumentException("CloudFront key pair id is empty");
        }
        if (expiry.isNegative() || expiry.isZero()) {
            throw new IllegalArgumentException("URL expiry must be positive");
        }
        this.origin = scheme + "://" + withoutDefaultPort(scheme, domain.toLowerCase(Locale.ROOT));
        this.keyPairId = keyPairId;
        this.privateKey = Objects.requireNonNull(privateKey, "privateKey");
        this.expiry = expiry;
        this.clock = clock;
    }

    /** The port of a URL is left out where it is the scheme's default, as on AWS (the C SDK takes no port). */
    static String withoutDefaultPort(String scheme, String domain) {
        String defaultPort = "http".equals(scheme) ? ":80" : ":443";
        return domain.endsWith(defaultPort) ? domain.substring(0, domain.length() - defaultPort.length()) : domain;
    }

    @Override
    public String mint(FirmwareRef firmware) {
        // Devices download the top-level copy registration made (see DownloadKey): one path segment,
        // of characters that need no encoding.
        return sign(DownloadKey.of(firmware.s3Key(), firmware.md5sum()));
    }

    /** A signed GET URL for {@code key} (no '/' at its start), valid for the expiry from now. */
    public String sign(String key) {
        String resource = URI.create(origin + "/" + key).toASCIIString();
        CannedSignerRequest request = CannedSignerRequest.builder()
                .resourceUrl(resource)
                .privateKey(privateKey)
                .keyPairId(keyPairId)
                .expirationDate(clock.instant().plus(expiry))
                .build();
        return signer.getSignedUrlWithCannedPolicy(request).url();
    }
}
