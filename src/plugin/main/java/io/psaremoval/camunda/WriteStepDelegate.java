package io.psaremoval.camunda;

import static io.psaremoval.camunda.RemovalVariables.REFUSAL_REASON;

import io.psaremoval.removal.RemovalRefusedException;
import org.camunda.bpm.engine.delegate.BpmnError;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;

/**
 * A service task that writes (an asynchronous save point of the model). Its service checks the removal's rules
 * from the database before it writes; when one is broken, the removal has already ended as refused, and this turns
 * the refusal into the BPMN error {@value #ERROR_REMOVAL_REFUSED}, which the model's "Removal refused" event
 * sub-process catches, with the reason in {@code refusalReason}.
 */
abstract class WriteStepDelegate implements JavaDelegate {

    static final String ERROR_REMOVAL_REFUSED = "REMOVAL_REFUSED";

    @Override
    public final void execute(DelegateExecution execution) {
        try {
            write(execution);
        } catch (RemovalRefusedException refused) {
            execution.setVariable(REFUSAL_REASON, refused.getMessage());
            throw new BpmnError(ERROR_REMOVAL_REFUSED, refused.getMessage());
        }
    }

    abstract void write(DelegateExecution execution);
}
