package io.psaremoval.camunda;

import static io.psaremoval.camunda.RemovalVariables.RMM_DEVICES_UNMATCHED;
import static io.psaremoval.camunda.RemovalVariables.ROWS_DELETED;

import io.psaremoval.removal.DataRemovalService;
import io.psaremoval.removal.RemovalMode;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.springframework.stereotype.Component;

/** Deletes chunks for one job's time budget; the progress goes into variables for Cockpit and the gateway. */
@Component
class HardDeleteIntegrationDelegate extends WriteStepDelegate {

    private final DataRemovalService data;

    HardDeleteIntegrationDelegate(DataRemovalService data) {
        this.data = data;
    }

    @Override
    void write(DelegateExecution execution) {
        String processInstanceId = execution.getProcessInstanceId();
        DataRemovalService.Progress progress = data.hardDelete(processInstanceId);
        RemovalVariables.setProgress(execution, progress, data.progressReport(processInstanceId, RemovalMode.DELETE,
                progress.finished()));
        execution.setVariable(ROWS_DELETED, data.rows(processInstanceId, "DELETED"));
        execution.setVariable(RMM_DEVICES_UNMATCHED, data.unmatchedDevices(processInstanceId));
    }
}
