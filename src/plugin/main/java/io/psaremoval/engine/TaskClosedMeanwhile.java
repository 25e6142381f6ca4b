package io.psaremoval.engine;

import java.util.Set;
import org.camunda.bpm.engine.AuthorizationException;
import org.camunda.bpm.engine.OptimisticLockingException;
import org.camunda.bpm.engine.exception.NotFoundException;
import org.camunda.bpm.engine.exception.NullValueException;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.camunda.bpm.engine.impl.cmd.AssignTaskCmd;
import org.camunda.bpm.engine.impl.cmd.ClaimTaskCmd;
import org.camunda.bpm.engine.impl.cmd.CompleteTaskCmd;
import org.camunda.bpm.engine.impl.cmd.SubmitTaskFormCmd;
import org.camunda.bpm.engine.impl.context.Context;
import org.camunda.bpm.engine.impl.interceptor.Command;
import org.camunda.bpm.engine.impl.interceptor.CommandInterceptor;
import org.camunda.bpm.engine.impl.persistence.entity.HistoricTaskInstanceEntity;

/**
 * A person who completes, submits or claims a removal's task at the instant another person's completion closes it
 * (the approval decided as the requester withdraws it, say) gets the engine's words for the collision: an
 * optimistic-locking failure when the task's row is written (a 500 over REST), no permission on the task (the
 * assignee's permission went with it), a task that is null, or a NullPointerException inside the engine (the task
 * read, its process instance deleted by the other completion before the engine read that too: seen in a run of
 * {@code anApprovalAndAWithdrawalAtOnceEndInTheStateOfTheOneThatWon}). When the task is indeed gone, that is said in
 * a sentence, as not found (a 404 over REST, by {@link RestRefusals}); any other failure passes unchanged, and so does
 * every failure on the tasks of other processes and stand-alone tasks (a host's own retry logic may expect the engine's
 * exceptions), the guard's own refusals and commands run inside another command.
 *
 * <p>A pre-command interceptor, outside the command's context: it sees the failure of the command's final write too,
 * and looks for the task in a transaction of its own, which sees what the other completion committed.
 */
final class TaskClosedMeanwhile extends CommandInterceptor {

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(TaskClosedMeanwhile.class);

    private static final Set<String> REMOVAL_PROCESSES = Set.copyOf(EngineAuthorizations.PROCESS_KEYS);

    private final ProcessEngineConfigurationImpl configuration;

    TaskClosedMeanwhile(ProcessEngineConfigurationImpl configuration) {
        this.configuration = configuration;
    }

    @Override
    public <T> T execute(Command<T> command) {
        // A command run inside another one (sharing its context, or flushed on its own) is the application's, not a
        // person's request: its caller gets the engine's exception as it is.
        boolean nested = Context.getCommandContext() != null;
        try {
            return next.execute(command);
        } catch (OptimisticLockingException | AuthorizationException | NullValueException | NullPointerException collision) {
            String taskId = nested || refusedByTheGuard(collision) ? null : taskOf(command);
            if (taskId == null || !closedRemovalTask(taskId)) {
                throw collision;
            }
            if (collision instanceof NullPointerException) {
                log.warn("Task {} was closed while it was being completed; the engine failed on it with a"
                        + " NullPointerException, told the caller as a closed task", taskId, collision);
            }
            throw new NotFoundException("The task " + taskId + " was closed while you were "
                    + (command instanceof ClaimTaskCmd || command instanceof AssignTaskCmd ? "claiming" : "completing")
                    + " it: its removal has moved on (completed, decided by another person, withdrawn, or its time ran "
                    + "out). This request changed nothing; reload the task list to see where the removal is now.",
                    collision);
        }
    }

    /** The guard's refusals carry a message only; the engine's own authorization failures name the user. */
    private static boolean refusedByTheGuard(RuntimeException collision) {
        return collision instanceof AuthorizationException refusal && refusal.getUserId() == null;
    }

    private static String taskOf(Command<?> command) {
        if (command instanceof CompleteTaskCmd || command instanceof SubmitTaskFormCmd || command instanceof ClaimTaskCmd
                || command instanceof AssignTaskCmd) {
            try {
                return PlatformCommandGuard.field(command, "taskId") instanceof String id ? id : null;
            } catch (AuthorizationException unknownShape) {
                return null; // an engine version whose command has no such field: its exception stays as it is
            }
        }
        return null;
    }

    /** Whether the task is closed and belonged to a removal, a restore or a removal's notice, read afresh. */
    private boolean closedRemovalTask(String taskId) {
        try {
            return configuration.getCommandExecutorTxRequiresNew().execute(context -> {
                if (context.getTaskManager().findTaskById(taskId) != null) {
                    return false;
                }
                HistoricTaskInstanceEntity closed = context.getDbEntityManager()
                        .selectById(HistoricTaskInstanceEntity.class, taskId);
                // A stand-alone task has no process definition key.
                String key = closed == null ? null : closed.getProcessDefinitionKey();
                return key != null && REMOVAL_PROCESSES.contains(key);
            });
        } catch (RuntimeException unreadable) {
            return false; // the caller gets the engine's own exception
        }
    }
}
