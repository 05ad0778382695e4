package dev.ota.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.lang.ArchRule;
import java.util.List;

/**
 * The dependency rule, as ArchUnit rules: domain ← ports ← application ← adapters ← composition ←
 * functions ← local stack, CLI and tests; and the local AWS stand-ins know nothing of OTA.
 * {@link DependencyRuleTest} checks the production classes against them, and checks that each rule
 * bites on a class that breaks it.
 */
final class DependencyRules {

    static final String DOMAIN = "dev.ota.domain..";
    static final String PORTS = "dev.ota.port..";
    static final String[] APPLICATION = {"dev.ota.app..", "dev.ota.protocol..", "dev.ota.log..", "dev.ota.digest.."};
    static final String[] ADAPTERS = {
        "dev.ota.aws.dynamodb..",
        "dev.ota.aws.s3..",
        "dev.ota.aws.iot..",
        "dev.ota.aws.iotregistry..",
        "dev.ota.aws.presign..",
        "dev.ota.aws.sqs..",
        "dev.ota.aws.metrics..",
        "dev.ota.aws.eventbridge..",
        "dev.ota.aws.cloudfront.."
    };
    /** Where clients, settings and adapters are put together: wiring and what every function shares at its edge. */
    static final String[] COMPOSITION = {"dev.ota.function.support..", "dev.ota.wiring.."};

    static final String[] FUNCTIONS = {
        "dev.ota.function.versionreport..",
        "dev.ota.function.progressreport..",
        "dev.ota.function.updatedevices..",
        "dev.ota.function.firmwareregistration..",
        "dev.ota.function.managementapi..",
        "dev.ota.function.jobengine.."
    };
    /** The local stack (stand-ins, SAM runtime, launcher, demo), the CLI, the tests. */
    static final String[] OUTSIDE = {
        "dev.ota.local..", "dev.ota.it..", "dev.ota.bench..", "dev.ota.cli..", "dev.ota.architecture.."
    };
    /** The local stand-ins for AWS (local/stand-ins). */
    static final String STAND_INS = "dev.ota.local.standin..";

    private DependencyRules() {}

    /** Each layer is used only by the layers outside it. */
    static final ArchRule LAYERS = layeredArchitecture()
            .consideringOnlyDependenciesInLayers()
            .layer("Domain")
            .definedBy(DOMAIN)
            .layer("Ports")
            .definedBy(PORTS)
            .layer("Application")
            .definedBy(APPLICATION)
            .layer("Adapters")
            .definedBy(ADAPTERS)
            .layer("Composition")
            .definedBy(COMPOSITION)
            .layer("Functions")
            .definedBy(FUNCTIONS)
            .layer("Outside")
            .definedBy(OUTSIDE)
            .whereLayer("Domain")
            .mayOnlyBeAccessedByLayers("Ports", "Application", "Adapters", "Composition", "Functions", "Outside")
            .whereLayer("Ports")
            .mayOnlyBeAccessedByLayers("Application", "Adapters", "Composition", "Functions", "Outside")
            .whereLayer("Application")
            .mayOnlyBeAccessedByLayers("Adapters", "Composition", "Functions", "Outside")
            .whereLayer("Adapters")
            .mayOnlyBeAccessedByLayers("Composition", "Functions", "Outside")
            .whereLayer("Composition")
            .mayOnlyBeAccessedByLayers("Functions", "Outside")
            .whereLayer("Functions")
            .mayOnlyBeAccessedByLayers("Outside")
            .because("dependencies point one way: domain ← ports ← application ← adapters ← composition ← functions");

    /** The domain and its ports are plain Java: no JSON, no AWS, no Lambda. */
    static final ArchRule DOMAIN_IS_PLAIN_JAVA = classes()
            .that()
            .resideInAnyPackage(DOMAIN, PORTS)
            .should()
            .onlyDependOnClassesThat()
            .resideInAnyPackage("java..", DOMAIN, PORTS)
            .because("the domain decides; adapters do the I/O");

    /** Outbound ports do not know the operator's operations (the inbound ports). */
    static final ArchRule OUTBOUND_PORTS_IGNORE_INBOUND = noClasses()
            .that()
            .resideInAPackage("dev.ota.port.out..")
            .should()
            .dependOnClassesThat()
            .resideInAPackage("dev.ota.port.in..")
            .because("stores and queues serve the application, not the API");

    /** The application talks to AWS and Lambda only through ports. */
    static final ArchRule APPLICATION_HAS_NO_AWS = noClasses()
            .that()
            .resideInAnyPackage(APPLICATION)
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("software.amazon..", "com.amazonaws..")
            .because("AWS is an adapter's business");

    /** A function never reaches into another function. */
    static final ArchRule FUNCTIONS_ARE_INDEPENDENT = slices().matching("dev.ota.function.(*)..")
            .should()
            .notDependOnEachOther()
            .ignoreDependency(
                    DescribedPredicate.alwaysTrue(),
                    JavaClass.Predicates.resideInAPackage("dev.ota.function.support.."))
            .because("each function is deployed on its own");

    /** Adapters of different services do not call each other; composition puts them together. */
    static final ArchRule ADAPTERS_ARE_INDEPENDENT = slices().matching("dev.ota.aws.(*)..")
            .should()
            .notDependOnEachOther()
            .because("each adapter module holds one AWS service");

    /** The stand-ins are AWS look-alikes: they use no dev.ota class but their own (their module depends on none). */
    static final ArchRule STAND_INS_KNOW_NO_OTA = noClasses()
            .that()
            .resideInAPackage(STAND_INS)
            .should()
            .dependOnClassesThat(JavaClass.Predicates.resideInAPackage("dev.ota..")
                    .and(JavaClass.Predicates.resideOutsideOfPackage(STAND_INS)))
            .because("they stand in for AWS, which knows nothing of firmware updates; OTA wiring is the SAM runtime's");

    static final List<ArchRule> ALL = List.of(
            LAYERS,
            DOMAIN_IS_PLAIN_JAVA,
            OUTBOUND_PORTS_IGNORE_INBOUND,
            APPLICATION_HAS_NO_AWS,
            FUNCTIONS_ARE_INDEPENDENT,
            ADAPTERS_ARE_INDEPENDENT,
            STAND_INS_KNOW_NO_OTA);
}
