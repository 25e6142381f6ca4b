package io.psaremoval.camunda;

import static io.psaremoval.camunda.RemovalVariables.INTEGRATION_ID;
import static io.psaremoval.camunda.RemovalVariables.INTEGRATION_NAME;
import static io.psaremoval.camunda.RemovalVariables.UNAVAILABLE_REASON;

import io.psaremoval.integration.IntegrationUnavailableException;
import io.psaremoval.removal.RemovalService;
import org.camunda.bpm.engine.delegate.BpmnError;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.springframework.stereotype.Component;

/** Marks the chosen integration "removing"; if another removal got there first, ends this one as unavailable. */
@Component
class ReserveIntegrationDelegate extends WriteStepDelegate {

    static final String ERROR_INTEGRATION_UNAVAILABLE = "INTEGRATION_UNAVAILABLE";

    private final RemovalService removals;

    ReserveIntegrationDelegate(RemovalService removals) {
        this.removals = removals;
    }

    @Override
    void write(DelegateExecution execution) {
        long integrationId = RemovalVariables.longValue(execution, INTEGRATION_ID);
        try {
            RemovalVariables.setShown(execution, INTEGRATION_NAME, removals.reserve(execution.getProcessInstanceId(), integrationId)
                    .integrationName());
        } catch (IntegrationUnavailableException e) {
            execution.setVariable(UNAVAILABLE_REASON, e.getMessage());
            throw new BpmnError(ERROR_INTEGRATION_UNAVAILABLE, e.getMessage());
        }
    }
}
