package dev.ota.cli.device;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ota.cli.Api;
import dev.ota.cli.CliException;
import dev.ota.cli.ExitCodes;
import dev.ota.cli.Subcommand;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.iot.IotClient;
import software.amazon.awssdk.services.iot.model.IotException;

@Command(
        name = "deregister",
        description =
                "Undoes `ota device register`: detaches, deactivates and deletes the device's certificates and deletes its thing. "
                        + "A device that is not registered is not an error.")
final class DeviceDeregister extends Subcommand {

    @Mixin
    IotOptions iot;

    @Override
    public Integer call() {
        Provisioning.Removal removal;
        try (IotClient client = root().iot(iot.endpoint(root()))) {
            removal = new Provisioning(client).deregister(iot.deviceId());
        } catch (Provisioning.ForeignThingException e) {
            throw new CliException(ExitCodes.FAILED, e.getMessage());
        } catch (IotException e) {
            throw DeviceErrors.of(e);
        } catch (SdkClientException e) {
            throw new CliException(ExitCodes.UNAVAILABLE, "AWS IoT: " + e.getMessage());
        }
        ObjectNode result = Api.JSON.createObjectNode();
        result.put("productId", removal.device().productId())
                .put("deviceName", removal.device().deviceName())
                .put("thingName", removal.thingName())
                .put("thingDeleted", removal.thingExisted());
        removal.certificatesDeleted().forEach(result.putArray("certificatesDeleted")::add);
        return show(
                result,
                (o, r) -> o.println(
                        removal.thingExisted()
                                ? "deregistered " + removal.device().key() + ": thing " + removal.thingName() + " and "
                                        + removal.certificatesDeleted().size() + " certificate(s) deleted"
                                : removal.device().key() + " was not registered (no thing " + removal.thingName()
                                        + ")"));
    }
}
