package io.psaremoval.camunda;

import static io.psaremoval.camunda.RemovalVariables.*;

import io.psaremoval.removal.ImpactReport;
import io.psaremoval.removal.DeletionApprovals;
import io.psaremoval.removal.RemovalMode;
import io.psaremoval.removal.RemovalService;
import io.psaremoval.security.SecurityEvents;
import java.time.OffsetDateTime;
import java.util.List;
import org.camunda.bpm.engine.BadUserRequestException;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.delegate.TaskListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * One "complete" listener per user task, checking what the user submitted before the process moves on, and
 * recording the decisions later write steps re-check (the chosen mode, the confirmation, support's approval) on the
 * removal's own record. Rules that need data are asked of {@link RemovalService}, which reads that record, never the
 * variables. A refusal is an HTTP 400 with the reason; the task stays open, nothing changed, and the refusal is
 * recorded for the auditors.
 */
@Configuration(proxyBeanMethods = false)
class TaskValidators {

    /** The step a process version with the cooling-off period has; an instance of an older version purges at once. */
    static final String COOLING_OFF_STEP = "Task_MoveOutOfSight";

    @Bean
    TaskListener chooseIntegrationValidator(RemovalService removals, SecurityEvents events, IdentityService identityService) {
        return recordingRefusals(events, identityService, task -> {
            if (TaskInput.requireChoice(task, INTEGRATION_DECISION, List.of("REMOVE", CANCEL)).equals(CANCEL)) {
                return;
            }
            Object chosen = task.getVariable(INTEGRATION_ID);
            long integrationId;
            try {
                integrationId = RemovalVariables.longValue(task, INTEGRATION_ID);
            } catch (IllegalArgumentException e) {
                throw TaskInput.refused("Choose one of the listed PSA integrations"
                        + (chosen == null ? "." : ", not '" + chosen + "'."));
            }
            TaskInput.asRefusal(() -> removals.checkRemovable(removals.get(task.getProcessInstanceId()), integrationId));
            // Asked here rather than before the start, so that who may not remove learns it before writing anything.
            String reason = TaskInput.requireText(task, REMOVAL_REASON, "the reason for the removal, for your auditors");
            TaskInput.asRefusal(() -> removals.recordReason(task.getProcessInstanceId(), reason));
            // Only its companion for the forms: the reason itself stays as entered (a second write would show in the audit).
            RemovalVariables.showInForms(task, REMOVAL_REASON, reason);
        });
    }

    @Bean
    TaskListener chooseRemovalModeValidator(RemovalService removals, SecurityEvents events, IdentityService identityService) {
        return recordingRefusals(events, identityService, task -> {
            String mode = TaskInput.requireChoice(task, REMOVAL_MODE, List.of("DISCONNECT", "DELETE", CANCEL));
            if (!mode.equals(CANCEL)) {
                TaskInput.asRefusal(() -> removals.recordChosenMode(task.getProcessInstanceId(), RemovalMode.valueOf(mode)));
            }
        });
    }

    @Bean
    TaskListener featureUnavailableValidator(RemovalService removals, SecurityEvents events,
            IdentityService identityService) {
        return recordingRefusals(events, identityService, task -> {
            String decision = TaskInput.requireChoice(task, FEATURE_DECISION, List.of("ASK_SUPPORT", "DISCONNECT", CANCEL));
            if (decision.equals("DISCONNECT")) {
                TaskInput.asRefusal(() -> removals.recordChosenMode(task.getProcessInstanceId(), RemovalMode.DISCONNECT));
            }
        });
    }

    @Bean
    TaskListener enableBulkDeleteValidator(RemovalService removals, SecurityEvents events, IdentityService identityService) {
        return recordingRefusals(events, identityService, task -> {
            String decision = TaskInput.requireChoice(task, SUPPORT_DECISION, List.of("ENABLE", "DECLINE"));
            String supporter = TaskInput.completingUser(task, identityService);
            task.setVariable(SUPPORT_ASSIGNEE, supporter);
            if (decision.equals("DECLINE")) {
                String note = TaskInput.requireText(task, SUPPORT_NOTE, "a note to the requester saying why");
                task.setVariable(SUPPORT_ANSWER, "**Support (" + ImpactReport.plain(supporter) + ") declined:** "
                        + ImpactReport.plain(note));
            } else {
                TaskInput.asRefusal(() -> removals.recordBulkDeleteApproval(task.getProcessInstanceId(), supporter));
            }
        });
    }

    @Bean
    TaskListener confirmBackupValidator(RemovalService removals, SecurityEvents events, IdentityService identityService) {
        return recordingRefusals(events, identityService, task -> {
            String decision = TaskInput.requireChoice(task, BACKUP_DECISION, List.of("EXPORT_NOW", "EXTERNAL", CANCEL));
            if (decision.equals("EXTERNAL")) {
                TaskInput.requireText(task, EXTERNAL_BACKUP_NOTE, "where the backup is kept");
                Object stated = task.getVariable(EXTERNAL_BACKUP_TAKEN_AT);
                if (!(stated instanceof String text) || text.isBlank()) {
                    throw TaskInput.refused("Give the date and time the backup elsewhere was taken.");
                }
                OffsetDateTime takenAt = TaskInput.asRefusal(() -> removals.checkExternalBackupTime(task.getProcessInstanceId(), text));
                task.setVariable(EXTERNAL_BACKUP_TAKEN_AT, takenAt.toString());
            }
            task.setVariable(BACKUP_CONFIRMED_BY, TaskInput.completingUser(task, identityService));
        });
    }

    @Bean
    TaskListener confirmDeletionValidator(RemovalService removals, SecurityEvents events,
            IdentityService identityService) {
        return recordingRefusals(events, identityService, task -> {
            if (TaskInput.requireChoice(task, DELETION_DECISION, List.of("DELETE", CANCEL)).equals(CANCEL)) {
                return;
            }
            boolean processCoolsOff = task.getBpmnModelInstance().getModelElementById(COOLING_OFF_STEP) != null;
            TaskInput.asRefusal(() -> removals.confirmDeletion(task.getProcessInstanceId(),
                    TaskInput.textOrNull(task, CONFIRMATION_TEXT), TaskInput.completingUser(task, identityService),
                    processCoolsOff));
        });
    }

    /**
     * On the creation of "Confirm the changed deletion" (or disconnect): what an earlier confirmation submitted is
     * removed, so that only what the person submits now counts (the name typed for an earlier round would otherwise be
     * read again, and Tasklist would show it filled in).
     */
    @Bean
    TaskListener forgetEarlierConfirmation() {
        return task -> task.removeVariables(List.of(SCOPE_DECISION, CONFIRMATION_TEXT));
    }

    /**
     * On the creation of "Bulk delete unavailable: decide", again after support declined or did not answer: the
     * earlier decision is removed, so that the person decides anew (Tasklist would show it chosen, and a completion
     * without one would repeat it).
     */
    @Bean
    TaskListener forgetEarlierFeatureDecision() {
        return task -> task.removeVariables(List.of(FEATURE_DECISION));
    }

    @Bean
    TaskListener confirmChangedScopeValidator(RemovalService removals, SecurityEvents events,
            IdentityService identityService) {
        return recordingRefusals(events, identityService, task -> {
            if (TaskInput.requireChoice(task, SCOPE_DECISION, List.of("GO_ON", CANCEL)).equals(CANCEL)) {
                return;
            }
            TaskInput.asRefusal(() -> removals.confirmChangedScope(task.getProcessInstanceId(),
                    TaskInput.textOrNull(task, CONFIRMATION_TEXT), TaskInput.completingUser(task, identityService)));
        });
    }

    @Bean
    TaskListener approveDeletionValidator(DeletionApprovals approvals, SecurityEvents events,
            IdentityService identityService) {
        return recordingRefusals(events, identityService, task -> {
            String decision = TaskInput.requireChoice(task, APPROVAL_DECISION, List.of("APPROVE", "REFUSE"));
            TaskInput.asRefusal(() -> approvals.decide(task.getProcessInstanceId(), decision.equals("APPROVE"),
                    TaskInput.textOrNull(task, APPROVAL_NOTE), TaskInput.completingUser(task, identityService)));
        });
    }

    /**
     * On the requester's "waits for a second Administrator": the requester, with a note, withdraws the deletion before
     * it is approved; the removal ends as cancelled in the completion's own transaction.
     */
    @Bean
    TaskListener withdrawDeletionValidator(DeletionApprovals approvals, SecurityEvents events,
            IdentityService identityService) {
        return recordingRefusals(events, identityService, task -> {
            TaskInput.requireChoice(task, WITHDRAW_DECISION, List.of("WITHDRAW"));
            TaskInput.asRefusal(() -> approvals.withdraw(task.getProcessInstanceId(),
                    TaskInput.textOrNull(task, WITHDRAW_NOTE), TaskInput.completingUser(task, identityService)));
        });
    }

    /**
     * On "Cancel the pending deletion": an active Administrator of the account, with a note, cancels the deletion during
     * its cooling-off period; the scope is back in sight in the completion's own transaction.
     */
    @Bean
    TaskListener cancelPendingDeletionValidator(RemovalService removals, SecurityEvents events,
            IdentityService identityService) {
        return recordingRefusals(events, identityService, task -> {
            TaskInput.requireChoice(task, PENDING_DECISION, List.of("CANCEL_DELETION"));
            TaskInput.asRefusal(() -> removals.cancelPendingDeletion(task.getProcessInstanceId(),
                    TaskInput.textOrNull(task, CANCEL_NOTE), TaskInput.completingUser(task, identityService)));
        });
    }

    /** On "Approve the deletion"'s assignment: only a second Administrator takes it (claims it), never the requester. */
    @Bean
    TaskListener approverAssignmentValidator(DeletionApprovals approvals, SecurityEvents events,
            IdentityService identityService) {
        return recordingRefusals(events, identityService, task -> {
            if (task.getAssignee() != null) {
                TaskInput.asRefusal(() -> approvals.checkApprover(task.getProcessInstanceId(), task.getAssignee()));
            }
        });
    }

    @Bean
    TaskListener chooseSnapshotValidator(io.psaremoval.restore.RestoreService restores, SecurityEvents events,
            IdentityService identityService) {
        return recordingRefusals(events, identityService, task -> {
            if (TaskInput.requireChoice(task, RestoreVariables.RESTORE_DECISION, List.of("RESTORE", CANCEL)).equals(CANCEL)) {
                return;
            }
            Object chosen = task.getVariable(RestoreVariables.SNAPSHOT_ID);
            long snapshotId;
            try {
                snapshotId = RemovalVariables.longValue(task, RestoreVariables.SNAPSHOT_ID);
            } catch (IllegalArgumentException e) {
                throw TaskInput.refused("Choose one of the listed snapshots" + (chosen == null ? "." : ", not '" + chosen + "'."));
            }
            TaskInput.asRefusal(() -> restores.choose(task.getProcessInstanceId(), snapshotId,
                    TaskInput.completingUser(task, identityService)));
        });
    }

    @Bean
    TaskListener confirmRestoreValidator(io.psaremoval.restore.RestoreService restores, SecurityEvents events,
            IdentityService identityService) {
        return recordingRefusals(events, identityService, task -> {
            if (TaskInput.requireChoice(task, RestoreVariables.RESTORE_CONFIRMATION, List.of("RESTORE", CANCEL)).equals(CANCEL)) {
                return;
            }
            TaskInput.asRefusal(() -> restores.confirm(task.getProcessInstanceId(), TaskInput.completingUser(task, identityService)));
        });
    }

    /**
     * The check, with each refusal recorded for the auditors (in a transaction of its own, so that it outlives the
     * completion's rollback): who entered what on which task, in the words the person was shown.
     */
    private static TaskListener recordingRefusals(SecurityEvents events, IdentityService identityService,
            TaskListener check) {
        return task -> {
            try {
                check.notify(task);
            } catch (BadUserRequestException refusal) {
                String sentence = refusal.getMessage();
                events.record(TaskInput.completingUser(task, identityService), "TASK_INPUT_REFUSED",
                        task.getProcessInstanceId(), task.getId(),
                        sentence.startsWith("'" + task.getName() + "'") ? sentence : "'" + task.getName() + "': " + sentence);
                throw refusal;
            }
        };
    }
}
