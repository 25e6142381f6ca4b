package io.psaremoval.camunda;

import static io.psaremoval.camunda.RemovalVariables.BACKUP_CONFIRMED_BY;
import static io.psaremoval.camunda.RemovalVariables.EXTERNAL_BACKUP_NOTE;
import static io.psaremoval.camunda.RemovalVariables.EXTERNAL_BACKUP_TAKEN_AT;

import io.psaremoval.removal.RemovalService;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.springframework.stereotype.Component;

/** Records the external backup the person vouched for (who, from the form's validator), with the time they stated. */
@Component
class RecordExternalBackupDelegate extends WriteStepDelegate {

    private final RemovalService removals;

    RecordExternalBackupDelegate(RemovalService removals) {
        this.removals = removals;
    }

    @Override
    void write(DelegateExecution execution) {
        removals.recordExternalBackup(execution.getProcessInstanceId(), (String) execution.getVariable(BACKUP_CONFIRMED_BY),
                (String) execution.getVariable(EXTERNAL_BACKUP_NOTE), (String) execution.getVariable(EXTERNAL_BACKUP_TAKEN_AT));
    }
}
