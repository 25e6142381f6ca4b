package io.psaremoval.removal;

import static io.psaremoval.removal.RemovalVariables.INTEGRATION_ID;
import static io.psaremoval.removal.RemovalVariables.INTEGRATION_NAME;

import io.psaremoval.integration.IntegrationUnavailableException;
import org.camunda.bpm.engine.delegate.BpmnError;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/** Marks the chosen integration "removing"; if another removal got there first, ends this one as unavailable. */
@Component
class ReserveIntegrationDelegate implements JavaDelegate {

    static final String ERROR_INTEGRATION_UNAVAILABLE = "INTEGRATION_UNAVAILABLE";
    static final String UNAVAILABLE_REASON = "unavailableReason";

    private final RemovalService removals;

    ReserveIntegrationDelegate(RemovalService removals) {
        this.removals = removals;
    }

    @Override
    public void execute(DelegateExecution execution) {
        long integrationId = Long.parseLong(String.valueOf(execution.getVariable(INTEGRATION_ID)));
        try {
            Removal removal = removals.reserve(execution.getProcessInstanceId(), integrationId);
            execution.setVariable(INTEGRATION_NAME, removal.integrationName());
        } catch (IntegrationUnavailableException e) {
            execution.setVariable(UNAVAILABLE_REASON, e.getMessage());
            throw new BpmnError(ERROR_INTEGRATION_UNAVAILABLE, e.getMessage());
        }
    }
}
