package io.psaremoval.camunda;

import static io.psaremoval.camunda.RemovalVariables.DELETION_OUTLOOK;

import io.psaremoval.removal.DeletionApprovals;
import org.camunda.bpm.engine.delegate.DelegateTask;
import org.camunda.bpm.engine.delegate.TaskListener;
import org.springframework.stereotype.Component;

/**
 * On "Confirm the deletion": what happens once the person confirms (whether a second Administrator must approve it
 * and who can, how long it waits out of sight and cancellable, how long it can be restored), as the account's policy
 * and the settings stand when the task opens. The rules themselves are checked again when the person confirms.
 */
@Component("showDeletionOutlook")
class DeletionOutlookListener implements TaskListener {

    private final DeletionApprovals approvals;

    DeletionOutlookListener(DeletionApprovals approvals) {
        this.approvals = approvals;
    }

    @Override
    public void notify(DelegateTask task) {
        task.setVariable(DELETION_OUTLOOK, approvals.outlook(task.getProcessInstanceId()));
    }
}
