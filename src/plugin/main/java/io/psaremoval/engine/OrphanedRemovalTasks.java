package io.psaremoval.engine;

import io.psaremoval.account.AccountGroups;
import io.psaremoval.account.PlatformUser;
import io.psaremoval.account.PlatformUsers;
import io.psaremoval.account.Role;
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

/**
 * A task of a removal or a restore that is offered to an account's Administrators, held by someone who is no longer an
 * active Manager or Administrator of that account (they left the platform, were deactivated, demoted or moved), is
 * handed back to the Administrators: unassigned, Tasklist offers it to them, and one of them claims it and cancels the
 * removal, or goes on with it (every rule is checked again where data is written, the requester's among them). Before,
 * such a removal kept its integration reserved until the task's timeout (a week), and no Administrator could end it.
 * Run after every identity sync ({@link EngineIdentitySync}). Engine administrators holding a task are left alone.
 */
@Component
class OrphanedRemovalTasks {

    private static final Logger log = LoggerFactory.getLogger(OrphanedRemovalTasks.class);

    private final TaskService tasks;
    private final IdentityService identities;
    private final PlatformUsers users;

    OrphanedRemovalTasks(ProcessEngine engine, PlatformUsers users) {
        this.tasks = engine.getTaskService();
        this.identities = engine.getIdentityService();
        this.users = users;
    }

    /** @return how many tasks were handed back to their account's Administrators */
    int handBack() {
        int handedBack = 0;
        for (Task task : tasks.createTaskQuery().processDefinitionKeyIn(EngineAuthorizations.PROCESS_KEY,
                EngineAuthorizations.RESTORE_PROCESS_KEY).taskAssigned().list()) {
            Optional<Long> account = administratorsAccountOf(task);
            if (account.isEmpty() || mayHoldIt(task.getAssignee(), account.get())) {
                continue;
            }
            tasks.setAssignee(task.getId(), null);
            handedBack++;
            log.info("Task '{}' ({}) handed back to the Administrators of account {}: its holder {} is no longer an"
                    + " active Manager or Administrator there", task.getName(), task.getId(), account.get(), task.getAssignee());
        }
        return handedBack;
    }

    /** The account whose Administrators the task is offered to, if it is. */
    private Optional<Long> administratorsAccountOf(Task task) {
        for (IdentityLink link : tasks.getIdentityLinksForTask(task.getId())) {
            if (IdentityLinkType.CANDIDATE.equals(link.getType()) && link.getGroupId() != null) {
                Optional<Long> account = AccountGroups.accountOf(link.getGroupId());
                if (account.isPresent() && link.getGroupId().equals(Role.ADMINISTRATOR.groupOf(account.get()))) {
                    return account;
                }
            }
        }
        return Optional.empty();
    }

    private boolean mayHoldIt(String assignee, long accountId) {
        Optional<PlatformUser> user = users.findActiveByUsername(assignee);
        if (user.isPresent()) {
            return user.get().accountId() != null && user.get().accountId() == accountId
                    && (user.get().role() == Role.MANAGER || user.get().role() == Role.ADMINISTRATOR);
        }
        // Not an active platform user: an engine administrator keeps it; anyone else (gone, deactivated) does not.
        return identities.createUserQuery().userId(assignee).memberOfGroup(AccountGroups.CAMUNDA_ADMIN).count() > 0;
    }
}
