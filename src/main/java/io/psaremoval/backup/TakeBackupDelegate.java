package io.psaremoval.backup;

import io.psaremoval.removal.Removal;
import io.psaremoval.removal.RemovalService;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

@Component
class TakeBackupDelegate implements JavaDelegate {

    private final BackupService backups;
    private final RemovalService removals;

    TakeBackupDelegate(BackupService backups, RemovalService removals) {
        this.backups = backups;
        this.removals = removals;
    }

    @Override
    public void execute(DelegateExecution execution) {
        Removal removal = removals.get(execution.getProcessInstanceId());
        backups.exportAccount(removal.requireAccountId(), removal.requestedBy(), removal.id());
    }
}
