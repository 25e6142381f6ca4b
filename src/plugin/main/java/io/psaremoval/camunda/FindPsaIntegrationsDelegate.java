package io.psaremoval.camunda;

import static io.psaremoval.camunda.RemovalVariables.PSA_INTEGRATION_COUNT;
import static io.psaremoval.camunda.RemovalVariables.PSA_INTEGRATION_OPTIONS;

import io.psaremoval.integration.Integrations;
import io.psaremoval.removal.RemovalService;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.camunda.spin.Spin;
import org.camunda.spin.plugin.variable.SpinValues;
import org.springframework.stereotype.Component;

/**
 * Offers the account's removable PSA integrations to the "choose" form as a list of options, a JSON variable (Cockpit
 * shows it as JSON, not as a Java class).
 */
@Component
class FindPsaIntegrationsDelegate implements JavaDelegate {

    private final Integrations integrations;
    private final RemovalService removals;

    FindPsaIntegrationsDelegate(Integrations integrations, RemovalService removals) {
        this.integrations = integrations;
        this.removals = removals;
    }

    @Override
    public void execute(DelegateExecution execution) {
        long accountId = removals.get(execution.getProcessInstanceId()).requireAccountId();
        List<Map<String, String>> options = new ArrayList<>();
        integrations.findRemovablePsaIntegrations(accountId).forEach(integration -> {
            Map<String, String> option = new LinkedHashMap<>();
            option.put("label", integration.label());
            option.put("value", String.valueOf(integration.id()));
            options.add(option);
        });
        execution.setVariable(PSA_INTEGRATION_OPTIONS, SpinValues.jsonValue(Spin.JSON(options)).create());
        execution.setVariable(PSA_INTEGRATION_COUNT, options.size());
    }
}
