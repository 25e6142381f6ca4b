package io.psaremoval.backup;

import static io.psaremoval.removal.RemovalVariables.BACKUP_CONFIRMED_BY;
import static io.psaremoval.removal.RemovalVariables.EXTERNAL_BACKUP_NOTE;

import io.psaremoval.removal.Removal;
import io.psaremoval.removal.RemovalService;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/** Records the external backup the requester vouched for, with their name and the time. */
@Component
class RecordExternalBackupDelegate implements JavaDelegate {

    private final BackupService backups;
    private final RemovalService removals;

    RecordExternalBackupDelegate(BackupService backups, RemovalService removals) {
        this.backups = backups;
        this.removals = removals;
    }

    @Override
    public void execute(DelegateExecution execution) {
        Removal removal = removals.get(execution.getProcessInstanceId());
        String confirmedBy = (String) execution.getVariable(BACKUP_CONFIRMED_BY);
        backups.recordExternalBackup(removal.requireAccountId(), confirmedBy == null ? removal.requestedBy() : confirmedBy,
                (String) execution.getVariable(EXTERNAL_BACKUP_NOTE), removal.id());
    }
}
