package dev.ota.domain.device;

import java.net.URI;
import java.util.Locale;
import java.util.Optional;

/**
 * What the fleet's devices can take in an {@code update_firmware}: the download URL's host length,
 * whether it may carry a port, the bytes of its path and query, and the whole message. A URL or
 * message over budget is never sent (facts.md §1, "Limits of the C SDK's download URL").
 *
 * @param maxHostLength       the longest host the device's HTTP client accepts
 * @param portAllowed         false: the client takes everything up to the first '/' as the host
 * @param maxRequestBytes     the device's HTTP send buffer: request line, Host and its own headers
 * @param requestOverhead     the bytes of that buffer which are not path, query or host
 * @param maxUpdateBytes      the device's MQTT receive buffer for the whole update_firmware
 */
public record DeviceProfile(
        String name,
        int maxHostLength,
        boolean portAllowed,
        int maxRequestBytes,
        int requestOverhead,
        int maxUpdateBytes) {

    /**
     * Tencent's C SDK (3.2.2, measured): host ≤ 63, no port, path + query ≤ 1024 − 162 − len(host),
     * a 2048-byte MQTT buffer.
     */
    public static final DeviceProfile C_SDK = new DeviceProfile("c-sdk", 63, false, 1024, 162, 2048);

    /**
     * Devices with a full HTTP stack (the Python and Java SDKs): a DNS name, a URL of 8 KB, and the
     * largest payload AWS IoT Core publishes (128 KB).
     */
    public static final DeviceProfile CAPABLE = new DeviceProfile("capable", 253, true, 8192, 162, 128 * 1024);

    public DeviceProfile {
        if (maxHostLength < 1 || maxRequestBytes <= requestOverhead || requestOverhead < 0 || maxUpdateBytes < 1) {
            throw new IllegalArgumentException("device profile " + name + ": limits must be positive");
        }
    }

    public static DeviceProfile named(String name) {
        return switch (name == null ? "" : name.toLowerCase(Locale.ROOT)) {
            case "c-sdk" -> C_SDK;
            case "capable" -> CAPABLE;
            default -> throw new IllegalArgumentException("device profile must be c-sdk or capable, not " + name);
        };
    }

    /** The most path + query bytes a URL on {@code host} may have. */
    public int maxPathAndQuery(String host) {
        return maxRequestBytes - requestOverhead - host.length();
    }

    /** Why {@code url} cannot reach such a device, or empty when it fits. */
    public Optional<String> urlViolation(String url) {
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            return Optional.of("download URL is not a URI: " + e.getMessage());
        }
        String host = uri.getHost() == null ? "" : uri.getHost();
        if (host.length() > maxHostLength) {
            return Optional.of("download URL host is " + host.length() + " characters, over the " + name
                    + " device limit of " + maxHostLength + " (" + host + ")");
        }
        if (!portAllowed && uri.getPort() != -1) {
            return Optional.of("download URL names port " + uri.getPort() + "; " + name + " devices take none");
        }
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        int pathAndQuery = path.length()
                + (uri.getRawQuery() == null ? 0 : 1 + uri.getRawQuery().length());
        String hostHeader = uri.getRawAuthority() == null ? host : uri.getRawAuthority();
        int limit = maxPathAndQuery(hostHeader);
        if (pathAndQuery > limit) {
            return Optional.of("download URL path and query are " + pathAndQuery + " bytes, over the " + name
                    + " device limit of " + limit + " for host " + hostHeader);
        }
        return Optional.empty();
    }

    /** Why an update_firmware of {@code bytes} bytes cannot reach such a device, or empty when it fits. */
    public Optional<String> messageViolation(int bytes) {
        return bytes > maxUpdateBytes
                ? Optional.of("update_firmware is " + bytes + " bytes, over the " + name + " device limit of "
                        + maxUpdateBytes)
                : Optional.empty();
    }
}
