package io.psaremoval.camunda;

import static io.psaremoval.camunda.RemovalVariables.BULK_DELETE_ENABLED;

import io.psaremoval.removal.RemovalService;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/** Reads whether bulk delete is enabled on the removal's account. */
@Component
class CheckBulkDeleteDelegate implements JavaDelegate {

    private final RemovalService removals;

    CheckBulkDeleteDelegate(RemovalService removals) {
        this.removals = removals;
    }

    @Override
    public void execute(DelegateExecution execution) {
        execution.setVariable(BULK_DELETE_ENABLED, removals.isBulkDeleteEnabled(execution.getProcessInstanceId()));
    }
}
