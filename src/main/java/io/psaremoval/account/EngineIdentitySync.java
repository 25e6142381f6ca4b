package io.psaremoval.account;

import io.psaremoval.system.ClusterLock;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.identity.User;
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
 * users that left or were deactivated lose their engine user, and with it every authorization.
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
        List<PlatformUser> everyone = users.findAll();
        Set<String> active = new HashSet<>();
        for (PlatformUser user : everyone) {
            if (user.active()) {
                active.add(user.username());
                mirror.mirror(user, null);
            }
        }
        Set<String> platformNames = new HashSet<>();
        everyone.forEach(user -> platformNames.add(user.username()));
        int removed = 0;
        for (User engineUser : identityService.createUserQuery().list()) {
            if (platformNames.contains(engineUser.getId()) && !active.contains(engineUser.getId())) {
                identityService.deleteUser(engineUser.getId());
                removed++;
            }
        }
        if (removed > 0) {
            log.info("Engine identity sync: {} deactivated platform users removed from the engine", removed);
        }
        return removed;
    }
}
