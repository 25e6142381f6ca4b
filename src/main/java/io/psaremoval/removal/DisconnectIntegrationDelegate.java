package io.psaremoval.removal;

import static io.psaremoval.removal.RemovalVariables.ROWS_DISCONNECTED;

import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

@Component
class DisconnectIntegrationDelegate implements JavaDelegate {

    private final RemovalService removals;

    DisconnectIntegrationDelegate(RemovalService removals) {
        this.removals = removals;
    }

    @Override
    public void execute(DelegateExecution execution) {
        execution.setVariable(ROWS_DISCONNECTED, removals.disconnect(execution.getProcessInstanceId()));
    }
}
