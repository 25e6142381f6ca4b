package io.psaremoval.camunda;

import io.psaremoval.security.Notes;
import io.psaremoval.integration.IntegrationUnavailableException;
import io.psaremoval.removal.RemovalInputException;
import java.util.List;
import io.psaremoval.engine.TaskInputRefusedException;
import org.camunda.bpm.engine.BadUserRequestException;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.delegate.DelegateTask;
import org.camunda.bpm.engine.impl.identity.Authentication;

/**
 * Checks of what a user submitted to complete a task. A violation throws {@link BadUserRequestException}:
 * the completion is refused with the message (HTTP 400 through REST, a notice in Tasklist), its
 * transaction rolls back and the task stays open, nothing changed.
 */
final class TaskInput {

    private TaskInput() {
    }

    /** The value of a decision variable, which must be one of the offered options. */
    static String requireChoice(DelegateTask task, String variable, List<String> options) {
        Object value = task.getVariable(variable);
        if (!(value instanceof String choice) || !options.contains(choice)) {
            throw refused("'" + task.getName() + "' needs " + variable + " to be one of "
                    + options + ", not " + (value == null ? "nothing" : "'" + value + "'") + ".");
        }
        return choice;
    }

    /** A text the user must fill in. */
    static String requireText(DelegateTask task, String variable, String what) {
        Object value = task.getVariable(variable);
        if (!(value instanceof String text) || !Notes.saysSomething(text)) {
            throw refused("'" + task.getName() + "' needs " + what + ".");
        }
        return text.strip();
    }

    /** A text the user may have filled in, as they sent it; null when they sent none or no text. */
    static String textOrNull(DelegateTask task, String variable) {
        return task.getVariable(variable) instanceof String text ? text : null;
    }

    /** Who completes the task: the signed-in user, else (a completion without authentication) the assignee. */
    static String completingUser(DelegateTask task, IdentityService identityService) {
        Authentication authentication = identityService.getCurrentAuthentication();
        if (authentication != null && authentication.getUserId() != null) {
            return authentication.getUserId();
        }
        return task.getAssignee() != null ? task.getAssignee() : "(unknown)";
    }

    /** Runs a check of the removal's services; what they refuse becomes the person's refusal. */
    static void asRefusal(Runnable check) {
        asRefusal(() -> {
            check.run();
            return null;
        });
    }

    static <T> T asRefusal(java.util.function.Supplier<T> check) {
        try {
            return check.get();
        } catch (RemovalInputException | IntegrationUnavailableException | io.psaremoval.restore.RestoreRefusedException e) {
            throw refused(e.getMessage());
        }
    }

    static BadUserRequestException refused(String message) {
        return new TaskInputRefusedException(message);
    }
}
