package dev.ota.local.template;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ota.domain.OperatorException;
import dev.ota.function.managementapi.ApiError;
import dev.ota.function.managementapi.Route;
import dev.ota.function.managementapi.Routes;
import dev.ota.local.standin.RepoRoot;
import java.io.Reader;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The management API's routes are written down three times: the handler's route table
 * (Routes.ALL), template.yaml's HttpApi events (what API Gateway routes to the function), and
 * docs/openapi.yaml. They must be the same set, so none can drift.
 */
class ApiContractTest {

    private static final Set<String> HTTP_METHODS =
            Set.of("get", "put", "post", "delete", "options", "head", "patch", "trace");
    private static final Path REPO = RepoRoot.find();

    @SuppressWarnings("unchecked")
    private static Map<String, Object> openApi() throws Exception {
        try (Reader reader = Files.newBufferedReader(REPO.resolve("docs/openapi.yaml"))) {
            return new Yaml(new SafeConstructor(new LoaderOptions())).load(reader);
        }
    }

    /** "METHOD /path" -> operationId, from the OpenAPI document. */
    @SuppressWarnings("unchecked")
    private static Map<String, String> openApiOperations() throws Exception {
        Map<String, String> operations = new java.util.TreeMap<>();
        Map<String, Object> paths = (Map<String, Object>) openApi().get("paths");
        paths.forEach((path, item) -> ((Map<String, Object>) item).forEach((key, op) -> {
            if (HTTP_METHODS.contains(key)) {
                operations.put(
                        key.toUpperCase(Locale.ROOT) + " " + path,
                        String.valueOf(((Map<String, Object>) op).get("operationId")));
            }
        }));
        return operations;
    }

    private static Set<String> handlerRoutes() {
        return new TreeSet<>(Routes.ALL.stream().map(Route::routeKey).toList());
    }

    private static List<SamTemplate.HttpRoute> templateRoutes() {
        return SamTemplate.load(REPO.resolve("template.yaml"), Map.of()).httpApiRoutes();
    }

    @Test
    void openApiPathsAndMethodsAreTheHandlersRoutes() throws Exception {
        assertThat(openApiOperations().keySet()).containsExactlyInAnyOrderElementsOf(handlerRoutes());
    }

    @Test
    void templateHttpApiEventsAreTheHandlersRoutes() {
        List<String> keys =
                templateRoutes().stream().map(SamTemplate.HttpRoute::routeKey).toList();
        assertThat(keys).doesNotHaveDuplicates();
        assertThat(keys).containsExactlyInAnyOrderElementsOf(handlerRoutes());
    }

    @Test
    void everyTemplateRouteGoesToTheManagementFunctionWithIamAuth() {
        assertThat(templateRoutes()).allSatisfy(r -> {
            assertThat(r.functionLogicalId()).isEqualTo("ManagementApiFunction");
            assertThat(r.apiLogicalId()).isEqualTo("ManagementHttpApi");
            assertThat(r.iamAuth()).as(r.routeKey()).isTrue();
        });
        String handler = SamTemplate.load(REPO.resolve("template.yaml"), Map.of()).functions().stream()
                .filter(f -> f.logicalId().equals("ManagementApiFunction"))
                .findFirst()
                .orElseThrow()
                .handler();
        assertThat(handler)
                .isEqualTo(dev.ota.function.managementapi.ManagementApiHandler.class.getName() + "::handleRequest");
    }

    @Test
    void operationIdsMatchTheRouteTable() throws Exception {
        Map<String, String> documented = openApiOperations();
        for (Route route : Routes.ALL) {
            assertThat(documented.get(route.routeKey())).as(route.routeKey()).isEqualTo(route.operationId());
        }
    }

    @Test
    void templateEventNamesFollowTheOperationIds() {
        for (SamTemplate.HttpRoute r : templateRoutes()) {
            Route route = Routes.ALL.stream()
                    .filter(x -> x.routeKey().equals(r.routeKey()))
                    .findFirst()
                    .orElseThrow();
            assertThat(r.eventName()).isEqualToIgnoringCase(route.operationId());
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void everyErrorCodeTheApiCanAnswerIsDocumented() throws Exception {
        Map<String, Object> schemas =
                (Map<String, Object>) ((Map<String, Object>) openApi().get("components")).get("schemas");
        Map<String, Object> error = (Map<String, Object>) schemas.get("Error");
        List<String> documented = (List<String>)
                ((Map<String, Object>) ((Map<String, Object>) error.get("properties")).get("code")).get("enum");

        Set<String> codes = new TreeSet<>(
                Arrays.stream(OperatorException.Code.values()).map(Enum::name).toList());
        for (Field f : ApiError.class.getFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class) {
                codes.add((String) f.get(null));
            }
        }
        assertThat(documented).containsExactlyInAnyOrderElementsOf(codes);
    }

    @Test
    @SuppressWarnings("unchecked")
    void everyOperationIsSignedWithSigV4() throws Exception {
        Map<String, Object> doc = openApi();
        assertThat((List<Map<String, Object>>) doc.get("security")).containsExactly(Map.of("sigv4", List.of()));
        Map<String, Object> scheme = (Map<String, Object>)
                ((Map<String, Object>) ((Map<String, Object>) doc.get("components")).get("securitySchemes"))
                        .get("sigv4");
        assertThat(scheme.get("x-amazon-apigateway-authtype")).isEqualTo("awsSigv4");
    }
}
