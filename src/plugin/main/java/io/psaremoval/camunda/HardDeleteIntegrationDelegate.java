package io.psaremoval.camunda;

import io.psaremoval.removal.DataRemovalService;
import io.psaremoval.removal.RemovalMode;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.springframework.stereotype.Component;

/** Deletes chunks for one job's time budget; the progress goes into variables for Cockpit and the gateway. */
@Component
class HardDeleteIntegrationDelegate extends WriteStepDelegate {

    private final DataRemovalService data;

    HardDeleteIntegrationDelegate(DataRemovalService data) {
        this.data = data;
    }

    @Override
    void write(DelegateExecution execution) {
        String processInstanceId = execution.getProcessInstanceId();
        RemovalVariables.setProgress(execution, data, processInstanceId, RemovalMode.DELETE,
                data.hardDelete(processInstanceId));
    }
}
