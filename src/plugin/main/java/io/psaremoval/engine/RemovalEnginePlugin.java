package io.psaremoval.engine;

import io.psaremoval.account.PlatformUsers;
import io.psaremoval.removal.RemovalService;
import io.psaremoval.security.SecurityEvents;
import java.util.ArrayList;
import java.util.List;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.ExecutionListener;
import org.camunda.bpm.engine.impl.bpmn.parser.AbstractBpmnParseListener;
import org.camunda.bpm.engine.impl.bpmn.parser.BpmnParseListener;
import org.camunda.bpm.engine.impl.cfg.AbstractProcessEnginePlugin;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.camunda.bpm.engine.impl.context.Context;
import org.camunda.bpm.engine.impl.incident.IncidentHandler;
import org.camunda.bpm.engine.runtime.Incident;
import org.camunda.bpm.engine.impl.interceptor.CommandInterceptor;
import org.camunda.bpm.engine.impl.persistence.entity.ExecutionEntity;
import org.camunda.bpm.engine.impl.persistence.entity.ProcessDefinitionEntity;
import org.camunda.bpm.engine.impl.util.xml.Element;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

/**
 * What the removal adds to the process engine itself, so that its rules hold for every way in:
 * <ul>
 * <li>{@link PlatformCommandGuard}: the engine's generic API narrowed for the platform's people, and no caller's
 * expression evaluated in a query;</li>
 * <li>{@link SecurityEventsAfterCommand}: what a command records as a security event is written after its transaction,
 * so that a refusal holds one connection at a time;</li>
 * <li>a built-in end listener on every process: when a removal's process instance ends without an outcome of its
 * own (an operator deletes it in Cockpit, an error nobody catches ends it), its integration is released and the
 * removal ends as aborted. Built-in listeners run even when a caller asks to skip custom listeners.</li>
 * <li>{@link StuckRemovalIncidentHandler}: a removal whose step runs out of retries reaches its requester and the
 * operators as Tasklist tasks ({@link StuckRemovals}).</li>
 * <li>{@link TaskClosedMeanwhile}: a person whose completion collides with another's that closed the same task is told
 * so in a sentence, not with the engine's locking failure.</li>
 * </ul>
 */
@Component
class RemovalEnginePlugin extends AbstractProcessEnginePlugin {

    private final PlatformCommandGuard guard;
    private final SecurityEvents securityEvents;
    private final ObjectProvider<RemovalService> removals;
    private final ObjectProvider<StuckRemovals> stuckRemovals;
    private final ObjectProvider<io.psaremoval.restore.RestoreService> restores;

    RemovalEnginePlugin(PlatformUsers users, SecurityEvents securityEvents, ObjectProvider<RemovalService> removals,
            ObjectProvider<StuckRemovals> stuckRemovals, ObjectProvider<io.psaremoval.restore.RestoreService> restores) {
        this.guard = new PlatformCommandGuard(users, securityEvents);
        this.securityEvents = securityEvents;
        this.removals = removals;
        this.restores = restores;
        this.stuckRemovals = stuckRemovals;
    }

    @Override
    public void preInit(ProcessEngineConfigurationImpl configuration) {
        configuration.setCustomPostCommandInterceptorsTxRequired(with(configuration.getCustomPostCommandInterceptorsTxRequired(), guard));
        // An interceptor is a link of one chain (it holds the next one): each chain gets its own.
        configuration.setCustomPreCommandInterceptorsTxRequired(with(with(configuration.getCustomPreCommandInterceptorsTxRequired(),
                new SecurityEventsAfterCommand(securityEvents)), new TaskClosedMeanwhile(configuration)));
        configuration.setCustomPreCommandInterceptorsTxRequiresNew(with(
                configuration.getCustomPreCommandInterceptorsTxRequiresNew(), new SecurityEventsAfterCommand(securityEvents)));
        List<BpmnParseListener> parseListeners = configuration.getCustomPostBPMNParseListeners() == null ? new ArrayList<>()
                : new ArrayList<>(configuration.getCustomPostBPMNParseListeners());
        parseListeners.add(new AbstractBpmnParseListener() {
            @Override
            public void parseProcess(Element processElement, ProcessDefinitionEntity processDefinition) {
                ExecutionListener whenEnded = RemovalEnginePlugin.this::processEnded;
                processDefinition.addBuiltInListener(ExecutionListener.EVENTNAME_END, whenEnded);
            }
        });
        configuration.setCustomPostBPMNParseListeners(parseListeners);
    }

    @Override
    public void postInit(ProcessEngineConfigurationImpl configuration) {
        HostSettingsCheck.check(configuration);
        // Wraps whatever handles failed jobs now (the engine's default, a host's own, a composite), keeping it whole.
        IncidentHandler failedJobs = configuration.getIncidentHandler(Incident.FAILED_JOB_HANDLER_TYPE);
        configuration.getIncidentHandlers().put(Incident.FAILED_JOB_HANDLER_TYPE,
                new StuckRemovalIncidentHandler(failedJobs, stuckRemovals));
    }

    /** Again once built: with history level "auto", the engine learns its level from the database only now. */
    @Override
    public void postProcessEngineBuild(org.camunda.bpm.engine.ProcessEngine engine) {
        HostSettingsCheck.check((ProcessEngineConfigurationImpl) engine.getProcessEngineConfiguration());
    }

    private static List<CommandInterceptor> with(List<CommandInterceptor> interceptors, CommandInterceptor added) {
        List<CommandInterceptor> all = interceptors == null ? new ArrayList<>() : new ArrayList<>(interceptors);
        all.add(added);
        return all;
    }

    /** Runs at the end of every process instance; a removal that has no outcome yet is aborted. */
    private void processEnded(DelegateExecution execution) {
        if (!execution.getId().equals(execution.getProcessInstanceId())) {
            return;
        }
        String user = Context.getCommandContext() == null ? null : Context.getCommandContext().getAuthenticatedUserId();
        boolean cancelled = execution instanceof ExecutionEntity entity && entity.isCanceled();
        String reason = cancelled
                ? "Process instance deleted" + (user == null ? "" : " by " + user)
                        + (execution instanceof ExecutionEntity entity && entity.getDeleteReason() != null
                                ? " (" + entity.getDeleteReason() + ")" : "")
                        + " before the removal reached an outcome; the integration was released."
                : "Process instance ended at " + execution.getCurrentActivityId() + " without an outcome"
                        + (user == null ? "" : " (by " + user + ")") + "; the integration was released.";
        removals.getObject().abortIfOpen(execution.getProcessInstanceId(), reason);
        restores.getObject().abortIfOpen(execution.getProcessInstanceId(), cancelled
                ? "Process instance deleted" + (user == null ? "" : " by " + user) + " before the restore reached an outcome."
                : "Process instance ended at " + execution.getCurrentActivityId() + " without an outcome.");
        if (cancelled && execution.getProcessBusinessKey() != null && Context.getCommandContext() != null
                && execution.getProcessDefinitionId().startsWith(EngineAuthorizations.PROCESS_KEY + ":")) {
            // Deleted by an operator: the requester's notices that it waits or runs no longer hold.
            NoticeWithdrawal.withdraw(execution.getProcessBusinessKey(), null);
        }
    }
}
