package io.psaremoval.removal;

import static io.psaremoval.removal.RemovalVariables.RMM_DEVICES_UNMATCHED;
import static io.psaremoval.removal.RemovalVariables.ROWS_DELETED;

import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

@Component
class HardDeleteIntegrationDelegate implements JavaDelegate {

    private final RemovalService removals;

    HardDeleteIntegrationDelegate(RemovalService removals) {
        this.removals = removals;
    }

    @Override
    public void execute(DelegateExecution execution) {
        String processInstanceId = execution.getProcessInstanceId();
        execution.setVariable(RMM_DEVICES_UNMATCHED, removals.hardDelete(processInstanceId));
        execution.setVariable(ROWS_DELETED, removals.rowsDeleted(processInstanceId));
    }
}
