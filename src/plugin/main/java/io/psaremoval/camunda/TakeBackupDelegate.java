package io.psaremoval.camunda;

import io.psaremoval.removal.RemovalService;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.springframework.stereotype.Component;

/** Exports the account now; the removal relies on that export. */
@Component
class TakeBackupDelegate extends WriteStepDelegate {

    private final RemovalService removals;

    TakeBackupDelegate(RemovalService removals) {
        this.removals = removals;
    }

    @Override
    void write(DelegateExecution execution) {
        removals.exportAccount(execution.getProcessInstanceId());
    }
}
