package io.psaremoval.camunda;

import static io.psaremoval.camunda.RemovalVariables.*;

import io.psaremoval.removal.ImpactPreview;
import io.psaremoval.removal.ImpactReport;
import io.psaremoval.removal.RemovalService;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/** Counts what the removal touches; the counts go into variables, the report into the forms. */
@Component
class PreviewImpactDelegate implements JavaDelegate {

    private final RemovalService removals;

    PreviewImpactDelegate(RemovalService removals) {
        this.removals = removals;
    }

    @Override
    public void execute(DelegateExecution execution) {
        ImpactPreview preview = removals.preview(execution.getProcessInstanceId());
        String integrationName = removals.get(execution.getProcessInstanceId()).integrationName();
        execution.setVariable(PREVIEW_ORGANIZATIONS, preview.organizations());
        execution.setVariable(PREVIEW_PRE_EXISTING_ORGANIZATIONS, preview.preExistingOrganizations());
        execution.setVariable(PREVIEW_PSA_SYNCED_ITEMS, preview.psaSyncedItems());
        execution.setVariable(PREVIEW_PLATFORM_ONLY_ITEMS, preview.platformOnlyItems());
        execution.setVariable(PREVIEW_ATTACHMENTS, preview.attachments());
        execution.setVariable(PREVIEW_RELATED_ITEMS, preview.relatedItems());
        execution.setVariable(PREVIEW_RMM_DEVICES, preview.rmmDevices());
        execution.setVariable(IMPACT_REPORT, ImpactReport.report(integrationName, preview));
    }
}
