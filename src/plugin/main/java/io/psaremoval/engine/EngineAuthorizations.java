package io.psaremoval.engine;

import static org.camunda.bpm.engine.authorization.Authorization.AUTH_TYPE_GRANT;

import io.psaremoval.account.AccountGroups;
import io.psaremoval.account.Role;
import org.camunda.bpm.engine.AuthorizationService;
import org.camunda.bpm.engine.FilterService;
import org.camunda.bpm.engine.filter.Filter;
import org.camunda.bpm.engine.authorization.Authorization;
import org.camunda.bpm.engine.authorization.HistoricProcessInstancePermissions;
import org.camunda.bpm.engine.authorization.Permission;
import org.camunda.bpm.engine.authorization.Permissions;
import org.camunda.bpm.engine.authorization.ProcessDefinitionPermissions;
import org.camunda.bpm.engine.authorization.ProcessInstancePermissions;
import org.camunda.bpm.engine.authorization.Resource;
import org.camunda.bpm.engine.authorization.Resources;
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
 * <li>auditors may read history of every removal, notice, restore and permission decision, and change nothing;</li>
 * <li>none of them is granted anything of the host's own processes, deployments or filters.</li>
 * </ul>
 */
@Service
public class EngineAuthorizations {

    static final String PROCESS_KEY = "RemovePsaIntegration";
    /** The notices a removal gives its requester (or approvers): read by every account user, started by no one else. */
    public static final String NOTICE_PROCESS_KEY = "RemovalNotice";
    /** Restore deleted PSA data: any user of an account may start it; its first step refuses all but Administrators. */
    public static final String RESTORE_PROCESS_KEY = "RestoreDeletedPsaData";

    /** The decision of who may remove (RemovalPermission.dmn). */
    static final String DECISION_KEY = "RemovalPermission";
    static final java.util.List<String> PROCESS_KEYS = java.util.List.of(PROCESS_KEY, NOTICE_PROCESS_KEY, RESTORE_PROCESS_KEY);
    /** The kinds of resource on which earlier versions granted the auditors everything ({@code *}). */
    private static final java.util.Set<Integer> AUDITORS_EARLIER_WILDCARDS = java.util.Set.of(
            Resources.PROCESS_DEFINITION.resourceType(), Resources.DECISION_DEFINITION.resourceType(),
            Resources.DECISION_REQUIREMENTS_DEFINITION.resourceType(), Resources.DEPLOYMENT.resourceType(),
            Resources.HISTORIC_PROCESS_INSTANCE.resourceType(), Resources.HISTORIC_TASK.resourceType(),
            Resources.OPERATION_LOG_CATEGORY.resourceType());

    private final AuthorizationService authorizationService;
    private final FilterService filterService;

    public EngineAuthorizations(AuthorizationService authorizationService, FilterService filterService) {
        this.authorizationService = authorizationService;
        this.filterService = filterService;
    }

    /**
     * What every user of the account may do, whatever their role: the process refuses the roles that may not remove. They
     * read the plugin's Tasklist filter, when it exists (see {@link RemovalTaskFilter}), and no other.
     */
    public void grantAccountGroup(String accountGroup) {
        grant(accountGroup, Resources.APPLICATION, "tasklist", Permissions.ACCESS);
        grantRemovalFilter(accountGroup);
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
        grantRemovalFilter(AccountGroups.SUPPORT);
        grant(AccountGroups.SUPPORT, Resources.PROCESS_DEFINITION, PROCESS_KEY, ProcessDefinitionPermissions.READ);
        grant(AccountGroups.SUPPORT, Resources.GROUP, AccountGroups.SUPPORT, Permissions.READ);
    }

    /**
     * The platform's auditors read the history of the plugin's processes and decision, in Cockpit too: the removals,
     * their notices and restores, and the permission decision; nothing of the host's own processes.
     */
    public void grantAuditorsGroup() {
        grant(AccountGroups.AUDITORS, Resources.APPLICATION, "cockpit", Permissions.ACCESS);
        for (String key : PROCESS_KEYS) {
            grant(AccountGroups.AUDITORS, Resources.PROCESS_DEFINITION, key, ProcessDefinitionPermissions.READ,
                    ProcessDefinitionPermissions.READ_HISTORY);
        }
        grant(AccountGroups.AUDITORS, Resources.DECISION_DEFINITION, DECISION_KEY, Permissions.READ, Permissions.READ_HISTORY);
    }

    /**
     * What earlier versions granted the platform's groups on every resource of a kind ({@code *}), which reached the
     * host's own processes, deployments, history and filters, withdrawn; what the groups need instead is granted by
     * {@link #grantAccountGroup}, {@link #grantSupportGroup} and {@link #grantAuditorsGroup}. A grant of {@code *} that
     * is no platform group's, or that the plugin never gave, is left alone.
     *
     * @param filterReplaced whether the plugin's own Tasklist filter exists to be read instead of every filter (a host
     *                       that creates none keeps the filter grants it relies on)
     * @return how many grants were withdrawn
     */
    public int withdrawWildcardGrants(boolean filterReplaced) {
        int withdrawn = 0;
        for (Authorization authorization : authorizationService.createAuthorizationQuery().resourceId("*").list()) {
            String group = authorization.getGroupId();
            if (group == null || !AccountGroups.isPlatformGroup(group)) {
                continue;
            }
            int resource = authorization.getResourceType();
            boolean earlier = (resource == Resources.FILTER.resourceType() && filterReplaced)
                    || (group.equals(AccountGroups.AUDITORS) && AUDITORS_EARLIER_WILDCARDS.contains(resource));
            if (earlier) {
                authorizationService.deleteAuthorization(authorization.getId());
                withdrawn++;
            }
        }
        return withdrawn;
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

    /** READ on the plugin's Tasklist filter, when it exists (a host that creates none grants its own filters). */
    private void grantRemovalFilter(String groupId) {
        removalFilterId().ifPresent(filterId -> grant(groupId, Resources.FILTER, filterId, Permissions.READ));
    }

    /** The id of the plugin's Tasklist filter ({@link RemovalTaskFilter}), if there is one. */
    java.util.Optional<String> removalFilterId() {
        return filterService.createFilterQuery().filterName(RemovalTaskFilter.NAME).list().stream().map(Filter::getId)
                .findFirst();
    }

    /**
     * READ on the filter for every account group and support that opens Tasklist and may not read it yet (found by
     * their grants, not by listing an identity provider's every group).
     *
     * @return how many groups were granted it
     */
    int grantFilterToTasklistGroups(String filterId) {
        java.util.Set<String> reading = new java.util.HashSet<>();
        authorizationService.createAuthorizationQuery().authorizationType(AUTH_TYPE_GRANT).resourceType(Resources.FILTER)
                .resourceId(filterId).list()
                .forEach(grant -> reading.add(grant.getGroupId()));
        int granted = 0;
        for (Authorization tasklist : authorizationService.createAuthorizationQuery().authorizationType(AUTH_TYPE_GRANT)
                .resourceType(Resources.APPLICATION).resourceId("tasklist").list()) {
            String group = tasklist.getGroupId();
            if (group != null && !reading.contains(group) && (AccountGroups.isAccountGroup(group)
                    || group.equals(AccountGroups.SUPPORT))) {
                grant(group, Resources.FILTER, filterId, Permissions.READ);
                reading.add(group);
                granted++;
            }
        }
        return granted;
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
