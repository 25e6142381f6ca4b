package io.psaremoval.camunda;

import static io.psaremoval.camunda.RemovalVariables.SUPPORT_NOTE;

import io.psaremoval.removal.RemovalService;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.springframework.stereotype.Component;

/** Switches bulk delete on for the removal's account, as the support agent recorded on the removal agreed. */
@Component
class EnableBulkDeleteDelegate extends WriteStepDelegate {

    private final RemovalService removals;

    EnableBulkDeleteDelegate(RemovalService removals) {
        this.removals = removals;
    }

    @Override
    void write(DelegateExecution execution) {
        removals.enableBulkDelete(execution.getProcessInstanceId(), (String) execution.getVariable(SUPPORT_NOTE));
    }
}
