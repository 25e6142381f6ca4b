package io.psaremoval.engine;

import io.psaremoval.account.AccountGroups;
import io.psaremoval.account.PlatformUser;
import io.psaremoval.account.PlatformUserRepository;
import io.psaremoval.system.ClusterLock;
import java.util.HashSet;
import java.util.Set;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.identity.Group;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Keeps the engine's users and groups in step with the platform's users: at start-up and then every
 * {@code psa.identity.sync-interval} (default one minute). New and changed platform users are mirrored
 * (without a password: passwords are set by an administrator or, in the demo profile, by the seed);
 * users that left (deleted from the platform's table) or were deactivated lose their engine user, and with it every
 * group and authorization.
 * Engine-only users (the operator) are not touched. Several nodes on one database take turns (a cluster
 * lock), so that two of them never create the same user at once.
 */
@Component
class EngineIdentitySync {

    private static final Logger log = LoggerFactory.getLogger(EngineIdentitySync.class);

    private final PlatformUserRepository users;
    private final EngineIdentityMirror mirror;
    private final IdentityService identityService;
    private final ClusterLock clusterLock;
    private final TransactionTemplate transaction;

    EngineIdentitySync(PlatformUserRepository users, EngineIdentityMirror mirror, IdentityService identityService,
            ClusterLock clusterLock, TransactionTemplate transaction) {
        this.users = users;
        this.mirror = mirror;
        this.identityService = identityService;
        this.clusterLock = clusterLock;
        this.transaction = transaction;
    }

    @EventListener(ApplicationReadyEvent.class)
    void atStartup() {
        synchronize();
    }

    @Scheduled(fixedDelayString = "${psa.identity.sync-interval:PT1M}", initialDelayString = "${psa.identity.sync-interval:PT1M}")
    void periodically() {
        synchronize();
    }

    /** @return the number of engine users removed because their platform user is gone or inactive */
    int synchronize() {
        return transaction.execute(status -> {
            clusterLock.holdUntilTransactionEnds(EngineIdentityMirror.CLUSTER_LOCK);
            return synchronizeLocked();
        });
    }

    private int synchronizeLocked() {
        Set<String> active = new HashSet<>();
        for (PlatformUser user : users.findAll()) {
            if (user.active()) {
                active.add(user.username());
                mirror.mirror(user, null);
            }
        }
        // An engine user in a group the mirror keeps is a platform user: gone or inactive in the platform, gone here.
        Set<String> mirrored = new HashSet<>();
        for (Group group : identityService.createGroupQuery().list()) {
            if (AccountGroups.isPlatformGroup(group.getId())) {
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
}
