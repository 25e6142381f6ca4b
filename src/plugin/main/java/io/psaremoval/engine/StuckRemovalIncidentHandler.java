package io.psaremoval.engine;

import java.util.List;
import org.camunda.bpm.engine.impl.context.Context;
import org.camunda.bpm.engine.impl.incident.DefaultIncidentHandler;
import org.camunda.bpm.engine.impl.incident.IncidentContext;
import org.camunda.bpm.engine.impl.incident.IncidentHandler;
import org.camunda.bpm.engine.impl.interceptor.CommandContext;
import org.camunda.bpm.engine.impl.persistence.entity.JobEntity;
import org.camunda.bpm.engine.runtime.Incident;
import org.springframework.beans.factory.ObjectProvider;

/**
 * The engine's handling of failed jobs, with the removal's people told: it creates and resolves the incident exactly
 * as the engine's default does and reports to {@link StuckRemovals} when a job runs out of retries, when an operator
 * gives it retries again, when it then succeeds and when it is deleted unfinished.
 *
 * <p>The engine calls {@link #resolveIncident} both when retries are set again and after every successful job (a job
 * deletes itself with "incident resolved"), and {@link #deleteIncident} when a job is deleted unfinished and when a
 * job's run ends its process instance; whether the job is the command's current job tells them apart. Registered by
 * {@link RemovalEnginePlugin}: it replaces the engine's failed-job handler, or joins it as a sub-handler when the
 * host enabled composite incident handlers.
 */
class StuckRemovalIncidentHandler implements IncidentHandler {

    private final DefaultIncidentHandler standard = new DefaultIncidentHandler(Incident.FAILED_JOB_HANDLER_TYPE);
    private final ObjectProvider<StuckRemovals> stuckRemovals;

    StuckRemovalIncidentHandler(ObjectProvider<StuckRemovals> stuckRemovals) {
        this.stuckRemovals = stuckRemovals;
    }

    @Override
    public String getIncidentHandlerType() {
        return Incident.FAILED_JOB_HANDLER_TYPE;
    }

    @Override
    public Incident handleIncident(IncidentContext context, String message) {
        Incident incident = isMainHandler() ? standard.handleIncident(context, message) : openIncidentOf(context);
        if (incident != null) {
            stuckRemovals.getObject().stopped(incident, context, message);
        }
        return incident;
    }

    @Override
    public void resolveIncident(IncidentContext context) {
        if (isMainHandler()) {
            standard.resolveIncident(context);
        }
        if (isRunningNow(context)) {
            stuckRemovals.getObject().resumed(context.getConfiguration());
        } else {
            stuckRemovals.getObject().retried(context.getConfiguration());
        }
    }

    @Override
    public void deleteIncident(IncidentContext context) {
        if (isMainHandler()) {
            standard.deleteIncident(context);
        }
        if (isRunningNow(context)) {
            // The job's own run ended its process instance, which deletes the job before the job deletes itself.
            stuckRemovals.getObject().resumed(context.getConfiguration());
        } else {
            stuckRemovals.getObject().ended(context.getConfiguration());
        }
    }

    /**
     * Whether the job is the one this command runs: it is deleted during its own run only when it succeeded (a failed
     * run rolls back), so its deletion then means success.
     */
    private static boolean isRunningNow(IncidentContext context) {
        JobEntity current = Context.getCommandContext().getCurrentJob();
        return current != null && current.getId().equals(context.getConfiguration());
    }

    /** False when the host enabled composite incident handlers: the engine's own handler then creates the incident. */
    private boolean isMainHandler() {
        return Context.getProcessEngineConfiguration().getIncidentHandler(getIncidentHandlerType()) == this;
    }

    private static Incident openIncidentOf(IncidentContext context) {
        CommandContext commandContext = Context.getCommandContext();
        List<Incident> incidents = commandContext.getIncidentManager()
                .findIncidentByConfigurationAndIncidentType(context.getConfiguration(), Incident.FAILED_JOB_HANDLER_TYPE);
        return incidents.isEmpty() ? null : incidents.get(incidents.size() - 1);
    }
}
