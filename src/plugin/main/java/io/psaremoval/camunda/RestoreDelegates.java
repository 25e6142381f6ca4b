package io.psaremoval.camunda;

import static io.psaremoval.camunda.RestoreVariables.*;

import io.psaremoval.removal.ImpactReport;
import io.psaremoval.restore.RestoreRefusedException;
import io.psaremoval.restore.RestoreService;
import org.camunda.bpm.engine.delegate.ExecutionListener;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The steps of {@code RestoreDeletedPsaData}, each a thin call of {@link RestoreService}, which reads the restore's own
 * record, never the variables.
 */
@Configuration(proxyBeanMethods = false)
class RestoreDelegates {

    /**
     * "Find the account's snapshots", in the start's own command: who may not restore, or whose account has nothing to
     * restore, is refused right there (400 with the reason) and nothing is recorded.
     */
    @Bean
    JavaDelegate registerRestoreDelegate(RestoreService restores, org.camunda.bpm.engine.IdentityService identityService) {
        return execution -> {
            Object reason = execution.getVariable(RESTORE_REASON);
            // Who asks is the signed-in user, never a variable (the initiator variable only when no one is signed in).
            var authentication = identityService.getCurrentAuthentication();
            String requester = authentication != null && authentication.getUserId() != null ? authentication.getUserId()
                    : (String) execution.getVariable("initiator");
            TaskInput.asRefusal(() -> restores.register(execution.getProcessInstanceId(), execution.getProcessBusinessKey() != null
                    ? execution.getProcessBusinessKey() : BusinessKeys.ofRestore(execution.getProcessInstanceId(),
                            key -> restores.businessKeyTaken(key, execution.getProcessInstanceId())),
                    requester, reason instanceof String text ? text : null));
            // JSON, as Tasklist's select reads its options (and no Java object is stored).
            execution.setVariable(SNAPSHOT_OPTIONS, org.camunda.spin.plugin.variable.SpinValues.jsonValue(
                    org.camunda.spin.Spin.JSON(restores.options(execution.getProcessInstanceId()))).create());
        };
    }

    /** "Read back and check the snapshot": nothing is written; a refusal ends the restore as refused, with why. */
    @Bean
    JavaDelegate inspectSnapshotDelegate(RestoreService restores) {
        return execution -> {
            RestoreService.Inspection inspection = restores.inspect(execution.getProcessInstanceId());
            execution.setVariable(RESTORABLE, inspection.restorable());
            if (inspection.restorable()) {
                execution.setVariable(RESTORE_REPORT, inspection.report());
            } else {
                restores.refuse(execution.getProcessInstanceId(), inspection.refusal());
                execution.setVariable(RESTORE_REFUSAL, ImpactReport.plain(inspection.refusal())); // shown as written
            }
        };
    }

    /** "Restore the snapshot": one transaction, everything checked again; a refusal writes nothing and says why. */
    @Bean
    JavaDelegate restoreSnapshotDelegate(RestoreService restores) {
        return execution -> {
            try {
                RestoreService.Outcome outcome = restores.restore(execution.getProcessInstanceId());
                execution.setVariable(RESTORED, true);
                execution.setVariable(ROWS_RESTORED, outcome.rows());
                execution.setVariable(DEVICES_REMATCHED, outcome.devicesRematched());
            } catch (RestoreRefusedException refused) {
                restores.refuse(execution.getProcessInstanceId(), refused.getMessage());
                execution.setVariable(RESTORED, false);
                execution.setVariable(RESTORE_REFUSAL, ImpactReport.plain(refused.getMessage()));
            }
        };
    }

    /** "Tell the RMM which devices are matched again": retried on the back-off while one is not delivered. */
    @Bean
    JavaDelegate deliverRestoreNoticesDelegate(RestoreService restores) {
        return execution -> restores.deliverNotices(execution.getProcessInstanceId());
    }

    /** On every end event of the restore: its outcome (the end event's {@code outcome} property) on the record. */
    @Bean
    ExecutionListener restoreOutcomeListener(RestoreService restores) {
        return execution -> {
            String outcome = EndEventOutcome.of(execution);
            restores.end(execution.getProcessInstanceId(), outcome, null);
            execution.setVariable(RemovalVariables.OUTCOME, outcome);
        };
    }
}
