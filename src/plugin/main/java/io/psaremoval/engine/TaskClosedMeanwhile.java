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
import org.camunda.bpm.engine.impl.interceptor.Command;
import org.camunda.bpm.engine.impl.interceptor.CommandInterceptor;
import org.camunda.bpm.engine.impl.persistence.entity.HistoricTaskInstanceEntity;

/**
 * A person who completes, submits or claims a removal's task at the instant another person's completion closes it
 * (the approval decided as the requester withdraws it, say) gets the engine's words for the collision: an
 * optimistic-locking failure when the task's row is written (a 500 over REST), no permission on the task (the
 * assignee's permission went with it), or a task that is null. When the task is indeed gone, that is said in a
 * sentence, as not found (a 404 over REST); any other failure passes unchanged, and so does every failure on the tasks
 * of other processes (a host's own retry logic may expect the engine's exceptions).
 *
 * <p>A pre-command interceptor, outside the command's context: it sees the failure of the command's final write too,
 * and looks for the task in a transaction of its own, which sees what the other completion committed.
 */
final class TaskClosedMeanwhile extends CommandInterceptor {

    private static final Set<String> REMOVAL_PROCESSES = Set.of(EngineAuthorizations.PROCESS_KEY,
            EngineAuthorizations.RESTORE_PROCESS_KEY, EngineAuthorizations.NOTICE_PROCESS_KEY);

    private final ProcessEngineConfigurationImpl configuration;

    TaskClosedMeanwhile(ProcessEngineConfigurationImpl configuration) {
        this.configuration = configuration;
    }

    @Override
    public <T> T execute(Command<T> command) {
        try {
            return next.execute(command);
        } catch (OptimisticLockingException | AuthorizationException | NullValueException collision) {
            String taskId = taskOf(command);
            if (taskId == null || !closedRemovalTask(taskId)) {
                throw collision;
            }
            throw new NotFoundException("The task " + taskId + " was closed while you were completing it: its removal "
                    + "moved on meanwhile (another person decided, or its time ran out). Nothing of what you sent was "
                    + "saved; reload the task list to see where the removal is now.", collision);
        }
    }

    private static String taskOf(Command<?> command) {
        if (command instanceof CompleteTaskCmd || command instanceof SubmitTaskFormCmd || command instanceof ClaimTaskCmd
                || command instanceof AssignTaskCmd) {
            Object taskId = PlatformCommandGuard.field(command, "taskId");
            return taskId instanceof String id ? id : null;
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
                return closed != null && REMOVAL_PROCESSES.contains(closed.getProcessDefinitionKey());
            });
        } catch (RuntimeException unreadable) {
            return false; // the caller gets the engine's own exception
        }
    }
}
