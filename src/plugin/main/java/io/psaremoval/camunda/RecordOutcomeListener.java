package io.psaremoval.camunda;

import static io.psaremoval.camunda.RemovalVariables.OUTCOME;
import static io.psaremoval.camunda.RemovalVariables.REFUSAL_REASON;
import static io.psaremoval.camunda.RemovalVariables.UNAVAILABLE_REASON;

import io.psaremoval.removal.DeletionApprovals;
import io.psaremoval.removal.RemovalService;
import io.psaremoval.removal.RemovalStatus;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.ExecutionListener;
import org.camunda.bpm.model.bpmn.instance.camunda.CamundaProperty;
import org.camunda.bpm.model.bpmn.instance.camunda.CamundaProperties;
import org.springframework.stereotype.Component;

/**
 * On every end event: records the outcome named by the end event's {@code outcome} extension property,
 * in the removal's record and as the process variable {@code outcome}, and tells the requester in a notice
 * (see {@link RemovalNotices}).
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
        RemovalStatus outcome = execution.getBpmnModelElementInstance()
                .getExtensionElements().getElementsQuery().filterByType(CamundaProperties.class).singleResult()
                .getCamundaProperties().stream()
                .filter(property -> OUTCOME.equals(property.getCamundaName()))
                .map(CamundaProperty::getCamundaValue)
                .map(RemovalStatus::valueOf)
                .findFirst()
                .orElseThrow(() -> new IllegalStateException(execution.getCurrentActivityId() + " names no outcome"));
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
    }
}
