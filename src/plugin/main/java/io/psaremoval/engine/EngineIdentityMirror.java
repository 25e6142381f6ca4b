package io.psaremoval.engine;

import io.psaremoval.account.AccountGroups;
import io.psaremoval.account.Accounts;
import io.psaremoval.account.PlatformUser;

import java.util.HashSet;
import java.util.Set;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.identity.Group;
import org.camunda.bpm.engine.identity.User;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.psaremoval.account.PlatformUsers;

/**
 * The default {@link IdentityMirror}: the platform's users, roles and accounts written into the engine's own users,
 * groups and memberships, so that people sign into Tasklist with the same name and tasks can be offered to an
 * account's administrators. The platform tables stay the source of truth: the rules of a removal read them, never
 * the engine. Only what is new or changed is written; users who left (deleted from the platform's table) or were
 * deactivated lose their engine user, and with it every group and authorization; engine-only users (the operator)
 * are not touched. Nodes of a cluster write identities one at a time ({@link #CLUSTER_LOCK}).
 */
public class EngineIdentityMirror implements IdentityMirror {

    /** Held while engine users, groups and memberships are written. */
    public static final String CLUSTER_LOCK = "engine-identity";

    private static final Logger log = LoggerFactory.getLogger(EngineIdentityMirror.class);

    private final IdentityService identityService;
    private final EngineAuthorizations authorizations;
    private final ClusterLock clusterLock;
    private final PlatformUsers users;
    private final Accounts accounts;
    private final TransactionTemplate transaction;

    public EngineIdentityMirror(IdentityService identityService, EngineAuthorizations authorizations,
            ClusterLock clusterLock, PlatformUsers users, PlatformTransactionManager transactionManager) {
        this(identityService, authorizations, clusterLock, users, null, transactionManager);
    }

    /** With the platform's accounts, whose names name the account's groups in Tasklist ("Acme IT: Administrators"). */
    public EngineIdentityMirror(IdentityService identityService, EngineAuthorizations authorizations,
            ClusterLock clusterLock, PlatformUsers users, Accounts accounts, PlatformTransactionManager transactionManager) {
        this.accounts = accounts;
        this.identityService = identityService;
        this.authorizations = authorizations;
        this.clusterLock = clusterLock;
        this.users = users;
        this.transaction = new TransactionTemplate(transactionManager);
    }

    @Override
    public void mirror(PlatformUser platformUser, String initialPassword) {
        transaction.executeWithoutResult(status -> {
            clusterLock.holdUntilTransactionEnds(CLUSTER_LOCK);
            mirrorLocked(platformUser, initialPassword);
        });
    }

    @Override
    public int synchronize() {
        Integer removed = transaction.execute(status -> {
            clusterLock.holdUntilTransactionEnds(CLUSTER_LOCK);
            return synchronizeLocked();
        });
        return removed == null ? 0 : removed;
    }

    private int synchronizeLocked() {
        Set<String> active = new HashSet<>();
        for (PlatformUser user : users.findAll()) {
            if (user.active()) {
                active.add(user.username());
                mirrorLocked(user, null);
            }
        }
        // An engine user in a group the mirror keeps is a platform user: gone or inactive in the platform, gone here.
        Set<String> mirrored = new HashSet<>();
        java.util.Map<Long, java.util.Optional<String>> accountNames = new java.util.HashMap<>(); // one read per account
        for (Group group : identityService.createGroupQuery().list()) {
            if (AccountGroups.isPlatformGroup(group.getId())) {
                nameAndGrant(group, accountId -> accountNames.computeIfAbsent(accountId, this::accountName));
                identityService.createUserQuery().memberOfGroup(group.getId()).list()
                        .forEach(member -> mirrored.add(member.getId()));
            }
        }
        int removed = 0;
        for (String username : mirrored) {
            if (!active.contains(username) && !isEngineAdministrator(username)) {
                identityService.deleteUser(username);
                removed++;
            }
        }
        if (removed > 0) {
            log.info("Engine identity sync: {} users who left the platform or were deactivated removed from the engine",
                    removed);
        }
        return removed;
    }

    private boolean isEngineAdministrator(String username) {
        return identityService.createUserQuery().userId(username).memberOfGroup(AccountGroups.CAMUNDA_ADMIN).count() > 0;
    }

    private void mirrorLocked(PlatformUser platformUser, String initialPassword) {
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
            // Only the groups the mirror keeps: a host's own groups (and camunda-admin) are the host's business.
            if (!wanted.contains(groupId) && AccountGroups.isPlatformGroup(groupId)) {
                identityService.deleteMembership(platformUser.username(), groupId);
            }
        }
    }

    /**
     * A group named by an earlier version (by its id) or for an account since renamed: named as people read it, and
     * given what its members may see now (grants that exist are kept, not repeated).
     */
    private void nameAndGrant(Group group, java.util.function.LongFunction<java.util.Optional<String>> accountName) {
        String name = AccountGroups.nameOf(group.getId(), accountName);
        if (name.equals(group.getName())) {
            return;
        }
        group.setName(name);
        identityService.saveGroup(group);
        grantWhatItsMembersNeed(group.getId());
    }

    private java.util.Optional<String> accountName(long accountId) {
        return accounts == null ? java.util.Optional.empty() : accounts.findName(accountId);
    }

    /** Creates the group with the authorizations its members need, if it does not exist yet. */
    private void ensureGroup(String groupId) {
        if (identityService.createGroupQuery().groupId(groupId).count() == 0) {
            Group group = identityService.newGroup(groupId);
            group.setName(AccountGroups.nameOf(groupId, this::accountName));
            group.setType(groupId.startsWith("account-") ? "ACCOUNT" : "SYSTEM");
            identityService.saveGroup(group);
            grantWhatItsMembersNeed(groupId);
        }
    }

    /** The authorizations the members of a group need (each granted once; a grant that exists is kept). */
    private void grantWhatItsMembersNeed(String groupId) {
        if (AccountGroups.isAccountGroup(groupId)) {
            authorizations.grantAccountGroup(groupId);
        } else if (groupId.equals(AccountGroups.SUPPORT)) {
            authorizations.grantSupportGroup();
        } else if (groupId.equals(AccountGroups.AUDITORS)) {
            authorizations.grantAuditorsGroup();
        }
    }
}
