package io.psaremoval.removal;

import static io.psaremoval.removal.RemovalVariables.*;

import io.psaremoval.integration.IntegrationUnavailableException;
import java.util.List;
import org.camunda.bpm.engine.BadUserRequestException;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.delegate.DelegateTask;
import org.camunda.bpm.engine.delegate.TaskListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * One "complete" listener per user task, checking what the user submitted before the process moves on.
 * Business rules that need data (does this integration belong to the account, does the typed name match)
 * are asked of {@link RemovalService}, which reads the removal's own record, never the variables.
 */
@Configuration(proxyBeanMethods = false)
class TaskValidators {

    @Bean
    TaskListener chooseIntegrationValidator(RemovalService removals) {
        return task -> {
            if (TaskInput.requireChoice(task, INTEGRATION_DECISION, List.of("REMOVE", CANCEL)).equals(CANCEL)) {
                return;
            }
            Object chosen = task.getVariable(INTEGRATION_ID);
            long integrationId;
            try {
                integrationId = Long.parseLong(String.valueOf(chosen));
            } catch (NumberFormatException e) {
                throw new BadUserRequestException("Choose one of the listed PSA integrations"
                        + (chosen == null ? "." : ", not '" + chosen + "'."));
            }
            try {
                removals.checkRemovable(removals.get(task.getProcessInstanceId()), integrationId);
            } catch (IntegrationUnavailableException e) {
                throw new BadUserRequestException(e.getMessage());
            }
        };
    }

    @Bean
    TaskListener chooseRemovalModeValidator() {
        return task -> TaskInput.requireChoice(task, REMOVAL_MODE, List.of("DISCONNECT", "DELETE", CANCEL));
    }

    @Bean
    TaskListener featureUnavailableValidator() {
        return task -> TaskInput.requireChoice(task, FEATURE_DECISION, List.of("ASK_SUPPORT", "DISCONNECT", CANCEL));
    }

    @Bean
    TaskListener enableBulkDeleteValidator(IdentityService identityService) {
        return task -> {
            String decision = TaskInput.requireChoice(task, SUPPORT_DECISION, List.of("ENABLE", "DECLINE"));
            String supporter = TaskInput.completingUser(task, identityService);
            task.setVariable(SUPPORT_ASSIGNEE, supporter);
            if (decision.equals("DECLINE")) {
                String note = TaskInput.requireText(task, SUPPORT_NOTE, "a note to the requester saying why");
                task.setVariable(SUPPORT_ANSWER, "**Support (" + supporter + ") declined:** " + note);
            }
        };
    }

    @Bean
    TaskListener confirmBackupValidator(IdentityService identityService) {
        return task -> {
            String decision = TaskInput.requireChoice(task, BACKUP_DECISION, List.of("EXPORT_NOW", "EXTERNAL", CANCEL));
            if (decision.equals("EXTERNAL")) {
                TaskInput.requireText(task, EXTERNAL_BACKUP_NOTE, "where the backup is and when it was taken");
            }
            task.setVariable(BACKUP_CONFIRMED_BY, TaskInput.completingUser(task, identityService));
        };
    }

    @Bean
    TaskListener confirmDeletionValidator(RemovalService removals, IdentityService identityService) {
        return task -> {
            if (TaskInput.requireChoice(task, DELETION_DECISION, List.of("DELETE", CANCEL)).equals(CANCEL)) {
                return;
            }
            Removal removal = removals.get(task.getProcessInstanceId());
            Object typed = task.getVariable(CONFIRMATION_TEXT);
            if (!(typed instanceof String text) || !text.strip().equals(removal.integrationName())) {
                throw new BadUserRequestException("The name you typed does not match the integration's name '"
                        + removal.integrationName() + "'. Nothing was deleted.");
            }
            removals.recordDeletionConfirmed(task.getProcessInstanceId(), TaskInput.completingUser(task, identityService));
        };
    }
}
