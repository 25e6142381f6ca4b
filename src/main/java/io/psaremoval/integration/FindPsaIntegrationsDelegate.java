package io.psaremoval.integration;

import static io.psaremoval.removal.RemovalVariables.PSA_INTEGRATION_COUNT;
import static io.psaremoval.removal.RemovalVariables.PSA_INTEGRATION_OPTIONS;

import io.psaremoval.removal.RemovalService;
import java.util.List;
import java.util.Map;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.camunda.bpm.engine.variable.Variables;
import org.springframework.stereotype.Component;

/** Offers the account's removable PSA integrations to the "choose" form as a JSON list of options. */
@Component
class FindPsaIntegrationsDelegate implements JavaDelegate {

    private final IntegrationRepository integrations;
    private final RemovalService removals;

    FindPsaIntegrationsDelegate(IntegrationRepository integrations, RemovalService removals) {
        this.integrations = integrations;
        this.removals = removals;
    }

    @Override
    public void execute(DelegateExecution execution) {
        long accountId = removals.get(execution.getProcessInstanceId()).requireAccountId();
        List<Map<String, String>> options = integrations.findRemovablePsaIntegrations(accountId).stream()
                .map(integration -> Map.of("label", integration.label(), "value", String.valueOf(integration.id())))
                .toList();
        execution.setVariable(PSA_INTEGRATION_OPTIONS, Variables.objectValue(options)
                .serializationDataFormat(Variables.SerializationDataFormats.JSON).create());
        execution.setVariable(PSA_INTEGRATION_COUNT, options.size());
    }
}
