package io.psaremoval.engine;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Brings the engine's identities in step with the platform's ({@link IdentityMirror#synchronize()}) at start-up and
 * then every {@code psa.identity.sync-interval} (default one minute), on a thread of its own: the plugin does not
 * switch on Spring's scheduling for the host. After each sync, a removal's task held by someone who may no longer
 * hold it goes back to the account's Administrators ({@link OrphanedRemovalTasks}).
 */
@Component
class EngineIdentitySync implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(EngineIdentitySync.class);

    private final IdentityMirror mirror;
    private final OrphanedRemovalTasks orphanedTasks;
    private final Duration interval;
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "psa-identity-sync");
        thread.setDaemon(true);
        return thread;
    });

    EngineIdentitySync(IdentityMirror mirror, OrphanedRemovalTasks orphanedTasks,
            @Value("${psa.identity.sync-interval:PT1M}") Duration interval) {
        this.mirror = mirror;
        this.orphanedTasks = orphanedTasks;
        this.interval = interval;
    }

    @EventListener(ApplicationReadyEvent.class)
    void atStartup() {
        synchronize();
        scheduler.scheduleWithFixedDelay(this::periodically, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void periodically() {
        try {
            synchronize();
        } catch (RuntimeException e) {
            log.warn("Engine identity sync failed; it runs again in {}", interval, e);
        }
    }

    /** The identities in step, then a removal's task held by someone who may no longer hold it handed back. */
    void synchronize() {
        mirror.synchronize();
        try {
            orphanedTasks.handBack();
        } catch (RuntimeException e) {
            log.warn("Handing back removals' tasks whose holders left failed; it runs again after the next sync", e);
        }
    }

    @Override
    public void destroy() {
        scheduler.shutdownNow();
    }
}
