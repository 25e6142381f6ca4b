package io.psaremoval.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.camunda.bpm.engine.form.CamundaFormRef;
import org.camunda.bpm.engine.form.StartFormData;
import org.camunda.bpm.engine.impl.cmd.GetCamundaFormDefinitionCmd;
import org.camunda.bpm.engine.impl.cmd.GetStartFormCmd;
import org.camunda.bpm.engine.impl.interceptor.CommandContext;
import org.camunda.bpm.engine.impl.persistence.entity.ResourceEntity;
import org.camunda.bpm.engine.impl.persistence.entity.TaskEntity;
import org.camunda.bpm.engine.repository.CamundaFormDefinition;

/**
 * The input fields of the Camunda Form a task or a start event shows, read from the deployment, inside the
 * command that asks (without the caller's authorizations: the model is the application's business). A form's
 * fields are what a person may submit; anything else is not theirs to set. Cached per form definition.
 */
final class FormFields {

    private static final Set<String> INPUT_TYPES = Set.of("textfield", "textarea", "select", "radio", "checkbox",
            "checklist", "number", "datetime", "taglist");

    private final ObjectMapper json = new ObjectMapper();
    private final Map<String, Set<String>> cache = new ConcurrentHashMap<>();

    /** The fields of the task's Camunda Form; empty when the task has none. */
    Optional<Set<String>> ofTask(CommandContext context, TaskEntity task) {
        if (task.getProcessDefinitionId() == null) {
            return Optional.empty(); // a task of no process: not one of a removal
        }
        return context.runWithoutAuthorization(() -> {
            task.initializeFormKey();
            return of(context, task.getCamundaFormRef(), task.getProcessDefinition().getDeploymentId());
        });
    }

    /** The fields of the process definition's start form; empty when it has no Camunda Form. */
    Optional<Set<String>> ofStart(CommandContext context, String processDefinitionId) {
        return context.runWithoutAuthorization(() -> {
            StartFormData startForm = new GetStartFormCmd(processDefinitionId).execute(context);
            return of(context, startForm.getCamundaFormRef(), startForm.getDeploymentId());
        });
    }

    private Optional<Set<String>> of(CommandContext context, CamundaFormRef formRef, String deploymentId) {
        if (formRef == null) {
            return Optional.empty();
        }
        CamundaFormDefinition form = new GetCamundaFormDefinitionCmd(formRef, deploymentId).execute(context);
        if (form == null) {
            return Optional.empty();
        }
        return Optional.of(cache.computeIfAbsent(form.getId(), id -> {
            ResourceEntity resource = context.getResourceManager()
                    .findResourceByDeploymentIdAndResourceName(form.getDeploymentId(), form.getResourceName());
            try {
                Set<String> keys = new TreeSet<>();
                collectInputKeys(json.readTree(resource.getBytes()), keys);
                return Set.copyOf(keys);
            } catch (IOException e) {
                throw new IllegalStateException("Cannot read form " + form.getResourceName(), e);
            }
        }));
    }

    /** Input fields at any depth (groups and dynamic lists nest components). */
    private static void collectInputKeys(JsonNode container, Set<String> keys) {
        for (JsonNode component : container.path("components")) {
            if (INPUT_TYPES.contains(component.path("type").asText()) && component.hasNonNull("key")) {
                keys.add(component.get("key").asText());
            }
            collectInputKeys(component, keys);
        }
    }
}
