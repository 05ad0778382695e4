package dev.ota.cli.device;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ota.cli.Api;
import dev.ota.cli.CliException;
import dev.ota.cli.ExitCodes;
import dev.ota.cli.Subcommand;
import dev.ota.cli.Text;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.iot.IotClient;
import software.amazon.awssdk.services.iot.model.IotException;
import software.amazon.awssdk.services.iot.model.ResourceNotFoundException;

@Command(
        name = "register",
        description = {
            "Registers a device on AWS IoT Core: a thing named after it (its MQTT client id), a key pair and an ACTIVE "
                    + "certificate, the device policy on the certificate, the certificate attached to the thing exclusively. Writes "
                    + "the certificate files and prints the endpoint and the settings a Tencent SDK device needs.",
            "Running it again changes only what is missing; a certificate the thing already has is kept."
        })
final class DeviceRegister extends Subcommand {

    @Mixin
    IotOptions iot;

    @Option(
            names = "--policy",
            paramLabel = "NAME",
            description =
                    "The device policy to attach (stack output DevicePolicyName; default: $OTA_DEVICE_POLICY, else ota-backend-device).")
    String policy;

    @Option(
            names = "--out",
            paramLabel = "DIR",
            defaultValue = "devices",
            description = "Where the files go, in a folder named after the thing (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(
            names = "--root-ca",
            paramLabel = "FILE",
            description = "The CA the device trusts for the broker, copied next to its certificate as root-ca.pem "
                    + "(AWS: AmazonRootCA1.pem; the local stack: the ca.pem its launcher writes).")
    Path rootCa;

    @Option(
            names = "--mqtt-endpoint",
            paramLabel = "HOST[:PORT]",
            description = "The broker devices connect to (default: DescribeEndpoint iot:Data-ATS, port 8883).")
    String mqttEndpoint;

    @Override
    public Integer call() {
        String policyName = policy != null
                ? policy
                : root().environment().variable("OTA_DEVICE_POLICY") != null
                        ? root().environment().variable("OTA_DEVICE_POLICY")
                        : "ota-backend-device";
        Provisioning.Registration registration;
        String host;
        int port = 8883;
        try (IotClient client = root().iot(iot.endpoint(root()))) {
            registration = new Provisioning(client).register(iot.deviceId(), policyName);
            if (mqttEndpoint != null) {
                int colon = mqttEndpoint.lastIndexOf(':');
                host = colon < 0 ? mqttEndpoint : mqttEndpoint.substring(0, colon);
                port = colon < 0 ? 8883 : Integer.parseInt(mqttEndpoint.substring(colon + 1));
            } else {
                host = client.describeEndpoint(r -> r.endpointType("iot:Data-ATS"))
                        .endpointAddress();
            }
        } catch (Provisioning.ForeignThingException e) {
            throw new CliException(ExitCodes.FAILED, e.getMessage());
        } catch (ResourceNotFoundException e) {
            throw new CliException(
                    ExitCodes.CONFIG,
                    "not found: " + e.awsErrorDetails().errorMessage() + " (is the policy '" + policyName
                            + "' deployed? pass --policy with the stack output DevicePolicyName)");
        } catch (NumberFormatException e) {
            throw usage("--mqtt-endpoint must be HOST or HOST:PORT");
        } catch (IotException e) {
            throw DeviceErrors.of(e);
        } catch (SdkClientException e) {
            throw new CliException(ExitCodes.UNAVAILABLE, "AWS IoT: " + e.getMessage());
        }
        Path folder = out.resolve(registration.thingName());
        String mqttHost = host;
        int mqttPort = port;
        ObjectNode result = Api.JSON.createObjectNode();
        result.put("productId", registration.device().productId())
                .put("deviceName", registration.device().deviceName())
                .put("thingName", registration.thingName())
                .put("clientId", registration.thingName())
                .put("thingArn", registration.thingArn())
                .put("certificateId", registration.certificateId())
                .put("certificateArn", registration.certificateArn())
                .put("policyName", registration.policyName());
        result.putObject("created")
                .put("thing", registration.thingCreated())
                .put("certificate", registration.certificateCreated());
        ObjectNode written = result.putObject("files");
        Path certificate = write(folder.resolve("certificate.pem.crt"), registration.certificatePem(), false);
        written.put("certificate", certificate.toString());
        Path privateKey = folder.resolve("private.pem.key");
        if (registration.privateKeyPem() != null) {
            write(privateKey, registration.privateKeyPem(), true);
            write(folder.resolve("public.pem.key"), registration.publicKeyPem(), false);
        } else if (!Files.exists(privateKey)) {
            root().environment()
                    .err()
                    .println("ota: the thing's certificate " + registration.certificateId()
                            + " existed already and its private key is not in " + folder
                            + " (AWS hands a private key out once); deregister and register again for a new one");
        }
        written.put("privateKey", privateKey.toString());
        written.put("publicKey", folder.resolve("public.pem.key").toString());
        if (rootCa != null) {
            try {
                Path copy = folder.resolve("root-ca.pem");
                Files.copy(rootCa, copy, StandardCopyOption.REPLACE_EXISTING);
                written.put("rootCa", copy.toString());
            } catch (IOException e) {
                throw new CliException(ExitCodes.USAGE, "cannot copy --root-ca " + rootCa + ": " + e.getMessage());
            }
        } else {
            written.putNull("rootCa");
        }
        result.putObject("mqtt").put("host", host).put("port", port).put("tls", "mutual (client certificate)");
        String product = registration.device().productId();
        String device = registration.device().deviceName();
        result.putObject("topics")
                .put("report", "ota/report/" + product + "/" + device)
                .put("update", "ota/update/" + product + "/" + device);
        write(folder.resolve("settings.json"), result.toPrettyString() + "\n", false);
        return show(result, (o, r) -> {
            o.println((registration.thingCreated() || registration.certificateCreated()
                            ? "registered "
                            : "already registered ")
                    + product + "/" + device);
            Text.keyValues(
                    o,
                    "thing",
                    registration.thingName() + (registration.thingCreated() ? " (created)" : " (existed)"),
                    "certificate",
                    registration.certificateId()
                            + (registration.certificateCreated() ? " (created, ACTIVE)" : " (kept)"),
                    "policy",
                    registration.policyName(),
                    "files",
                    folder.toString());
            o.println();
            o.println("Settings for the device (Tencent SDK on AWS IoT Core):");
            Text.keyValues(
                    o,
                    "host",
                    mqttHost,
                    "port",
                    mqttPort + " (mutual TLS)",
                    "client id",
                    registration.thingName() + "   (Tencent's SDKs use productId+deviceName: set this one instead)",
                    "ca file",
                    r.path("files").path("rootCa").isNull()
                            ? "AmazonRootCA1.pem (Amazon Trust Services)"
                            : r.path("files").path("rootCa").asText(),
                    "cert file",
                    certificate.toString(),
                    "key file",
                    privateKey.toString(),
                    "publish",
                    "ota/report/" + product + "/" + device + "   (Tencent's $ota/... without the $)",
                    "subscribe",
                    "ota/update/" + product + "/" + device);
        });
    }

    private static Path write(Path file, String text, boolean secret) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, text, StandardCharsets.US_ASCII);
            if (secret) {
                try {
                    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
                } catch (UnsupportedOperationException notPosix) {
                    // best effort on non-POSIX file systems
                }
            }
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
