package io.psaremoval.camunda;

import static io.psaremoval.camunda.RemovalVariables.RMM_NOTICES_SENT;

import io.psaremoval.removal.RemovalService;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.springframework.stereotype.Component;

/** Tells each RMM integration which of its devices the delete unmatched. */
@Component
class NotifyRmmUnmatchingDelegate extends WriteStepDelegate {

    private final RemovalService removals;

    NotifyRmmUnmatchingDelegate(RemovalService removals) {
        this.removals = removals;
    }

    @Override
    void write(DelegateExecution execution) {
        execution.setVariable(RMM_NOTICES_SENT, removals.notifyRmm(execution.getProcessInstanceId()));
    }
}
