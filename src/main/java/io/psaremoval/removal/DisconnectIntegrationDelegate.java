package io.psaremoval.removal;

import static io.psaremoval.removal.RemovalVariables.ORGANIZATIONS_LEFT;
import static io.psaremoval.removal.RemovalVariables.PROGRESS_BY_KIND;
import static io.psaremoval.removal.RemovalVariables.REMOVAL_FINISHED;
import static io.psaremoval.removal.RemovalVariables.ROWS_DISCONNECTED;

import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/** Disconnects chunks for one job's time budget; the progress goes into variables for Cockpit and the gateway. */
@Component
class DisconnectIntegrationDelegate implements JavaDelegate {

    private final RemovalService removals;

    DisconnectIntegrationDelegate(RemovalService removals) {
        this.removals = removals;
    }

    @Override
    public void execute(DelegateExecution execution) {
        String processInstanceId = execution.getProcessInstanceId();
        RemovalService.Progress progress = removals.disconnect(processInstanceId);
        execution.setVariable(REMOVAL_FINISHED, progress.finished());
        execution.setVariable(ORGANIZATIONS_LEFT, progress.organizationsLeft());
        execution.setVariable(PROGRESS_BY_KIND, removals.progressReport(processInstanceId, RemovalMode.DISCONNECT,
                progress.finished()));
        execution.setVariable(ROWS_DISCONNECTED, removals.rows(processInstanceId, "DISCONNECTED"));
    }
}
