package dev.ota.local.device;

import dev.ota.cli.device.Provisioning;
import dev.ota.domain.device.DeviceId;
import dev.ota.local.stack.LocalStack;

/**
 * Devices of the local stack are provisioned as on AWS, with the code behind {@code ota device
 * register} (thing, certificate, the template's device policy): the broker refuses any other.
 */
public final class Registered {

    private Registered() {}

    /** Registers the device (idempotent) in the stack's IoT registry. */
    public static Provisioning.Registration device(LocalStack stack, String productId, String deviceName) {
        return new Provisioning(stack.iot()).register(new DeviceId(productId, deviceName), stack.devicePolicyName());
    }

    /** Registers the device and returns the plain MQTT URL it connects to (its client id is its thing name). */
    public static String mqttUrl(LocalStack stack, String productId, String deviceName) {
        device(stack, productId, deviceName);
        return stack.mqttUrl();
    }
}
