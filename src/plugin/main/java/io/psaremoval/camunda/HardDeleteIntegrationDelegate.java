package io.psaremoval.camunda;

import io.psaremoval.removal.DataRemovalService;
import io.psaremoval.removal.RemovalMode;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.springframework.stereotype.Component;

/**
 * Deletes chunks for one job's time budget; the progress goes into variables for Cockpit and the gateway. A pending
 * deletion whose cooling-off period is not over purges nothing and waits again.
 */
@Component
class HardDeleteIntegrationDelegate extends WriteStepDelegate {

    private final DataRemovalService data;
    private final RemovalNotices notices;

    HardDeleteIntegrationDelegate(DataRemovalService data, RemovalNotices notices) {
        this.data = data;
        this.notices = notices;
    }

    @Override
    void write(DelegateExecution execution) {
        String processInstanceId = execution.getProcessInstanceId();
        DataRemovalService.Progress progress = data.hardDelete(processInstanceId);
        RemovalVariables.setProgress(execution, data, processInstanceId, RemovalMode.DELETE, progress);
        if (progress.scopeChanged()) {
            notices.scopeChangedWhilePending(processInstanceId);
        } else if (!progress.coolingOff()) {
            notices.purgeBegun(processInstanceId);
        }
    }
}
