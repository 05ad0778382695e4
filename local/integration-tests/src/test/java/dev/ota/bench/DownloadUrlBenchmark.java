package dev.ota.bench;

import dev.ota.domain.FirmwareRef;
import dev.ota.domain.device.DeviceProfile;
import dev.ota.port.out.DownloadUrlMinter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;

/**
 * Download URL length and update_firmware size per minter and region, typical and max, as the
 * deployed stack mints them (DeployedUrls), against the C SDK's budget; and the extra cost per
 * million downloads of CloudFront against S3 at us-east-1 list prices. Run:
 * {@code mvn -B -q -ntp -pl local/integration-tests -am test -Dtest=DownloadUrlBenchmark -Dsurefire.failIfNoSpecifiedTests=false}.
 * Prints the tables and writes local/integration-tests/target/download-urls.md (docs/benchmarks.md).
 */
class DownloadUrlBenchmark {

    private static final List<Region> REGIONS =
            List.of(Region.US_EAST_1, Region.EU_WEST_1, Region.AP_SOUTHEAST_2, Region.of("ap-southeast-5"));

    // us-east-1 / North America & Europe list prices, first price tier.
    private static final double S3_GET_PER_MILLION = 0.40;
    private static final double S3_TRANSFER_PER_GB = 0.09;
    private static final double CF_HTTP_PER_MILLION = 0.75;
    private static final double CF_HTTPS_PER_MILLION = 1.00;
    private static final double CF_TRANSFER_PER_GB = 0.085;

    @Test
    void figures() throws Exception {
        StringBuilder out = new StringBuilder();
        FirmwareRef typical = DeployedUrls.firmware("1.2.3");
        FirmwareRef longest = DeployedUrls.firmware("v".repeat(32));
        out.append("| minter | region | URL chars (typical / max) | host | path+query / C SDK budget (max) |"
                + " update_firmware bytes (typical / max) | fits c-sdk |\n|---|---|---|---|---|---|---|\n");
        for (int bits : new int[] {2048, 1024}) {
            DownloadUrlMinter minter = DeployedUrls.cloudFront("http", bits);
            row(out, "cloudfront, " + bits + "-bit key", "any (global)", minter, minter, typical, longest);
        }
        for (Region region : REGIONS) {
            row(
                    out,
                    "s3-presigned, session token",
                    region.id(),
                    DeployedUrls.s3(region, DeployedUrls.TYPICAL_TOKEN),
                    DeployedUrls.s3(region, DeployedUrls.LONG_TOKEN),
                    typical,
                    longest);
        }
        out.append("\n").append(costs());
        System.out.println(out);
        Path target = Path.of("target");
        Files.createDirectories(target);
        Files.writeString(target.resolve("download-urls.md"), out, StandardCharsets.UTF_8);
    }

    private static void row(
            StringBuilder out,
            String name,
            String region,
            DownloadUrlMinter typicalMinter,
            DownloadUrlMinter maxMinter,
            FirmwareRef typical,
            FirmwareRef longest) {
        String t = typicalMinter.mint(typical);
        String m = maxMinter.mint(longest);
        URI max = URI.create(m);
        int pathAndQuery = max.getRawPath().length() + 1 + max.getRawQuery().length();
        boolean fits = DeviceProfile.C_SDK.urlViolation(m).isEmpty()
                && DeviceProfile.C_SDK
                        .messageViolation(DeployedUrls.messageBytes(maxMinter, longest))
                        .isEmpty();
        out.append(String.format(
                Locale.ROOT,
                "| %s | %s | %d / %d | %d | %d / %d | %d / %d | %s |%n",
                name,
                region,
                t.length(),
                m.length(),
                max.getHost().length(),
                pathAndQuery,
                DeviceProfile.C_SDK.maxPathAndQuery(max.getHost()),
                DeployedUrls.messageBytes(typicalMinter, typical),
                DeployedUrls.messageBytes(maxMinter, longest),
                fits ? "yes" : "no"));
    }

    /** Per million downloads of a firmware of each size, one request each (a resume adds one). */
    static String costs() {
        StringBuilder out = new StringBuilder(
                "| firmware | S3 direct | CloudFront http | CloudFront https | CloudFront - S3 (http / https) |\n"
                        + "|---|---|---|---|---|\n");
        for (double megabytes : new double[] {0.1, 1, 4, 16}) {
            double gb = megabytes * 1e6 * 1e6 / (1024.0 * 1024 * 1024);
            double s3 = S3_GET_PER_MILLION + gb * S3_TRANSFER_PER_GB;
            double http = CF_HTTP_PER_MILLION + gb * CF_TRANSFER_PER_GB;
            double https = CF_HTTPS_PER_MILLION + gb * CF_TRANSFER_PER_GB;
            out.append(String.format(
                    Locale.ROOT,
                    "| %s MB | $%,.2f | $%,.2f | $%,.2f | %+,.2f / %+,.2f |%n",
                    megabytes,
                    s3,
                    http,
                    https,
                    http - s3,
                    https - s3));
        }
        return out.toString();
    }
}
