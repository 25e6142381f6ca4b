package io.psaremoval.removal;

import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

@Component
class NotifyRmmUnmatchingDelegate implements JavaDelegate {

    static final String RMM_NOTICES_SENT = "rmmNoticesSent";

    private final RemovalService removals;
    private final RmmUnmatchingService rmm;

    NotifyRmmUnmatchingDelegate(RemovalService removals, RmmUnmatchingService rmm) {
        this.removals = removals;
        this.rmm = rmm;
    }

    @Override
    public void execute(DelegateExecution execution) {
        long removalId = removals.get(execution.getProcessInstanceId()).id();
        execution.setVariable(RMM_NOTICES_SENT, rmm.notifyUnmatched(removalId));
    }
}
