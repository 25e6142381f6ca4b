package io.psaremoval.engine;

import io.psaremoval.account.AccountGroups;
import io.psaremoval.account.PlatformUser;
import io.psaremoval.account.PlatformUsers;
import io.psaremoval.account.Role;
import io.psaremoval.removal.Removal;
import io.psaremoval.removal.RemovalService;
import java.util.Optional;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.TaskService;
import org.camunda.bpm.engine.task.IdentityLink;
import org.camunda.bpm.engine.task.IdentityLinkType;
import org.camunda.bpm.engine.task.Task;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * A removal's task that is offered to an account's Administrators, held by someone who may no longer hold it (they
 * left the platform or were deactivated; a requester no longer a Manager or Administrator of the account; anyone else no
 * longer an Administrator there), is handed back to the Administrators: unassigned, Tasklist offers it to them, and one
 * of them claims it and cancels the removal (or goes on with it: every rule is checked again where data is written, the
 * requester's among them). Before, such a removal kept its integration reserved until the task's timeout (a week), and
 * no Administrator could end it; a cancellation claimed by an Administrator since demoted could not be taken over.
 *
 * <p>Run after every identity sync ({@link EngineIdentitySync}), one task at a time, each in a transaction of its own
 * under the identity lock, re-read there: a task claimed, completed, closed or suspended meanwhile is left as it is, and
 * a failure on one task is logged and skips only that task. Engine administrators holding a task keep it.
 */
@Component
class OrphanedRemovalTasks {

    private static final Logger log = LoggerFactory.getLogger(OrphanedRemovalTasks.class);

    private final TaskService tasks;
    private final RemovalService removals;
    private final IdentityService identities;
    private final PlatformUsers users;
    private final ClusterLock clusterLock;
    private final TransactionTemplate transaction;

    OrphanedRemovalTasks(ProcessEngine engine, PlatformUsers users, RemovalService removals, ClusterLock clusterLock,
            PlatformTransactionManager transactionManager) {
        this.tasks = engine.getTaskService();
        this.removals = removals;
        this.identities = engine.getIdentityService();
        this.users = users;
        this.clusterLock = clusterLock;
        this.transaction = new TransactionTemplate(transactionManager);
    }

    /** @return how many tasks were handed back to their account's Administrators */
    int handBack() {
        int handedBack = 0;
        for (Task task : tasks.createTaskQuery().processDefinitionKey(EngineAuthorizations.PROCESS_KEY).taskAssigned()
                .active().taskCandidateGroupLike("account-%-administrator").includeAssignedTasks().list()) {
            try {
                if (Boolean.TRUE.equals(transaction.execute(status -> handBackLocked(task.getId(), task.getAssignee())))) {
                    handedBack++;
                }
            } catch (RuntimeException failed) {
                log.warn("Task {} of a removal was not handed back this time (it is tried again after the next sync): {}",
                        task.getId(), failed.toString());
            }
        }
        return handedBack;
    }

    /** Hands the task back if it is still open, active and held by the same person, who may no longer hold it. */
    private boolean handBackLocked(String taskId, String assignee) {
        clusterLock.holdUntilTransactionEnds(EngineIdentityMirror.CLUSTER_LOCK);
        Task task = tasks.createTaskQuery().taskId(taskId).taskAssignee(assignee).active().singleResult();
        Optional<Long> account = task == null ? Optional.empty() : administratorsAccountOf(task);
        if (account.isEmpty() || mayHoldIt(task, assignee, account.get())) {
            return false;
        }
        tasks.setAssignee(taskId, null);
        log.info("Task '{}' ({}) handed back to the Administrators of account {}: {} may no longer hold it", task.getName(),
                taskId, account.get(), assignee);
        return true;
    }

    /** The account whose Administrators the task is offered to, if it is. */
    private Optional<Long> administratorsAccountOf(Task task) {
        for (IdentityLink link : tasks.getIdentityLinksForTask(task.getId())) {
            if (IdentityLinkType.CANDIDATE.equals(link.getType()) && link.getGroupId() != null) {
                Optional<Long> account = AccountGroups.accountOfAdministrators(link.getGroupId());
                if (account.isPresent()) {
                    return account;
                }
            }
        }
        return Optional.empty();
    }

    /**
     * An engine administrator may hold any; the removal's requester while a Manager or Administrator of the account (the
     * roles that may remove); anyone else while an Administrator of the account (approving, cancelling a pending
     * deletion and taking over a requester's task are theirs).
     */
    private boolean mayHoldIt(Task task, String assignee, long accountId) {
        if (identities.createUserQuery().userId(assignee).memberOfGroup(AccountGroups.CAMUNDA_ADMIN).count() > 0) {
            return true;
        }
        Optional<PlatformUser> user = users.findActiveByUsername(assignee);
        if (user.isEmpty() || user.get().accountId() == null || user.get().accountId() != accountId) {
            return false;
        }
        boolean requester = removals.find(task.getProcessInstanceId()).map(Removal::requestedBy)
                .filter(assignee::equals).isPresent();
        return requester ? user.get().role().mayRemove() : user.get().role() == Role.ADMINISTRATOR;
    }
}
