package io.psaremoval.camunda;

import static io.psaremoval.camunda.RemovalVariables.RMM_NOTICES_DELIVERED;
import static io.psaremoval.camunda.RemovalVariables.RMM_NOTICES_NOT_CONFIGURED;

import io.psaremoval.removal.RemovalService;
import io.psaremoval.rmm.RmmDeliveryService;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.springframework.stereotype.Component;

/** Delivers the removal's recorded RMM notices; a notice not delivered fails the step, which is retried. */
@Component
class DeliverRmmNoticesDelegate extends WriteStepDelegate {

    private final RemovalService removals;

    DeliverRmmNoticesDelegate(RemovalService removals) {
        this.removals = removals;
    }

    @Override
    void write(DelegateExecution execution) {
        RmmDeliveryService.Outcome outcome = removals.deliverRmmNotices(execution.getProcessInstanceId());
        execution.setVariable(RMM_NOTICES_DELIVERED, outcome.delivered());
        execution.setVariable(RMM_NOTICES_NOT_CONFIGURED, outcome.notConfigured());
    }
}
