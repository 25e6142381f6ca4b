package io.psaremoval.camunda;

import static io.psaremoval.camunda.RemovalVariables.OUTCOME;
import static io.psaremoval.camunda.RemovalVariables.REFUSAL_REASON;
import static io.psaremoval.camunda.RemovalVariables.UNAVAILABLE_REASON;

import io.psaremoval.removal.DeletionApprovals;
import io.psaremoval.removal.RemovalService;
import io.psaremoval.removal.RemovalStatus;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.ExecutionListener;
import org.springframework.stereotype.Component;

/**
 * On every end event: records the outcome named by the end event's {@code outcome} extension property,
 * in the removal's record and as the process variable {@code outcome}, and tells the requester in a notice
 * (see {@link RemovalNotices}); a deletion its requester withdrew while it waited for a second Administrator, or that
 * expired while it waited, is told to the Administrators who had been asked to approve it.
 */
@Component
class RecordOutcomeListener implements ExecutionListener {

    private final RemovalService removals;
    private final RemovalNotices notices;
    private final DeletionApprovals approvals;

    RecordOutcomeListener(RemovalService removals, RemovalNotices notices, DeletionApprovals approvals) {
        this.removals = removals;
        this.notices = notices;
        this.approvals = approvals;
    }

    @Override
    public void notify(DelegateExecution execution) {
        RemovalStatus outcome = RemovalStatus.valueOf(EndEventOutcome.of(execution));
        removals.end(execution.getProcessInstanceId(), outcome);
        execution.setVariable(OUTCOME, outcome.name());
        String reason = switch (outcome) {
            case UNAVAILABLE -> (String) execution.getVariable(UNAVAILABLE_REASON);
            case REFUSED -> (String) execution.getVariable(REFUSAL_REASON);
            case NOT_APPROVED -> approvals.refusal(execution.getProcessInstanceId()); // from the record, not a variable
            case CANCELLED -> removals.pendingDeletionCancellation(execution.getProcessInstanceId()).orElse(null);
            default -> null;
        };
        notices.tellOutcome(execution.getProcessInstanceId(), outcome, reason);
        if (outcome == RemovalStatus.CANCELLED) {
            approvals.withdrawal(execution.getProcessInstanceId())
                    .ifPresent(withdrawal -> notices.tellApproversOfWithdrawal(execution.getProcessInstanceId(), withdrawal));
        } else if (outcome == RemovalStatus.EXPIRED) {
            notices.tellApproversOfExpiry(execution.getProcessInstanceId(),
                    approvals.approversLeftUndecided(execution.getProcessInstanceId()));
        }
    }
}
