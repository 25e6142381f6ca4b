package io.psaremoval.camunda;

import static io.psaremoval.camunda.RemovalVariables.APPROVAL_DECISION;
import static io.psaremoval.camunda.RemovalVariables.APPROVAL_NOTE;
import static io.psaremoval.camunda.RemovalVariables.APPROVAL_REASON;
import static io.psaremoval.camunda.RemovalVariables.APPROVAL_REQUIRED;
import static io.psaremoval.camunda.RemovalVariables.APPROVAL_SUMMARY;
import static io.psaremoval.camunda.RemovalVariables.APPROVERS;

import io.psaremoval.removal.DeletionApprovals;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/**
 * Finds whether the confirmed deletion needs a second Administrator's approval (the account's policy, the size of the
 * confirmed scope) and, when it does, asks for it; what the approver is shown goes into variables for the form. The
 * delete checks the approval again from the database, whatever these variables say.
 */
@Component
class CheckApprovalDelegate implements JavaDelegate {

    private final DeletionApprovals approvals;

    CheckApprovalDelegate(DeletionApprovals approvals) {
        this.approvals = approvals;
    }

    @Override
    public void execute(DelegateExecution execution) {
        DeletionApprovals.Request request = approvals.request(execution.getProcessInstanceId());
        execution.setVariable(APPROVAL_REQUIRED, request.required());
        if (request.required()) {
            // A decision of an earlier round is not this round's: the approver decides afresh.
            execution.removeVariable(APPROVAL_DECISION);
            execution.removeVariable(APPROVAL_NOTE);
            execution.setVariable(APPROVAL_REASON, request.because());
            execution.setVariable(APPROVAL_SUMMARY, request.summary());
            execution.setVariable(APPROVERS, request.approvers());
        }
    }
}
