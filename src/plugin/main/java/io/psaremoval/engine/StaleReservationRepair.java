package io.psaremoval.engine;

import io.psaremoval.removal.Removal;
import io.psaremoval.removal.RemovalService;
import java.util.List;
import org.camunda.bpm.engine.RuntimeService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * At start-up: a removal still open whose process instance no longer runs (it ended while this application was
 * not there to see it, say on a node of an older version) is aborted and its integration released, so that no
 * integration stays "removing" without a running removal.
 */
@Component
class StaleReservationRepair {

    private static final Logger log = LoggerFactory.getLogger(StaleReservationRepair.class);

    private final RemovalService removals;
    private final RuntimeService runtime;

    StaleReservationRepair(RemovalService removals, RuntimeService runtime) {
        this.removals = removals;
        this.runtime = runtime;
    }

    @EventListener(ApplicationReadyEvent.class)
    void atStartup() {
        int repaired = repair();
        if (repaired > 0) {
            log.warn("{} removals whose process instance had ended were aborted and their integrations released", repaired);
        }
    }

    /** @return how many removals were aborted */
    int repair() {
        List<Removal> stale = removals.findOpen().stream()
                .filter(removal -> runtime.createProcessInstanceQuery().processInstanceId(removal.processInstanceId())
                        .count() == 0)
                .toList();
        stale.forEach(removal -> removals.abortIfOpen(removal.processInstanceId(),
                "Its process instance was gone at start-up; the integration was released."));
        return stale.size();
    }
}
