package io.psaremoval.engine;

import static org.camunda.bpm.engine.authorization.Authorization.AUTH_TYPE_GRANT;

import io.psaremoval.account.AccountGroups;
import io.psaremoval.account.Role;
import org.camunda.bpm.engine.AuthorizationService;
import org.camunda.bpm.engine.authorization.Authorization;
import org.camunda.bpm.engine.authorization.HistoricProcessInstancePermissions;
import org.camunda.bpm.engine.authorization.HistoricTaskPermissions;
import org.camunda.bpm.engine.authorization.Permission;
import org.camunda.bpm.engine.authorization.Permissions;
import org.camunda.bpm.engine.authorization.ProcessDefinitionPermissions;
import org.camunda.bpm.engine.authorization.ProcessInstancePermissions;
import org.camunda.bpm.engine.authorization.Resource;
import org.camunda.bpm.engine.authorization.Resources;
import org.camunda.bpm.engine.authorization.UserOperationLogCategoryPermissions;
import org.camunda.bpm.engine.impl.context.Context;
import org.camunda.bpm.engine.impl.interceptor.CommandContext;
import org.springframework.stereotype.Service;

/**
 * The engine authorizations that mirror the platform's rules (authorization checks are on):
 * <ul>
 * <li>every user of an account may open Tasklist, see and start "Remove PSA integration", and see
 * the removals of their own account, running and finished, nothing of another account; they see the definition of
 * "Removal notice" but may not start it (the removal gives each notice to its one reader, the requester or an
 * Administrator who was asked to approve a deletion, as its assignee);</li>
 * <li>the tasks themselves are authorized by the engine for their assignee and candidate groups;</li>
 * <li>support may open Tasklist and work the tasks offered to the support group, nothing else;</li>
 * <li>auditors may read history of every removal and decision, and change nothing.</li>
 * </ul>
 */
@Service
public class EngineAuthorizations {

    static final String PROCESS_KEY = "RemovePsaIntegration";
    /** The notices a removal gives its requester (or approvers): read by every account user, started by no one else. */
    public static final String NOTICE_PROCESS_KEY = "RemovalNotice";
    /** Restore deleted PSA data: any user of an account may start it; its first step refuses all but Administrators. */
    public static final String RESTORE_PROCESS_KEY = "RestoreDeletedPsaData";

    private final AuthorizationService authorizationService;

    public EngineAuthorizations(AuthorizationService authorizationService) {
        this.authorizationService = authorizationService;
    }

    /** What every user of the account may do, whatever their role: the process refuses the roles that may not remove. */
    public void grantAccountGroup(String accountGroup) {
        grant(accountGroup, Resources.APPLICATION, "tasklist", Permissions.ACCESS);
        grant(accountGroup, Resources.FILTER, "*", Permissions.READ);
        grant(accountGroup, Resources.PROCESS_DEFINITION, PROCESS_KEY, ProcessDefinitionPermissions.READ,
                ProcessDefinitionPermissions.CREATE_INSTANCE);
        grant(accountGroup, Resources.PROCESS_INSTANCE, "*", ProcessInstancePermissions.CREATE);
        grant(accountGroup, Resources.PROCESS_DEFINITION, NOTICE_PROCESS_KEY, ProcessDefinitionPermissions.READ);
        grant(accountGroup, Resources.PROCESS_DEFINITION, RESTORE_PROCESS_KEY, ProcessDefinitionPermissions.READ,
                ProcessDefinitionPermissions.CREATE_INSTANCE);
        // The names of their own account's groups, which Tasklist shows for a task offered to a group.
        AccountGroups.accountOf(accountGroup).ifPresent(accountId -> {
            grant(accountGroup, Resources.GROUP, accountGroup, Permissions.READ);
            for (Role role : Role.values()) {
                if (role.isAccountRole()) {
                    grant(accountGroup, Resources.GROUP, role.groupOf(accountId), Permissions.READ);
                }
            }
        });
    }

    public void grantSupportGroup() {
        grant(AccountGroups.SUPPORT, Resources.APPLICATION, "tasklist", Permissions.ACCESS);
        grant(AccountGroups.SUPPORT, Resources.FILTER, "*", Permissions.READ);
        grant(AccountGroups.SUPPORT, Resources.PROCESS_DEFINITION, PROCESS_KEY, ProcessDefinitionPermissions.READ);
        grant(AccountGroups.SUPPORT, Resources.GROUP, AccountGroups.SUPPORT, Permissions.READ);
    }

    public void grantAuditorsGroup() {
        grant(AccountGroups.AUDITORS, Resources.APPLICATION, "cockpit", Permissions.ACCESS);
        grant(AccountGroups.AUDITORS, Resources.PROCESS_DEFINITION, "*", ProcessDefinitionPermissions.READ,
                ProcessDefinitionPermissions.READ_HISTORY);
        grant(AccountGroups.AUDITORS, Resources.DECISION_DEFINITION, "*", Permissions.READ, Permissions.READ_HISTORY);
        grant(AccountGroups.AUDITORS, Resources.DECISION_REQUIREMENTS_DEFINITION, "*", Permissions.READ);
        grant(AccountGroups.AUDITORS, Resources.DEPLOYMENT, "*", Permissions.READ);
        grant(AccountGroups.AUDITORS, Resources.HISTORIC_PROCESS_INSTANCE, "*", HistoricProcessInstancePermissions.READ);
        grant(AccountGroups.AUDITORS, Resources.HISTORIC_TASK, "*", HistoricTaskPermissions.READ,
                HistoricTaskPermissions.READ_VARIABLE);
        grant(AccountGroups.AUDITORS, Resources.OPERATION_LOG_CATEGORY, "*", UserOperationLogCategoryPermissions.READ);
    }

    /** The engine's administrators may do everything, as the starter's own admin user may. */
    public void grantAdministrators() {
        for (Resources resource : Resources.values()) {
            grant(AccountGroups.CAMUNDA_ADMIN, resource, "*", Permissions.ALL);
        }
    }

    /**
     * Lets the account's users see one removal: the running instance and its history. Runs inside the
     * engine command that starts the removal, whose user may not grant anything, hence without checks.
     */
    public void grantRemovalToAccount(String processInstanceId, long accountId) {
        CommandContext command = Context.getCommandContext();
        boolean checking = command != null && command.isAuthorizationCheckEnabled();
        if (checking) {
            command.disableAuthorizationCheck();
        }
        try {
            String group = AccountGroups.ofAccount(accountId);
            grant(group, Resources.PROCESS_INSTANCE, processInstanceId, ProcessInstancePermissions.READ);
            grant(group, Resources.HISTORIC_PROCESS_INSTANCE, processInstanceId, HistoricProcessInstancePermissions.READ);
        } finally {
            if (checking) {
                command.enableAuthorizationCheck();
            }
        }
    }

    /** Grants the permissions to the group on the resource, once: an existing grant is extended, not duplicated. */
    private void grant(String groupId, Resource resource, String resourceId, Permission... permissions) {
        Authorization authorization = authorizationService.createAuthorizationQuery()
                .groupIdIn(groupId).resourceType(resource).resourceId(resourceId).singleResult();
        if (authorization == null) {
            authorization = authorizationService.createNewAuthorization(AUTH_TYPE_GRANT);
            authorization.setGroupId(groupId);
            authorization.setResource(resource);
            authorization.setResourceId(resourceId);
        }
        boolean missing = false;
        for (Permission permission : permissions) {
            if (!authorization.isPermissionGranted(permission)) {
                authorization.addPermission(permission);
                missing = true;
            }
        }
        if (missing) {
            authorizationService.saveAuthorization(authorization);
        }
    }
}
