package dev.ota.function.support;

import dev.ota.app.UpdateSender;
import dev.ota.aws.cloudfront.CloudFrontDownloadUrlMinter;
import dev.ota.aws.cloudfront.CloudFrontSigningKey;
import dev.ota.aws.presign.SigV4DownloadUrlMinter;
import dev.ota.function.support.AwsClients.Service;
import dev.ota.log.StructuredLog;
import dev.ota.port.out.DeviceChannel;
import dev.ota.port.out.DeviceStateStore;
import dev.ota.port.out.DownloadUrlMinter;
import dev.ota.port.out.RolloutMetrics;
import java.time.Clock;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * The one download URL seam put together: the {@link DownloadUrlMinter} the settings choose (S3
 * presigned or CloudFront signed) and the {@link UpdateSender} that enforces the device profile's
 * budget on what it mints. Built once per container, in the function's composition root: the
 * CloudFront private key is read from Secrets Manager here, at init, so it is in the SnapStart
 * snapshot, and the first mint (SnapStart priming) links the signing classes.
 */
public final class DownloadUrls {

    private DownloadUrls() {}

    public static DownloadUrlMinter minter(Settings settings, AwsClients aws) {
        return minter(settings, aws, Clock.systemUTC());
    }

    /** @param clock the time a URL's expiry counts from (the function's clock) */
    public static DownloadUrlMinter minter(Settings settings, AwsClients aws, Clock clock) {
        DownloadSettings d = settings.downloads();
        if (!d.cloudFront()) {
            return new SigV4DownloadUrlMinter(aws.presignConfig(), settings.firmwareBucket(), settings.urlExpiry());
        }
        String pem;
        try (SecretsManagerClient secrets = aws.build(Service.SECRETS_MANAGER, SecretsManagerClient.builder())) {
            pem = secrets.getSecretValue(r -> r.secretId(d.privateKeySecret())).secretString();
        }
        return new CloudFrontDownloadUrlMinter(
                d.scheme(),
                d.cloudFrontDomain(),
                d.keyPairId(),
                CloudFrontSigningKey.fromPem(pem),
                settings.urlExpiry(),
                clock);
    }

    public static UpdateSender sender(
            Settings settings,
            DownloadUrlMinter minter,
            DeviceChannel channel,
            DeviceStateStore store,
            Clock clock,
            StructuredLog log,
            RolloutMetrics metrics) {
        return new UpdateSender(minter, channel, settings.downloads().profile(), store, clock, log, metrics);
    }
}
