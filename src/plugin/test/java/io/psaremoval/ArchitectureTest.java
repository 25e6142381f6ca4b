package io.psaremoval;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The plugin's packages import downward only: the Camunda glue ({@code camunda}: everything the BPMN names) on top,
 * the engine wiring ({@code engine}) and the audit read model below it, the feature packages ({@code removal},
 * {@code account}, {@code integration}, {@code backup}) below those, small shared parts ({@code security},
 * {@code schema}) at the bottom; no cycle anywhere. A new import that breaks this fails the build.
 */
class ArchitectureTest {

    private static final JavaClasses PLUGIN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.psaremoval");

    @Test
    void packagesFormNoCycle() {
        slices().matching("io.psaremoval.(*)..").should().beFreeOfCycles().check(PLUGIN);
    }

    @Test
    void featurePackagesKnowNothingOfCamundaGlueEngineWiringOrAudit() {
        noClasses().that().resideInAnyPackage("io.psaremoval.removal..", "io.psaremoval.restore..", "io.psaremoval.account..",
                        "io.psaremoval.integration..", "io.psaremoval.backup..", "io.psaremoval.rmm..", "io.psaremoval.security..",
                        "io.psaremoval.schema..")
                .should().dependOnClassesThat().resideInAnyPackage("io.psaremoval.camunda..", "io.psaremoval.engine..",
                        "io.psaremoval.audit..")
                .check(PLUGIN);
    }

    @Test
    void theEngineWiringDoesNotReachIntoTheBpmnGlue() {
        noClasses().that().resideInAnyPackage("io.psaremoval.engine..", "io.psaremoval.audit..")
                .should().dependOnClassesThat().resideInAPackage("io.psaremoval.camunda..")
                .check(PLUGIN);
    }

    @Test
    void onlyTheCamundaGlueImplementsWhatTheBpmnCalls() {
        noClasses().that().resideOutsideOfPackages("io.psaremoval.camunda..")
                .should().implement(org.camunda.bpm.engine.delegate.JavaDelegate.class)
                .orShould().implement(org.camunda.bpm.engine.delegate.TaskListener.class)
                .check(PLUGIN);
    }
}
