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
 * switch on Spring's scheduling for the host.
 */
@Component
class EngineIdentitySync implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(EngineIdentitySync.class);

    private final IdentityMirror mirror;
    private final Duration interval;
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "psa-identity-sync");
        thread.setDaemon(true);
        return thread;
    });

    EngineIdentitySync(IdentityMirror mirror, @Value("${psa.identity.sync-interval:PT1M}") Duration interval) {
        this.mirror = mirror;
        this.interval = interval;
    }

    @EventListener(ApplicationReadyEvent.class)
    void atStartup() {
        mirror.synchronize();
        scheduler.scheduleWithFixedDelay(this::periodically, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void periodically() {
        try {
            mirror.synchronize();
        } catch (RuntimeException e) {
            log.warn("Engine identity sync failed; it runs again in {}", interval, e);
        }
    }

    @Override
    public void destroy() {
        scheduler.shutdownNow();
    }
}
