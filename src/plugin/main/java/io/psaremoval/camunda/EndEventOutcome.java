package io.psaremoval.camunda;

import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.model.bpmn.instance.camunda.CamundaProperties;
import org.camunda.bpm.model.bpmn.instance.camunda.CamundaProperty;

/** The outcome an end event of the removal or the restore names in its {@code outcome} extension property. */
final class EndEventOutcome {

    private EndEventOutcome() {
    }

    /** @throws IllegalStateException when the element the execution is at names no outcome (a modelling error) */
    static String of(DelegateExecution execution) {
        return execution.getBpmnModelElementInstance().getExtensionElements().getElementsQuery()
                .filterByType(CamundaProperties.class).singleResult().getCamundaProperties().stream()
                .filter(property -> RemovalVariables.OUTCOME.equals(property.getCamundaName()))
                .map(CamundaProperty::getCamundaValue)
                .findFirst()
                .orElseThrow(() -> new IllegalStateException(execution.getCurrentActivityId() + " names no outcome"));
    }
}
