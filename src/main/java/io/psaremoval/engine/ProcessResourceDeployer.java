package io.psaremoval.engine;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.camunda.bpm.engine.RepositoryService;
import org.camunda.bpm.engine.repository.DeploymentBuilder;
import org.camunda.bpm.engine.repository.DeploymentWithDefinitions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;
import org.springframework.stereotype.Component;

/**
 * Deploys the models of the top-level {@code processes/} and {@code forms/} folders (BPMN, DMN and
 * Camunda Forms) as one deployment, under names relative to the classpath root, e.g.
 * {@code processes/RemovePsaIntegration.bpmn}.
 *
 * <p>The names are the same under {@code mvn spring-boot:run} and {@code java -jar}, and duplicate
 * filtering compares them with the previous deployment: a restart with unchanged files deploys
 * nothing, and a change redeploys every resource together, so a form referenced with
 * {@code camunda:formRefBinding="deployment"} always sits beside its process. (The starter's own
 * auto-deployment is switched off because it names resources by absolute path and skips forms.)
 */
@Component
class ProcessResourceDeployer implements SmartInitializingSingleton {

    static final String DEPLOYMENT_NAME = "psa-integration-removal";
    private static final List<String> PATTERNS = List.of(
            "classpath*:processes/**/*.bpmn", "classpath*:processes/**/*.dmn", "classpath*:forms/**/*.form");
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
        DeploymentBuilder deployment = repositoryService.createDeployment()
                .name(DEPLOYMENT_NAME)
                .source(DEPLOYMENT_NAME)
                .enableDuplicateFiltering(false);
        List<String> names = new ArrayList<>();
        for (Resource resource : resources()) {
            String name = classpathName(resource);
            try (InputStream content = resource.getInputStream()) {
                deployment.addInputStream(name, content);
            } catch (IOException e) {
                throw new IllegalStateException("Cannot read " + name, e);
            }
            names.add(name);
        }
        DeploymentWithDefinitions result = deployment.deployWithResult();
        log.info("Process resources {}: {}", result.getDeployedProcessDefinitions() == null
                || result.getDeployedProcessDefinitions().isEmpty() ? "unchanged" : "deployed as " + result.getId(), names);
        return result;
    }

    private static List<Resource> resources() {
        PathMatchingResourcePatternResolver resolver = new PathMatchingResourcePatternResolver();
        List<Resource> resources = new ArrayList<>();
        for (String pattern : PATTERNS) {
            try {
                resources.addAll(List.of(resolver.getResources(pattern)));
            } catch (IOException e) {
                throw new IllegalStateException("Cannot scan " + pattern, e);
            }
        }
        resources.sort(Comparator.comparing(ProcessResourceDeployer::classpathName));
        return resources;
    }

    /** {@code .../classes/processes/X.bpmn} or {@code jar:...!/BOOT-INF/classes!/processes/X.bpmn} → {@code processes/X.bpmn}. */
    static String classpathName(Resource resource) {
        try {
            String url = resource.getURL().toString();
            int start = Math.max(url.lastIndexOf("/processes/"), url.lastIndexOf("/forms/"));
            return url.substring(start + 1);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
