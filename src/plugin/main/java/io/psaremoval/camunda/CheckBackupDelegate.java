package io.psaremoval.camunda;

import static io.psaremoval.camunda.RemovalVariables.BACKUP_RECENT;
import static io.psaremoval.camunda.RemovalVariables.BACKUP_SUMMARY;

import io.psaremoval.removal.ImpactReport;
import io.psaremoval.removal.RemovalService;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/** Finds whether the account has a recent backup; if so, the removal relies on it. */
@Component
class CheckBackupDelegate implements JavaDelegate {

    private final RemovalService removals;

    CheckBackupDelegate(RemovalService removals) {
        this.removals = removals;
    }

    @Override
    public void execute(DelegateExecution execution) {
        String processInstanceId = execution.getProcessInstanceId();
        execution.setVariable(BACKUP_RECENT, removals.checkRecentBackup(processInstanceId));
        execution.setVariable(BACKUP_SUMMARY, ImpactReport.plain(removals.backupSummary(processInstanceId))); // shown as written
    }
}
