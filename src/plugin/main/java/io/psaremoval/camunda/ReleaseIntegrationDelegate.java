package io.psaremoval.camunda;

import io.psaremoval.removal.RemovalService;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/** After a cancellation or an expiry: the integration gets its status back, nothing else changed. */
@Component
class ReleaseIntegrationDelegate implements JavaDelegate {

    private final RemovalService removals;

    ReleaseIntegrationDelegate(RemovalService removals) {
        this.removals = removals;
    }

    @Override
    public void execute(DelegateExecution execution) {
        removals.release(execution.getProcessInstanceId());
    }
}
