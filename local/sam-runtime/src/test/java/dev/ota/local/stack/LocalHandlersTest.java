package dev.ota.local.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ota.function.support.AwsClients;
import dev.ota.function.support.Environment;
import dev.ota.local.standin.RepoRoot;
import dev.ota.local.template.SamTemplate;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.regions.Region;

class LocalHandlersTest {

    @Test
    void everyHandlerTheTemplateNamesCanBeBuilt() {
        SamTemplate template = SamTemplate.load(RepoRoot.find().resolve("template.yaml"), Map.of());

        assertThat(template.functions()).isNotEmpty().allSatisfy(f -> {
            String handlerClass = f.handler().substring(0, f.handler().indexOf("::"));
            assertThat(LocalHandlers.BY_CLASS).as(f.logicalId()).containsKey(handlerClass);
        });
        assertThat(LocalHandlers.BY_CLASS).hasSameSizeAs(template.functions());
    }

    @Test
    void anUnknownHandlerStopsTheStackWithItsName() {
        AwsClients aws = AwsClients.builder(Region.US_EAST_1, AnonymousCredentialsProvider.create())
                .build();

        assertThatThrownBy(() -> LocalHandlers.create(
                        "NewFunction",
                        "dev.ota.function.NewHandler::handleRequest",
                        Environment.of(Map.of()),
                        aws,
                        Clock.systemUTC()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("NewFunction")
                .hasMessageContaining("dev.ota.function.NewHandler");
    }
}
