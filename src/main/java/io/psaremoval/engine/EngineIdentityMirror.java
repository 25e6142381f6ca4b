package io.psaremoval.engine;

import io.psaremoval.account.AccountGroups;
import io.psaremoval.account.PlatformUser;
import io.psaremoval.system.ClusterLock;
import java.util.HashSet;
import java.util.Set;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.identity.Group;
import org.camunda.bpm.engine.identity.User;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Keeps the engine's users and groups in step with the platform's users, roles and accounts, so that
 * people sign into Tasklist with the same name and tasks can be offered to an account's administrators.
 * The platform tables stay the source of truth: the role check of a removal reads them, never the engine.
 * Nodes of a cluster write identities one at a time ({@link #CLUSTER_LOCK}).
 */
@Service
public class EngineIdentityMirror {

    /** Held while engine users, groups and memberships are written. */
    public static final String CLUSTER_LOCK = "engine-identity";

    private final IdentityService identityService;
    private final EngineAuthorizations authorizations;
    private final ClusterLock clusterLock;

    EngineIdentityMirror(IdentityService identityService, EngineAuthorizations authorizations, ClusterLock clusterLock) {
        this.identityService = identityService;
        this.authorizations = authorizations;
        this.clusterLock = clusterLock;
    }

    /** Creates or updates the engine user and its memberships; a password is set only when given. */
    @Transactional
    public void mirror(PlatformUser platformUser, String initialPassword) {
        clusterLock.holdUntilTransactionEnds(CLUSTER_LOCK);
        User user = identityService.createUserQuery().userId(platformUser.username()).singleResult();
        boolean created = user == null;
        if (created) {
            user = identityService.newUser(platformUser.username());
        }
        String[] names = platformUser.fullName().split(" ", 2);
        String firstName = names[0];
        String lastName = names.length > 1 ? names[1] : "";
        // The periodic sync mirrors every user: write only what is new or changed.
        boolean changed = created || !firstName.equals(user.getFirstName()) || !lastName.equals(user.getLastName())
                || !platformUser.email().equals(user.getEmail());
        user.setFirstName(firstName);
        user.setLastName(lastName);
        user.setEmail(platformUser.email());
        if (initialPassword != null) {
            user.setPassword(initialPassword);
        }
        if (changed || initialPassword != null) {
            identityService.saveUser(user);
        }

        Set<String> wanted = new HashSet<>(platformUser.engineGroups());
        Set<String> current = new HashSet<>();
        for (Group group : identityService.createGroupQuery().groupMember(platformUser.username()).list()) {
            current.add(group.getId());
        }
        for (String groupId : wanted) {
            if (!current.contains(groupId)) {
                ensureGroup(groupId);
                identityService.createMembership(platformUser.username(), groupId);
            }
        }
        for (String groupId : current) {
            if (!wanted.contains(groupId) && !AccountGroups.CAMUNDA_ADMIN.equals(groupId)) {
                identityService.deleteMembership(platformUser.username(), groupId);
            }
        }
    }

    /** An engine-only administrator (Admin webapp, deployments), who is no user of the platform. */
    @Transactional
    public void ensureEngineOperator(String username, String password) {
        clusterLock.holdUntilTransactionEnds(CLUSTER_LOCK);
        if (identityService.createUserQuery().userId(username).count() == 0) {
            User user = identityService.newUser(username);
            user.setFirstName("Engine");
            user.setLastName("Operator");
            user.setPassword(password);
            identityService.saveUser(user);
        }
        ensureGroup(AccountGroups.CAMUNDA_ADMIN);
        authorizations.grantAdministrators();
        if (identityService.createUserQuery().userId(username).memberOfGroup(AccountGroups.CAMUNDA_ADMIN).count() == 0) {
            identityService.createMembership(username, AccountGroups.CAMUNDA_ADMIN);
        }
    }

    /** Creates the group with the authorizations its members need, if it does not exist yet. */
    private void ensureGroup(String groupId) {
        if (identityService.createGroupQuery().groupId(groupId).count() == 0) {
            Group group = identityService.newGroup(groupId);
            group.setName(groupId);
            group.setType(groupId.startsWith("account-") ? "ACCOUNT" : "SYSTEM");
            identityService.saveGroup(group);
            if (groupId.matches("account-\\d+")) {
                authorizations.grantAccountGroup(groupId);
            } else if (groupId.equals(AccountGroups.SUPPORT)) {
                authorizations.grantSupportGroup();
            } else if (groupId.equals(AccountGroups.AUDITORS)) {
                authorizations.grantAuditorsGroup();
            } else if (groupId.equals(AccountGroups.CAMUNDA_ADMIN)) {
                authorizations.grantAdministrators();
            }
        }
    }
}
