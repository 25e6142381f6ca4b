package io.psaremoval.backup;

import static io.psaremoval.removal.RemovalVariables.BACKUP_RECENT;
import static io.psaremoval.removal.RemovalVariables.BACKUP_SUMMARY;

import io.psaremoval.removal.RemovalService;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

@Component
class CheckBackupDelegate implements JavaDelegate {

    private final BackupService backups;
    private final RemovalService removals;

    CheckBackupDelegate(BackupService backups, RemovalService removals) {
        this.backups = backups;
        this.removals = removals;
    }

    @Override
    public void execute(DelegateExecution execution) {
        long accountId = removals.get(execution.getProcessInstanceId()).requireAccountId();
        execution.setVariable(BACKUP_RECENT, backups.hasRecentBackup(accountId));
        execution.setVariable(BACKUP_SUMMARY, backups.summary(accountId));
    }
}
