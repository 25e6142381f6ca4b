package io.psaremoval.engine;

import io.psaremoval.account.AccountGroups;
import io.psaremoval.removal.Removal;
import io.psaremoval.removal.RemovalService;
import java.util.List;
import java.util.Optional;
import org.camunda.bpm.engine.TaskService;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.camunda.bpm.engine.impl.context.Context;
import org.camunda.bpm.engine.impl.interceptor.CommandContext;
import org.camunda.bpm.engine.impl.persistence.entity.ProcessDefinitionEntity;
import org.camunda.bpm.engine.impl.pvm.process.ActivityImpl;
import org.camunda.bpm.engine.task.Task;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * A removal whose step ran out of retries does not wait in silence. When the step's job gets its incident, the
 * requester gets a task in Tasklist that says, in plain words, where the removal stopped and why, and that an
 * operator will take it on; the operators ({@code camunda-admin}) get a task naming the incident, the job and the
 * Cockpit page to retry it from. When the operator's retry succeeds both tasks close by themselves (deleted with the
 * reason, kept in history); when the removal ends without it (cancelled in Cockpit), both close saying so. Every stop
 * is recorded in {@code removal_stuck_notice}.
 *
 * <p>Called by {@link StuckRemovalIncidentHandler} in an engine command of its own, right after the engine's
 * transaction that created, resolved or deleted the incident committed; tasks are written without authorization
 * checks, whoever's command it was (the job executor's, or an operator's retry).
 */
@Component
public class StuckRemovals {

    static final int FAILURE_SHOWN = 500;
    /** A word both task names contain ("Your removal of ...", "Retry the stuck removal ..."): the Tasklist filter's. */
    static final String TASK_NAME_WORD = "removal";
    static final int REQUESTER_PRIORITY = 80;
    static final int OPERATOR_PRIORITY = 90;

    private static final Logger log = LoggerFactory.getLogger(StuckRemovals.class);

    private final JdbcClient jdbc;
    private final RemovalService removals;
    private final String webappPath;

    StuckRemovals(JdbcClient jdbc, RemovalService removals,
            @Value("${camunda.bpm.webapp.application-path:/camunda}") String webappPath) {
        this.jdbc = jdbc;
        this.removals = removals;
        this.webappPath = webappPath.endsWith("/") ? webappPath.substring(0, webappPath.length() - 1) : webappPath;
    }

    /** A stop as recorded, with its tasks. */
    public record Notice(long id, long removalId, String processInstanceId, String jobId, String incidentId,
            String stepName, String failure, String requester, String requesterTaskId, String operatorTaskId,
            java.time.OffsetDateTime openedAt, java.time.OffsetDateTime retriedAt, String retriedBy,
            java.time.OffsetDateTime closedAt, String closedHow) {
    }

    /** The stops of a removal, oldest first. */
    public List<Notice> of(long removalId) {
        return jdbc.sql("""
                select id, removal_id, process_instance_id, job_id, incident_id, step_name, failure, requester,
                       requester_task_id, operator_task_id, opened_at, retried_at, retried_by, closed_at, closed_how
                from removal_stuck_notice where removal_id = :removal order by id""")
                .param("removal", removalId).query(Notice.class).list();
    }

    /** What the failed-job handling knew when the incident was created. */
    record Stop(String incidentId, String processInstanceId, String jobId, String processDefinitionId, String activityId,
            FailureInWords.Failure failure) {
    }

    /**
     * The job ran out of retries. A first stop opens the two tasks; a stop of the same job after an operator's retry
     * that failed again keeps them, with the new incident and failure written into them.
     */
    void stopped(Stop stop) {
        Optional<Removal> found = removals.find(stop.processInstanceId());
        if (found.isEmpty()) {
            return;
        }
        Removal removal = found.get();
        ProcessEngineConfigurationImpl engine = Context.getProcessEngineConfiguration();
        String step = stepName(engine, stop.processDefinitionId(), stop.activityId());
        // The requester reads the failure in words; the operators, the audit and the log read its cause as well.
        String inWords = shortened(stop.failure().plain());
        String failure = shortened(stop.failure().forOperators());
        TaskService tasks = engine.getTaskService();
        CommandContext command = Context.getCommandContext();
        Optional<Notice> open = openFor(stop.jobId());
        if (open.isPresent()) {
            Notice notice = open.get();
            jdbc.sql("""
                    update removal_stuck_notice set incident_id = :incident, failure = :failure,
                           failure_in_words = :inWords, times_stopped = times_stopped + 1
                    where id = :id""")
                    .param("incident", stop.incidentId()).param("failure", failure).param("inWords", inWords)
                    .param("id", notice.id()).update();
            command.runWithoutAuthorization(() -> {
                describe(tasks, notice.requesterTaskId(), forRequester(removal, step, inWords));
                describe(tasks, notice.operatorTaskId(), forOperators(removal, stop, step, failure));
                return null;
            });
            log.warn("Removal {} stopped again at '{}' (job {}, incident {}): {}", removal.businessKey(), step,
                    stop.jobId(), stop.incidentId(), failure);
            return;
        }
        // The requester's notice that the removal runs no longer holds: their task below says it waits instead.
        NoticeWithdrawal.withdraw(removal.businessKey(), "RUNNING");
        String requesterTask = null;
        String operatorTask = null;
        if (engine.isStandaloneTasksEnabled()) {
            requesterTask = command.runWithoutAuthorization(() -> {
                Task task = tasks.newTask();
                task.setName(fitted("Your removal of " + (removal.integrationName() == null ? "a PSA integration"
                        : removal.integrationName()) + " waits for an operator"));
                task.setDescription(fittedDescription(forRequester(removal, step, inWords)));
                task.setAssignee(removal.requestedBy());
                task.setPriority(REQUESTER_PRIORITY);
                tasks.saveTask(task);
                return task.getId();
            });
            operatorTask = command.runWithoutAuthorization(() -> {
                Task task = tasks.newTask();
                task.setName(fitted("Retry the stuck removal " + removal.businessKey() + " at \"" + step + "\""));
                task.setDescription(fittedDescription(forOperators(removal, stop, step, failure)));
                task.setPriority(OPERATOR_PRIORITY);
                tasks.saveTask(task);
                tasks.addCandidateGroup(task.getId(), AccountGroups.CAMUNDA_ADMIN);
                return task.getId();
            });
        } else {
            log.warn("Standalone tasks are disabled on this engine: removal {} waits for an operator without a task",
                    removal.businessKey());
        }
        jdbc.sql("""
                insert into removal_stuck_notice (removal_id, process_instance_id, job_id, incident_id, activity_id,
                       step_name, failure, failure_in_words, requester, requester_task_id, operator_task_id)
                values (:removal, :instance, :job, :incident, :activity, :step, :failure, :inWords, :requester,
                        :requesterTask, :operatorTask)""")
                .param("removal", removal.id()).param("instance", removal.processInstanceId())
                .param("job", stop.jobId()).param("incident", stop.incidentId())
                .param("activity", stop.activityId()).param("step", step).param("failure", failure)
                .param("inWords", inWords).param("requester", removal.requestedBy()).param("requesterTask", requesterTask)
                .param("operatorTask", operatorTask).update();
        log.warn("Removal {} stopped at '{}' (job {}, incident {}): {}; the requester {} and the operators have a task",
                removal.businessKey(), step, stop.jobId(), stop.incidentId(), failure, removal.requestedBy());
    }

    private Optional<Notice> openFor(String jobId) {
        return jdbc.sql("""
                select id, removal_id, process_instance_id, job_id, incident_id, step_name, failure, requester,
                       requester_task_id, operator_task_id, opened_at, retried_at, retried_by, closed_at, closed_how
                from removal_stuck_notice where job_id = :job and closed_at is null""")
                .param("job", jobId).query(Notice.class).optional();
    }

    private static void describe(TaskService tasks, String taskId, String description) {
        Task task = taskId == null ? null : tasks.createTaskQuery().taskId(taskId).singleResult();
        if (task != null) {
            task.setDescription(fittedDescription(description));
            tasks.saveTask(task);
        }
    }

    /** An operator gave the job retries again: noted; the tasks stay until the retry succeeds. */
    void retried(String jobId, String operator) {
        jdbc.sql("""
                update removal_stuck_notice set retried_at = now(), retried_by = :user
                where job_id = :job and closed_at is null""")
                .param("user", operator).param("job", jobId).update();
    }

    /** The job succeeded: the removal goes on, the tasks close. */
    void resumed(String jobId) {
        close(jobId, "RESUMED", "The removal goes on: the operator's retry of the step succeeded.");
    }

    /** The job was deleted unfinished: the removal ended without the step (say, cancelled in Cockpit). */
    void ended(String jobId) {
        close(jobId, "ENDED", "The removal ended without the step being retried.");
    }

    private void close(String jobId, String how, String reason) {
        List<Notice> closed = jdbc.sql("""
                update removal_stuck_notice set closed_at = now(), closed_how = :how
                where job_id = :job and closed_at is null
                returning id, removal_id, process_instance_id, job_id, incident_id, step_name, failure, requester,
                          requester_task_id, operator_task_id, opened_at, retried_at, retried_by, closed_at, closed_how""")
                .param("how", how).param("job", jobId).query(Notice.class).list();
        if (closed.isEmpty()) {
            return;
        }
        ProcessEngineConfigurationImpl engine = Context.getProcessEngineConfiguration();
        TaskService tasks = engine.getTaskService();
        CommandContext command = Context.getCommandContext();
        for (Notice notice : closed) {
            for (String taskId : new String[] {notice.requesterTaskId(), notice.operatorTaskId()}) {
                if (taskId != null) {
                    command.runWithoutAuthorization(() -> {
                        if (tasks.createTaskQuery().taskId(taskId).count() > 0) {
                            tasks.deleteTask(taskId, reason);
                        }
                        return null;
                    });
                }
            }
            log.info("Removal stop {} at '{}' closed: {}", notice.id(), notice.stepName(), reason);
        }
    }

    private static String forRequester(Removal removal, String step, String failure) {
        return "Your removal " + removal.businessKey() + " stopped at the step \"" + step + "\": it failed on every "
                + "attempt (" + failure + "). What it did so far stays done; nothing more is removed until an operator "
                + "has fixed the cause and retried the step, and the operators have a task for it. There is nothing "
                + "for you to do here: this task closes by itself when the removal goes on, or when it ends.";
    }

    private String forOperators(Removal removal, Stop stop, String step, String failure) {
        return "Removal " + removal.businessKey() + " (account " + removal.accountId() + ", "
                + (removal.integrationName() == null ? "no integration reserved yet" : removal.integrationName())
                + ", requested by " + removal.requestedBy() + ") ran out of retries at \"" + step + "\" (activity "
                + stop.activityId() + ", job " + stop.jobId() + ", incident " + stop.incidentId() + "): " + failure
                + ". Fix the cause, then retry the job in Cockpit: " + webappPath
                + "/app/cockpit/default/#/process-instance/" + removal.processInstanceId()
                + "/runtime?tab=incidents-tab (or PUT /engine-rest/job/" + stop.jobId()
                + "/retries with {\"retries\": 1}). Every step re-checks its rules and is safe to repeat. This task and "
                + "the requester's close by themselves when the retry succeeds.";
    }

    private static String stepName(ProcessEngineConfigurationImpl engine, String processDefinitionId, String activityId) {
        ProcessDefinitionEntity definition = processDefinitionId == null ? null
                : engine.getDeploymentCache().findDeployedProcessDefinitionById(processDefinitionId);
        ActivityImpl activity = definition == null || activityId == null ? null : definition.findActivity(activityId);
        return activity != null && activity.getName() != null ? activity.getName().replaceAll("\\s+", " ")
                : String.valueOf(activityId);
    }

    /** A task name fits the engine's column. */
    private static String fitted(String name) {
        return EngineTexts.fitted(name, EngineTexts.TASK_NAME);
    }

    /** A task description fits the engine's column. */
    private static String fittedDescription(String description) {
        return EngineTexts.fitted(description, EngineTexts.TASK_DESCRIPTION);
    }

    private static String shortened(String message) {
        String plain = message == null || message.isBlank() ? "no message" : message.strip().replaceAll("\\s+", " ");
        return EngineTexts.fitted(plain, FAILURE_SHOWN);
    }
}
