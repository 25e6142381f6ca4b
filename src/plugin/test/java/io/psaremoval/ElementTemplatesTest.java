package io.psaremoval;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.camunda.bpm.model.bpmn.Bpmn;
import org.camunda.bpm.model.bpmn.BpmnModelInstance;
import org.camunda.bpm.model.bpmn.instance.ServiceTask;
import org.junit.jupiter.api.Test;

/**
 * The Camunda Modeler element templates the plugin ships (in the jar, {@code io/psaremoval/element-templates}) are
 * the ones the shipped process uses: every service task that names a template has exactly the template's
 * implementation, every template is used, and each template's delegate is a bean of the plugin.
 */
class ElementTemplatesTest {

    @Test
    void theShippedProcessUsesTheShippedTemplatesAsTheyAre() throws Exception {
        Map<String, JsonNode> templates = new HashMap<>();
        try (InputStream in = getClass().getResourceAsStream("/io/psaremoval/element-templates/psa-integration-removal.json")) {
            new ObjectMapper().readTree(in).forEach(template -> templates.put(template.path("id").asText(), template));
        }
        assertThat(templates).containsOnlyKeys("io.psaremoval.ReserveIntegration", "io.psaremoval.PreviewImpact",
                "io.psaremoval.DisconnectIntegration", "io.psaremoval.HardDeleteIntegration",
                "io.psaremoval.NotifyRmmUnmatching", "io.psaremoval.DeliverRmmNotices");

        BpmnModelInstance model = Bpmn.readModelFromFile(Path.of("../../processes/RemovePsaIntegration.bpmn").toFile());
        Set<String> used = new HashSet<>();
        for (ServiceTask task : model.getModelElementsByType(ServiceTask.class)) {
            String templateId = task.getAttributeValueNs("http://camunda.org/schema/1.0/bpmn", "modelerTemplate");
            if (templateId == null) {
                continue;
            }
            JsonNode template = templates.get(templateId);
            assertThat(template).as(task.getId() + " names a shipped template").isNotNull();
            used.add(templateId);
            for (JsonNode property : template.path("properties")) {
                String name = property.path("binding").path("name").asText();
                if (name.equals("camunda:delegateExpression")) {
                    assertThat(task.getCamundaDelegateExpression()).as(task.getId()).isEqualTo(property.path("value").asText());
                    String bean = property.path("value").asText().replaceAll("[${}]", "");
                    String className = Character.toUpperCase(bean.charAt(0)) + bean.substring(1);
                    assertThat(Files.exists(Path.of("main/java/io/psaremoval/camunda/" + className + ".java")))
                            .as("a delegate bean " + bean).isTrue();
                } else if (name.equals("camunda:asyncBefore")) {
                    assertThat(task.isCamundaAsyncBefore()).as(task.getId() + " asyncBefore").isEqualTo(
                            Boolean.parseBoolean(property.path("value").asText()));
                }
            }
        }
        assertThat(used).as("every template is used by the shipped process").isEqualTo(templates.keySet());
    }
}
