package dev.ota.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import dev.ota.app.Priming;
import dev.ota.app.archviolation.ApplicationCallingAws;
import dev.ota.aws.presign.PresignConfig;
import dev.ota.domain.archviolation.DomainUsingApplication;
import dev.ota.domain.archviolation.DomainUsingJson;
import dev.ota.function.progressreport.ProgressReportHandler;
import dev.ota.function.versionreport.archviolation.FunctionUsingAnotherFunction;
import dev.ota.local.standin.archviolation.StandInUsingOta;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.regions.Region;

/** BuckPal's DependencyRuleTests for this codebase: the production classes keep the rules, and each rule bites. */
class DependencyRuleTest {

    private static JavaClasses production;

    @BeforeAll
    static void importProductionClasses() {
        // The other modules are on this module's classpath as target/classes or as jars; both count.
        production = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.ota");
    }

    static Stream<ArchRule> rules() {
        return DependencyRules.ALL.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rules")
    void productionCodeKeepsTheRule(ArchRule rule) {
        // Every layer's classes are there, or a rule would pass on nothing.
        assertThat(List.of(
                        "dev.ota.domain.ExecutionStateMachine",
                        "dev.ota.port.in.JobOperations",
                        "dev.ota.port.out.DeviceStateStore",
                        "dev.ota.app.VersionReportService",
                        "dev.ota.aws.dynamodb.DynamoDbDeviceStateStore",
                        "dev.ota.function.support.Settings",
                        "dev.ota.function.versionreport.VersionReportHandler",
                        "dev.ota.function.jobengine.JobWorkerHandler",
                        "dev.ota.local.standin.EmbeddedS3",
                        "dev.ota.local.stack.LocalStack"))
                .allSatisfy(
                        name -> assertThat(production.contain(name)).as(name).isTrue());
        rule.check(production);
    }

    static Stream<Arguments> violations() {
        return Stream.of(
                Arguments.of(DependencyRules.LAYERS, DomainUsingApplication.class, Priming.class),
                Arguments.of(DependencyRules.DOMAIN_IS_PLAIN_JAVA, DomainUsingJson.class, ObjectMapper.class),
                Arguments.of(DependencyRules.APPLICATION_HAS_NO_AWS, ApplicationCallingAws.class, Region.class),
                Arguments.of(
                        DependencyRules.FUNCTIONS_ARE_INDEPENDENT,
                        FunctionUsingAnotherFunction.class,
                        ProgressReportHandler.class),
                Arguments.of(DependencyRules.STAND_INS_KNOW_NO_OTA, StandInUsingOta.class, PresignConfig.class));
    }

    /** The offender and the class it must not use, imported together: a layer rule judges the used side. */
    @ParameterizedTest(name = "{1} breaks {0}")
    @MethodSource("violations")
    void ruleFailsOnAClassThatBreaksIt(ArchRule rule, Class<?> offender, Class<?> used) {
        EvaluationResult result = rule.evaluate(new ClassFileImporter().importClasses(offender, used));
        assertThat(result.hasViolation())
                .as("violations of %s by %s", rule.getDescription(), offender.getSimpleName())
                .isTrue();
        assertThat(result.getFailureReport().getDetails())
                .anySatisfy(line -> assertThat(line).contains(offender.getSimpleName()));
    }
}
