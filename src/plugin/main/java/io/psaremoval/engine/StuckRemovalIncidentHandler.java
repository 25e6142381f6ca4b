package io.psaremoval.engine;

import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.camunda.bpm.engine.impl.cfg.TransactionState;
import org.camunda.bpm.engine.impl.context.Context;
import org.camunda.bpm.engine.impl.incident.IncidentContext;
import org.camunda.bpm.engine.impl.incident.IncidentHandler;
import org.camunda.bpm.engine.impl.interceptor.CommandContext;
import org.camunda.bpm.engine.impl.persistence.entity.JobEntity;
import org.camunda.bpm.engine.impl.persistence.entity.ProcessDefinitionEntity;
import org.camunda.bpm.engine.runtime.Incident;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;

/**
 * Wraps the engine's failed-job incident handler (the default, a host's own, or a composite: whatever is registered)
 * and, for the removal process only, tells {@link StuckRemovals} when a job runs out of retries, when an operator
 * gives it retries again, when it then succeeds and when it is deleted unfinished.
 *
 * <p>The wrapped handler creates, resolves and deletes the incident exactly as before, in the engine's transaction.
 * The removal's part runs after that transaction committed, in a command and transaction of its own, and any failure
 * of it is logged, never thrown: the engine's bookkeeping of the failed job (retries, stack trace, incident) can not
 * be undone by it. Jobs of other processes cost nothing more than a look at their definition's key.
 *
 * <p>The engine calls {@link #resolveIncident} both when retries are set again and after every successful job (a job
 * deletes itself with "incident resolved"), and {@link #deleteIncident} when a job is deleted unfinished and when a
 * job's run ends its process instance; whether the job is the command's current job tells them apart (a job is
 * deleted during its own run only when the run succeeded: a failed run rolls back).
 */
class StuckRemovalIncidentHandler implements IncidentHandler {

    private static final Logger log = LoggerFactory.getLogger(StuckRemovalIncidentHandler.class);

    private final IncidentHandler wrapped;
    private final ObjectProvider<StuckRemovals> stuckRemovals;

    StuckRemovalIncidentHandler(IncidentHandler wrapped, ObjectProvider<StuckRemovals> stuckRemovals) {
        this.wrapped = wrapped;
        this.stuckRemovals = stuckRemovals;
    }

    @Override
    public String getIncidentHandlerType() {
        return wrapped.getIncidentHandlerType();
    }

    @Override
    public Incident handleIncident(IncidentContext context, String message) {
        Incident incident = wrapped.handleIncident(context, message);
        if (incident != null && isRemoval(context)) {
            StuckRemovals.Stop stop = new StuckRemovals.Stop(incident.getId(), incident.getProcessInstanceId(),
                    context.getConfiguration(), context.getProcessDefinitionId(), context.getActivityId(),
                    FailureInWords.of(message, stacktraceOf(context.getConfiguration())));
            afterCommit("stopped", removals -> removals.stopped(stop));
        }
        return incident;
    }

    /**
     * The failed job's stack trace, recorded by the engine in this command just before the incident; null when there is
     * none or it cannot be read (never thrown: this runs inside the engine's bookkeeping of the failure).
     */
    private static String stacktraceOf(String jobId) {
        try {
            JobEntity job = jobId == null ? null : Context.getCommandContext().getJobManager().findJobById(jobId);
            return job == null ? null : job.getExceptionStacktrace();
        } catch (RuntimeException unreadable) {
            log.warn("The stack trace of job {} could not be read; the stuck removal names the engine's message", jobId,
                    unreadable);
            return null;
        }
    }

    @Override
    public void resolveIncident(IncidentContext context) {
        wrapped.resolveIncident(context);
        if (isRemoval(context)) {
            String jobId = context.getConfiguration();
            if (isRunningNow(context)) {
                afterCommit("resumed", removals -> removals.resumed(jobId));
            } else {
                String operator = Context.getCommandContext().getAuthenticatedUserId();
                afterCommit("retried", removals -> removals.retried(jobId, operator));
            }
        }
    }

    @Override
    public void deleteIncident(IncidentContext context) {
        wrapped.deleteIncident(context);
        if (isRemoval(context)) {
            String jobId = context.getConfiguration();
            boolean succeeded = isRunningNow(context); // its own run ended the process instance
            afterCommit(succeeded ? "resumed" : "ended", removals -> {
                if (succeeded) {
                    removals.resumed(jobId);
                } else {
                    removals.ended(jobId);
                }
            });
        }
    }

    private void afterCommit(String what, java.util.function.Consumer<StuckRemovals> action) {
        CommandContext command = Context.getCommandContext();
        ProcessEngineConfigurationImpl engine = Context.getProcessEngineConfiguration();
        command.getTransactionContext().addTransactionListener(TransactionState.COMMITTED, committed -> {
            try {
                engine.getCommandExecutorTxRequiresNew().execute(ownCommand -> {
                    action.accept(stuckRemovals.getObject());
                    return null;
                });
            } catch (RuntimeException e) {
                log.error("Could not record that a removal's job {}; the incident itself stands", what, e);
            }
        });
    }

    private static boolean isRemoval(IncidentContext context) {
        if (context.getProcessDefinitionId() == null || context.getConfiguration() == null) {
            return false;
        }
        ProcessDefinitionEntity definition = Context.getProcessEngineConfiguration().getDeploymentCache()
                .findDeployedProcessDefinitionById(context.getProcessDefinitionId());
        return definition != null && EngineAuthorizations.PROCESS_KEY.equals(definition.getKey());
    }

    private static boolean isRunningNow(IncidentContext context) {
        JobEntity current = Context.getCommandContext().getCurrentJob();
        return current != null && current.getId().equals(context.getConfiguration());
    }
}
