package dev.ota.cli.device;

import dev.ota.domain.device.DeviceId;
import dev.ota.domain.device.ThingName;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.iot.IotClient;
import software.amazon.awssdk.services.iot.model.CertificateStatus;
import software.amazon.awssdk.services.iot.model.CreateKeysAndCertificateResponse;
import software.amazon.awssdk.services.iot.model.DescribeCertificateResponse;
import software.amazon.awssdk.services.iot.model.DescribeThingResponse;
import software.amazon.awssdk.services.iot.model.Policy;
import software.amazon.awssdk.services.iot.model.ResourceNotFoundException;
import software.amazon.awssdk.services.iot.model.ThingPrincipalType;

/**
 * A device on AWS IoT Core, as {@code ota device register} makes it and {@code ota device
 * deregister} undoes it:
 * <ol>
 *   <li>a thing named {@link ThingName#of} the device, with attributes {@code productId} and
 *       {@code deviceName} (the device policy reads them; a thing of that name whose attributes
 *       name another device is refused, never reused);</li>
 *   <li>a key pair and a certificate, ACTIVE, from CreateKeysAndCertificate;</li>
 *   <li>the device policy attached to the certificate;</li>
 *   <li>the certificate attached to the thing exclusively ({@code EXCLUSIVE_THING}), so the
 *       policy's thing variables resolve from the certificate alone.</li>
 * </ol>
 * Registering again changes nothing but what is missing: a thing that already has an ACTIVE
 * certificate keeps it (its private key was handed out once, at creation), and the policy and
 * the attachment are made sure of.
 */
public final class Provisioning {

    public static final String PRODUCT_ATTRIBUTE = ThingName.PRODUCT_ATTRIBUTE;
    public static final String DEVICE_ATTRIBUTE = ThingName.DEVICE_ATTRIBUTE;

    /**
     * @param privateKeyPem null when the certificate existed before this call
     */
    public record Registration(
            DeviceId device,
            String thingName,
            String thingArn,
            String certificateId,
            String certificateArn,
            String certificatePem,
            String privateKeyPem,
            String publicKeyPem,
            String policyName,
            boolean thingCreated,
            boolean certificateCreated) {}

    /** What deregistration removed. */
    public record Removal(DeviceId device, String thingName, boolean thingExisted, List<String> certificatesDeleted) {}

    /** A thing of the device's name that belongs to another device (or to nobody's device). */
    public static final class ForeignThingException extends RuntimeException {
        ForeignThingException(String message) {
            super(message);
        }
    }

    private final IotClient iot;

    public Provisioning(IotClient iot) {
        this.iot = iot;
    }

    public Registration register(DeviceId device, String policyName) {
        String thingName = ThingName.of(device).value();
        DescribeThingResponse existing = describeThing(thingName);
        boolean thingCreated = false;
        String thingArn;
        if (existing == null) {
            thingArn = iot.createThing(r -> r.thingName(thingName)
                            .attributePayload(a -> a.attributes(Map.of(
                                    PRODUCT_ATTRIBUTE, device.productId(), DEVICE_ATTRIBUTE, device.deviceName()))))
                    .thingArn();
            thingCreated = true;
        } else {
            requireOwnThing(device, thingName, existing.attributes());
            thingArn = existing.thingArn();
        }
        String certificateArn = activeCertificate(thingName);
        String certificateId;
        String certificatePem;
        String privateKey = null;
        String publicKey = null;
        boolean certificateCreated = certificateArn == null;
        if (certificateCreated) {
            CreateKeysAndCertificateResponse created = iot.createKeysAndCertificate(r -> r.setAsActive(true));
            certificateArn = created.certificateArn();
            certificateId = created.certificateId();
            certificatePem = created.certificatePem();
            privateKey = created.keyPair().privateKey();
            publicKey = created.keyPair().publicKey();
        } else {
            certificateId = idOf(certificateArn);
            String id = certificateId;
            certificatePem = iot.describeCertificate(r -> r.certificateId(id))
                    .certificateDescription()
                    .certificatePem();
        }
        String target = certificateArn;
        boolean policyAttached = iot.listAttachedPolicies(r -> r.target(target)).policies().stream()
                .map(Policy::policyName)
                .anyMatch(policyName::equals);
        if (!policyAttached) {
            iot.attachPolicy(r -> r.policyName(policyName).target(target));
        }
        if (certificateCreated) {
            iot.attachThingPrincipal(r ->
                    r.thingName(thingName).principal(target).thingPrincipalType(ThingPrincipalType.EXCLUSIVE_THING));
        }
        return new Registration(
                device,
                thingName,
                thingArn,
                certificateId,
                certificateArn,
                certificatePem,
                privateKey,
                publicKey,
                policyName,
                thingCreated,
                certificateCreated);
    }

    /** Removes the device's certificates (detached, deactivated, deleted) and its thing; nothing when it is not registered. */
    public Removal deregister(DeviceId device) {
        String thingName = ThingName.of(device).value();
        DescribeThingResponse existing = describeThing(thingName);
        if (existing == null) {
            return new Removal(device, thingName, false, List.of());
        }
        requireOwnThing(device, thingName, existing.attributes());
        List<String> deleted = new ArrayList<>();
        for (String principal :
                iot.listThingPrincipals(r -> r.thingName(thingName)).principals()) {
            iot.detachThingPrincipal(r -> r.thingName(thingName).principal(principal));
            if (!principal.contains(":cert/")) {
                continue;
            }
            // A certificate attached to another thing too is left alone (only detached from this one).
            if (!iot.listPrincipalThings(r -> r.principal(principal)).things().isEmpty()) {
                continue;
            }
            for (Policy policy :
                    iot.listAttachedPolicies(r -> r.target(principal)).policies()) {
                iot.detachPolicy(r -> r.policyName(policy.policyName()).target(principal));
            }
            String id = idOf(principal);
            iot.updateCertificate(r -> r.certificateId(id).newStatus(CertificateStatus.INACTIVE));
            iot.deleteCertificate(r -> r.certificateId(id));
            deleted.add(id);
        }
        iot.deleteThing(r -> r.thingName(thingName));
        return new Removal(device, thingName, true, deleted);
    }

    private DescribeThingResponse describeThing(String thingName) {
        try {
            return iot.describeThing(r -> r.thingName(thingName));
        } catch (ResourceNotFoundException absent) {
            return null;
        }
    }

    private static void requireOwnThing(DeviceId device, String thingName, Map<String, String> attributes) {
        if (!device.productId().equals(attributes.get(PRODUCT_ATTRIBUTE))
                || !device.deviceName().equals(attributes.get(DEVICE_ATTRIBUTE))) {
            throw new ForeignThingException(
                    "thing " + thingName + " exists with attributes " + attributes + ", not productId="
                            + device.productId() + " deviceName=" + device.deviceName() + "; it is left as it is");
        }
    }

    /** The ARN of an ACTIVE certificate attached to the thing, or null. */
    private String activeCertificate(String thingName) {
        for (String principal :
                iot.listThingPrincipals(r -> r.thingName(thingName)).principals()) {
            if (!principal.contains(":cert/")) {
                continue;
            }
            DescribeCertificateResponse described = iot.describeCertificate(r -> r.certificateId(idOf(principal)));
            if (described.certificateDescription().status() == CertificateStatus.ACTIVE) {
                return principal;
            }
        }
        return null;
    }

    static String idOf(String certificateArn) {
        return certificateArn.substring(certificateArn.lastIndexOf('/') + 1);
    }
}
