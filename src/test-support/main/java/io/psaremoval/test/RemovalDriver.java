package io.psaremoval.test;

import static io.psaremoval.camunda.RemovalVariables.*;

import io.psaremoval.test.PlatformFixtures;
import io.psaremoval.account.Role;
import io.psaremoval.removal.RemovalMode;
import io.psaremoval.test.GeneratedAccount;
import java.util.HashMap;
import java.util.List;
import org.camunda.bpm.engine.identity.Group;
import java.util.Map;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.runtime.Job;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.camunda.bpm.engine.task.Task;

/**
 * Drives removals through the engine's API as the people in Tasklist would, executing the asynchronous
 * steps in the test's thread (the job executor is off in tests).
 */
public class RemovalDriver {

    private final ProcessEngine engine;
    private final PlatformFixtures fixtures;

    public RemovalDriver(ProcessEngine engine, PlatformFixtures fixtures) {
        this.engine = engine;
        this.fixtures = fixtures;
    }

    public ProcessInstance start(String user) {
        return start(user, Map.of(REMOVAL_REASON, "Moving to another PSA"));
    }

    /** Starts a removal as the user with what they entered in the start form. */
    public ProcessInstance start(String user, Map<String, Object> startForm) {
        return asUser(user, () -> engine.getRuntimeService().startProcessInstanceByKey("RemovePsaIntegration", startForm));
    }

    /** The requester's task beside the approval, open while a deletion waits for a second Administrator. */
    public static final String WITHDRAW_TASK = "UserTask_WithdrawDeletion";

    /**
     * Completes the removal's one open task as the user; while a deletion waits for a second Administrator, the approval
     * (the requester's task beside it is completed with {@link #withdraw}).
     */
    public void complete(String user, ProcessInstance removal, Map<String, Object> variables) {
        complete(user, openTask(removal, false), variables);
    }

    /** The requester withdraws the deletion that waits for a second Administrator, with a note. */
    public void withdraw(String user, ProcessInstance removal, String note) {
        complete(user, openTask(removal, true), Map.of(WITHDRAW_DECISION, "WITHDRAW", WITHDRAW_NOTE, note));
    }

    /** The removal's open task: the requester's task beside the approval, or the one other. */
    public Task openTask(ProcessInstance removal, boolean withdrawTask) {
        List<Task> open = engine.getTaskService().createTaskQuery().processInstanceId(removal.getId()).list().stream()
                .filter(task -> WITHDRAW_TASK.equals(task.getTaskDefinitionKey()) == withdrawTask).toList();
        if (open.isEmpty()) {
            throw new IllegalStateException("Removal " + removal.getId() + " waits for no person"
                    + (withdrawTask ? " to withdraw it" : ""));
        }
        if (open.size() > 1) {
            throw new IllegalStateException("Removal " + removal.getId() + " waits for more than one task: " + open);
        }
        return open.get(0);
    }

    private void complete(String user, Task task, Map<String, Object> variables) {
        asUser(user, () -> {
            if (task.getAssignee() == null) {
                engine.getTaskService().claim(task.getId(), user); // as Tasklist does: a task offered to a group
            }
            engine.getTaskService().complete(task.getId(), new HashMap<>(variables));
            return null;
        });
    }

    /**
     * The user's hard delete of the account's PSA integration up to its confirmation (the name typed): it then waits for
     * what follows, a second Administrator's approval where the account asks for one.
     */
    public ProcessInstance confirmDeletion(GeneratedAccount account, String user) {
        return confirmDeletion(account, user, "Moving to another PSA");
    }

    /** The same, with the reason the user gives. */
    public ProcessInstance confirmDeletion(GeneratedAccount account, String user, String reason) {
        ProcessInstance removal = start(user, Map.of(REMOVAL_REASON, reason));
        complete(user, removal, Map.of(INTEGRATION_ID, String.valueOf(account.psaIntegrationId()),
                INTEGRATION_DECISION, "REMOVE"));
        runJobs(removal);
        complete(user, removal, Map.of(REMOVAL_MODE, RemovalMode.DELETE.name()));
        complete(user, removal, Map.of(DELETION_DECISION, "DELETE",
                CONFIRMATION_TEXT, fixtures.integrationName(account.psaIntegrationId())));
        return removal;
    }

    /** Executes the removal's due asynchronous jobs (not timers) until it waits for a person or ends. */
    public void runJobs(ProcessInstance removal) {
        runJobs(removal.getId());
    }

    public void runJobs(String processInstanceId) {
        for (Job job = nextJob(processInstanceId); job != null; job = nextJob(processInstanceId)) {
            engine.getManagementService().executeJob(job.getId());
        }
    }

    /** The activity at which a deletion waits out its cooling-off period, out of sight (an Administrator may cancel). */
    public static final String PENDING_DELETION_TASK = "UserTask_CancelPendingDeletion";

    /**
     * A deletion waiting out its cooling-off period ({@link #PENDING_DELETION_TASK}) reaches its end: the period passes
     * (the removal's purge due by the database's clock, its timer fired), and the purge runs to its end (see
     * {@link #runJobs}), as it does days later in production.
     *
     * @throws IllegalStateException when the removal waits out no cooling-off period
     */
    public void letTheCoolingOffPass(ProcessInstance removal) {
        Job timer = engine.getManagementService().createJobQuery().processInstanceId(removal.getId())
                .activityId("BoundaryEvent_CoolingOffOver").singleResult();
        if (timer == null) {
            throw new IllegalStateException("Removal " + removal.getId() + " waits out no cooling-off period");
        }
        fixtures.purgeDueNow(removal.getId());
        engine.getManagementService().executeJob(timer.getId());
        runJobs(removal);
    }

    /**
     * A manager's whole removal of the account's PSA integration, with the given mode. A delete confirmed under a
     * cooling-off period (7 days unless the host or the account sets another) then waits at
     * {@link #PENDING_DELETION_TASK}, nothing purged yet: {@link #letTheCoolingOffPass} ends it.
     */
    public ProcessInstance remove(GeneratedAccount account, RemovalMode mode) {
        ProcessInstance removal = decide(account, mode);
        runJobs(removal);
        return removal;
    }

    /**
     * A manager's removal up to the last decision: its first write step waits as a job, not yet run. A delete that
     * needs a second approval gets it from the account's Administrator.
     */
    public ProcessInstance decide(GeneratedAccount account, RemovalMode mode) {
        return decide(account, mode, this::runJobs);
    }

    /**
     * The same, with the asynchronous steps on the way run by the given means: here, or, where nodes of a cluster
     * run jobs, by waiting for them (executing a job here too would race the node's run of it).
     */
    public ProcessInstance decide(GeneratedAccount account, RemovalMode mode, java.util.function.Consumer<ProcessInstance> jobsOnTheWay) {
        String manager = fixtures.username(account, Role.MANAGER);
        ProcessInstance removal = start(manager);
        complete(manager, removal, Map.of(INTEGRATION_ID, String.valueOf(account.psaIntegrationId()),
                INTEGRATION_DECISION, "REMOVE"));
        jobsOnTheWay.accept(removal);
        complete(manager, removal, Map.of(REMOVAL_MODE, mode.name()));
        if (mode == RemovalMode.DELETE) {
            complete(manager, removal, Map.of(DELETION_DECISION, "DELETE",
                    CONFIRMATION_TEXT, fixtures.integrationName(account.psaIntegrationId())));
            if (waitsAt(removal, "UserTask_ApproveDeletion")) { // a large scope, or the account's policy
                complete(fixtures.username(account, Role.ADMINISTRATOR), removal, Map.of(APPROVAL_DECISION, "APPROVE"));
            }
        }
        return removal;
    }

    private boolean waitsAt(ProcessInstance removal, String userTask) {
        return engine.getTaskService().createTaskQuery().processInstanceId(removal.getId()).taskDefinitionKey(userTask)
                .count() > 0;
    }

    private Job nextJob(String processInstanceId) {
        return engine.getManagementService().createJobQuery().processInstanceId(processInstanceId).messages()
                .listPage(0, 1).stream().findFirst().orElse(null);
    }

    /** Runs the action signed in as the user, with their groups, as the REST API and the webapps do. */
    public <T> T asUser(String user, java.util.function.Supplier<T> action) {
        List<String> groups = engine.getIdentityService().createGroupQuery().groupMember(user).list().stream()
                .map(Group::getId).toList();
        engine.getIdentityService().setAuthentication(user, groups);
        try {
            return action.get();
        } finally {
            engine.getIdentityService().clearAuthentication();
        }
    }
}
