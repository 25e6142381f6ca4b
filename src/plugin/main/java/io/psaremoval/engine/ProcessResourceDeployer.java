package io.psaremoval.engine;

import java.io.IOException;
import java.io.InputStream;
import java.util.zip.ZipInputStream;
import org.camunda.bpm.engine.RepositoryService;
import org.camunda.bpm.engine.repository.DeploymentWithDefinitions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.core.io.ClassPathResource;
import org.springframework.stereotype.Component;

/**
 * Deploys the plugin's models (BPMN, DMN and Camunda Forms, from the repository's top-level {@code processes/} and
 * {@code forms/}) as one deployment named {@value #DEPLOYMENT_NAME}, under names such as
 * {@code processes/RemovePsaIntegration.bpmn}. The build puts them into the jar as one zip
 * ({@value #MODELS}) that only this class reads, so that a host's own auto-deployment, which scans every jar for
 * {@code *.bpmn}, never deploys them a second time, with or without {@code @EnableProcessApplication}.
 *
 * <p>Duplicate filtering compares the names and contents with the previous deployment of that name: a restart with
 * unchanged models deploys nothing, and a change redeploys every resource together, so a form referenced with
 * {@code camunda:formRefBinding="deployment"} always sits beside its process.
 */
@Component
class ProcessResourceDeployer implements SmartInitializingSingleton {

    static final String DEPLOYMENT_NAME = "psa-integration-removal";
    static final String MODELS = "io/psaremoval/models.zip";
    private static final Logger log = LoggerFactory.getLogger(ProcessResourceDeployer.class);

    private final RepositoryService repositoryService;

    ProcessResourceDeployer(RepositoryService repositoryService) {
        this.repositoryService = repositoryService;
    }

    @Override
    public void afterSingletonsInstantiated() {
        deploy();
    }

    DeploymentWithDefinitions deploy() {
        try (InputStream models = new ClassPathResource(MODELS, ProcessResourceDeployer.class.getClassLoader()).getInputStream();
             ZipInputStream zip = new ZipInputStream(models)) {
            DeploymentWithDefinitions result = repositoryService.createDeployment()
                    .name(DEPLOYMENT_NAME)
                    .source(DEPLOYMENT_NAME)
                    .enableDuplicateFiltering(false)
                    .addZipInputStream(zip)
                    .deployWithResult();
            log.info("Process resources of the PSA integration removal: {}", result.getDeployedProcessDefinitions() == null
                    || result.getDeployedProcessDefinitions().isEmpty() ? "unchanged" : "deployed as " + result.getId());
            return result;
        } catch (IOException e) {
            throw new IllegalStateException("Cannot read the plugin's models " + MODELS, e);
        }
    }
}
