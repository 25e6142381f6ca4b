package io.psaremoval.camunda;

import static io.psaremoval.camunda.RemovalVariables.ORGANIZATIONS_OUT_OF_SIGHT;
import static io.psaremoval.camunda.RemovalVariables.PENDING_SUMMARY;

import io.psaremoval.removal.DataRemovalService;
import io.psaremoval.removal.DeletionApprovals;
import io.psaremoval.removal.RemovalMode;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.springframework.stereotype.Component;

/**
 * Moves the confirmed scope out of sight for the cooling-off period; when the purge may start goes into a variable for
 * the timer, what waits for it into one for the Administrators' "Cancel the pending deletion". A changed scope goes to
 * the person to confirm, as the delete's does.
 */
@Component
class MoveOutOfSightDelegate extends WriteStepDelegate {

    private final DataRemovalService data;
    private final DeletionApprovals approvals;

    MoveOutOfSightDelegate(DataRemovalService data, DeletionApprovals approvals) {
        this.data = data;
        this.approvals = approvals;
    }

    @Override
    void write(DelegateExecution execution) {
        String processInstanceId = execution.getProcessInstanceId();
        DataRemovalService.MoveOut moved = data.moveOutOfSight(processInstanceId);
        RemovalVariables.setScopeChanged(execution, data, processInstanceId, RemovalMode.DELETE, moved.scopeChanged());
        if (moved.scopeChanged()) {
            return;
        }
        execution.setVariable(ORGANIZATIONS_OUT_OF_SIGHT, moved.organizations());
        RemovalVariables.setPurgeAfter(execution, moved.purgeAfter());
        execution.setVariable(PENDING_SUMMARY, approvals.confirmedScopeSummary(processInstanceId));
    }
}
