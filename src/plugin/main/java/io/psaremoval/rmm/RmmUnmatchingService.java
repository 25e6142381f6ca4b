package io.psaremoval.rmm;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** Tells each RMM integration which of its devices a hard delete unmatched. */
@Service
public class RmmUnmatchingService {

    private final JdbcClient jdbc;
    private final RmmNotifier notifier;

    RmmUnmatchingService(JdbcClient jdbc, RmmNotifier notifier) {
        this.jdbc = jdbc;
        this.notifier = notifier;
    }

    /** @return the number of notices recorded by this call (0 when repeated) */
    @Transactional
    public int notifyUnmatched(long removalId) {
        record Row(long rmmIntegrationId, long rmmDeviceId, String externalId, String hostname, long formerConfigurationId) {
        }
        Map<Long, List<RmmNotifier.UnmatchedDevice>> byIntegration = jdbc.sql("""
                select rmm_integration_id, rmm_device_id, external_id, hostname, former_configuration_id
                from removal_unmatched_device where removal_id = :removal order by rmm_integration_id, rmm_device_id""")
                .param("removal", removalId).query(Row.class).stream()
                .collect(Collectors.groupingBy(Row::rmmIntegrationId, TreeMap::new, Collectors.mapping(
                        r -> new RmmNotifier.UnmatchedDevice(r.rmmDeviceId(), r.externalId(), r.hostname(),
                                r.formerConfigurationId()), Collectors.toList())));
        int sent = 0;
        for (var entry : byIntegration.entrySet()) {
            if (notifier.notifyUnmatched(removalId, entry.getKey(), entry.getValue())) {
                sent++;
            }
        }
        return sent;
    }
}
