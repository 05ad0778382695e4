package dev.ota.domain.device;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The AWS IoT thing name of a device, which is also its MQTT client id: one mapping from
 * {@link DeviceId} (productId 1-64, deviceName 1-128 characters of {@code [A-Za-z0-9_.:@-]}) to a
 * thing name (1-128 characters of {@code [a-zA-Z0-9:_-]}).
 *
 * <p><b>Readable form</b>, used whenever it fits in 128 characters:
 * {@code escape(productId) + "::" + escape(deviceName)}, where {@code escape} keeps
 * {@code [A-Za-z0-9_-]} and writes {@code ':'} as {@code ":c"}, {@code '.'} as {@code ":d"} and
 * {@code '@'} as {@code ":a"}. Every {@code ':'} an escape writes is followed by c, d or a, so the
 * first {@code "::"} is the separator and the form decodes back to the one device it came from
 * ({@link #decode}): it is injective. {@code DEMOPRODUCT/device-001} is {@code DEMOPRODUCT::device-001}.
 *
 * <p><b>Hashed form</b>, for the rare devices whose readable form is longer than 128 characters:
 * {@code ":h" + base32(SHA-256(productId + "/" + deviceName))[0..26] + ":" + the readable form's
 * first 99 characters}. No readable form starts with {@code ":h"}, so the two forms never meet.
 * A strictly injective mapping into 128 characters of a 65-character alphabet cannot exist for
 * every name the protocol allows (there are about 48 times more device names of 128 characters
 * alone than thing names), so the hashed form is collision-resistant (130 bits) instead, and
 * provisioning refuses a thing whose attributes name another device.
 */
public record ThingName(String value) {

    public static final int MAX_LENGTH = 128;
    /**
     * The thing attributes that name its device ({@code ota device register} sets them, the device
     * IoT policy reads them). A thing is the device they name; a thing without them is the device
     * its name decodes to.
     */
    public static final String PRODUCT_ATTRIBUTE = "productId";

    public static final String DEVICE_ATTRIBUTE = "deviceName";
    public static final String SEPARATOR = "::";
    private static final String HASHED_PREFIX = ":h";
    private static final int HASH_CHARS = 26;
    private static final Pattern VALID = Pattern.compile("[a-zA-Z0-9:_-]{1,128}");
    private static final char[] BASE32 = "abcdefghijklmnopqrstuvwxyz234567".toCharArray();

    public ThingName {
        if (value == null || !VALID.matcher(value).matches()) {
            throw new IllegalArgumentException("not a thing name: " + value);
        }
    }

    /** The thing name of a device. */
    public static ThingName of(DeviceId device) {
        String readable = escape(device.productId()) + SEPARATOR + escape(device.deviceName());
        if (readable.length() <= MAX_LENGTH) {
            return new ThingName(readable);
        }
        String head = readable.substring(0, MAX_LENGTH - HASHED_PREFIX.length() - HASH_CHARS - 1);
        return new ThingName(HASHED_PREFIX + hash(device) + ":" + head);
    }

    public static ThingName of(String productId, String deviceName) {
        return of(new DeviceId(productId, deviceName));
    }

    /** True when this is the hashed form: the device is found by the thing's attributes, not by decoding. */
    public boolean hashed() {
        return value.startsWith(HASHED_PREFIX);
    }

    /**
     * The device a readable-form thing name stands for.
     *
     * @throws IllegalArgumentException for a hashed form, or a name no device maps to
     */
    public DeviceId decode() {
        if (hashed()) {
            throw new IllegalArgumentException(value + " is a hashed thing name: read the thing's attributes");
        }
        StringBuilder product = new StringBuilder();
        StringBuilder current = product;
        StringBuilder device = null;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c != ':') {
                current.append(c);
                continue;
            }
            if (i + 1 >= value.length()) {
                throw new IllegalArgumentException("not a device's thing name: " + value);
            }
            char next = value.charAt(++i);
            switch (next) {
                case 'c' -> current.append(':');
                case 'd' -> current.append('.');
                case 'a' -> current.append('@');
                case ':' -> {
                    if (device != null) {
                        throw new IllegalArgumentException("not a device's thing name: " + value);
                    }
                    device = new StringBuilder();
                    current = device;
                }
                default -> throw new IllegalArgumentException("not a device's thing name: " + value);
            }
        }
        if (device == null) {
            throw new IllegalArgumentException("not a device's thing name: " + value);
        }
        DeviceId decoded = new DeviceId(product.toString(), device.toString());
        if (!of(decoded).equals(this)) {
            throw new IllegalArgumentException("not a device's thing name: " + value);
        }
        return decoded;
    }

    @Override
    public String toString() {
        return value;
    }

    static String escape(String name) {
        StringBuilder out = new StringBuilder(name.length() + 8);
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            switch (c) {
                case ':' -> out.append(":c");
                case '.' -> out.append(":d");
                case '@' -> out.append(":a");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    private static String hash(DeviceId device) {
        byte[] digest;
        try {
            digest = MessageDigest.getInstance("SHA-256").digest(device.key().getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
        StringBuilder out = new StringBuilder(HASH_CHARS);
        int buffer = 0;
        int bits = 0;
        for (byte b : digest) {
            buffer = (buffer << 8) | (b & 0xff);
            bits += 8;
            while (bits >= 5 && out.length() < HASH_CHARS) {
                out.append(BASE32[(buffer >> (bits - 5)) & 31]);
                bits -= 5;
            }
        }
        return out.toString().toLowerCase(Locale.ROOT);
    }
}
