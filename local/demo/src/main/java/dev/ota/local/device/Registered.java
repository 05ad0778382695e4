package dev.ota.local.device;

import dev.ota.cli.device.Provisioning;
import dev.ota.domain.device.DeviceId;
import dev.ota.domain.device.ThingName;
import dev.ota.local.stack.LocalStack;
import dev.ota.local.standin.LocalCertificateAuthority;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import software.amazon.awssdk.services.iot.IotClient;
import software.amazon.awssdk.services.iot.model.CertificateStatus;
import software.amazon.awssdk.services.iot.model.ThingPrincipalType;

/**
 * Devices of the local stack are provisioned as on AWS, with the code behind {@code ota device
 * register} (thing, certificate, the template's device policy): the broker refuses any other.
 */
public final class Registered {

    /** Devices registered at once by {@link #fleet}. */
    private static final int REGISTERING_AT_ONCE = 4;

    private Registered() {}

    /** Registers the device (idempotent) in the stack's IoT registry. */
    public static Provisioning.Registration device(LocalStack stack, String productId, String deviceName) {
        return new Provisioning(stack.iot()).register(new DeviceId(productId, deviceName), stack.devicePolicyName());
    }

    /**
     * Registers a fleet of new devices as bulk provisioning does on AWS: thing (with the attributes
     * {@code ota device register} gives it), a certificate issued by the local CA and registered with
     * RegisterCertificateWithoutCA (ACTIVE), the device policy, the exclusive attachment. Where {@link
     * #device} has the registry make an RSA key pair per device (a fifth of a second each in moto),
     * this costs four registry calls.
     */
    public static void fleet(LocalStack stack, String productId, List<String> deviceNames) {
        IotClient iot = stack.iot();
        LocalCertificateAuthority ca = stack.aws().broker().certificateAuthority();
        // A few devices at once: the registry serializes its own calls, but a device's certificate is made
        // here, and the calls' round trips overlap; one at a time, 5,000 devices took five minutes.
        ExecutorService pool =
                Executors.newFixedThreadPool(Math.max(1, Math.min(REGISTERING_AT_ONCE, deviceNames.size())));
        try {
            List<Future<?>> registered = new ArrayList<>();
            for (String name : deviceNames) {
                registered.add(pool.submit(() -> registerNew(iot, ca, stack.devicePolicyName(), productId, name)));
            }
            for (Future<?> f : registered) {
                f.get();
            }
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while registering the fleet", e);
        } finally {
            pool.shutdownNow();
        }
    }

    private static void registerNew(
            IotClient iot, LocalCertificateAuthority ca, String policyName, String productId, String name) {
        String thing = ThingName.of(productId, name).value();
        iot.createThing(r -> r.thingName(thing)
                .attributePayload(a -> a.attributes(
                        Map.of(Provisioning.PRODUCT_ATTRIBUTE, productId, Provisioning.DEVICE_ATTRIBUTE, name))));
        String certificateArn = iot.registerCertificateWithoutCA(r ->
                        r.certificatePem(ca.issueClientCertificatePem(thing)).status(CertificateStatus.ACTIVE))
                .certificateArn();
        iot.attachPolicy(r -> r.policyName(policyName).target(certificateArn));
        iot.attachThingPrincipal(r ->
                r.thingName(thing).principal(certificateArn).thingPrincipalType(ThingPrincipalType.EXCLUSIVE_THING));
    }

    /** Registers the device and returns the plain MQTT URL it connects to (its client id is its thing name). */
    public static String mqttUrl(LocalStack stack, String productId, String deviceName) {
        device(stack, productId, deviceName);
        return stack.mqttUrl();
    }
}
