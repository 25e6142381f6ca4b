package io.psaremoval.camunda;

import io.psaremoval.removal.DataRemovalService;
import io.psaremoval.removal.RemovalMode;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.springframework.stereotype.Component;

/** Disconnects chunks for one job's time budget; the progress goes into variables for Cockpit and the gateway. */
@Component
class DisconnectIntegrationDelegate extends WriteStepDelegate {

    private final DataRemovalService data;

    DisconnectIntegrationDelegate(DataRemovalService data) {
        this.data = data;
    }

    @Override
    void write(DelegateExecution execution) {
        String processInstanceId = execution.getProcessInstanceId();
        RemovalVariables.setProgress(execution, data, processInstanceId, RemovalMode.DISCONNECT,
                data.disconnect(processInstanceId));
    }
}
