package io.psaremoval.removal;

import java.util.stream.Collectors;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;

/** Records every RMM notice exactly once per removal and RMM integration, in the caller's transaction. */
public class OutboxRmmNotifier implements RmmNotifier {

    private static final Logger log = LoggerFactory.getLogger(OutboxRmmNotifier.class);

    private final JdbcClient jdbc;

    public OutboxRmmNotifier(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public boolean notifyUnmatched(long removalId, long rmmIntegrationId, List<UnmatchedDevice> devices) {
        String payload = devices.stream()
                .map(d -> "{\"deviceId\":\"" + json(d.externalId()) + "\",\"hostname\":\"" + json(d.hostname())
                        + "\",\"formerConfigurationId\":" + d.formerConfigurationId() + "}")
                .collect(Collectors.joining(",", "{\"event\":\"devices-unmatched\",\"removalId\":" + removalId
                        + ",\"devices\":[", "]}"));
        int recorded = jdbc.sql("""
                insert into rmm_unmatch_notice (removal_id, rmm_integration_id, device_count, payload)
                values (:removal, :rmm, :count, :payload)
                on conflict (removal_id, rmm_integration_id) do nothing""")
                .param("removal", removalId).param("rmm", rmmIntegrationId).param("count", devices.size())
                .param("payload", payload).update();
        if (recorded == 1) {
            log.info("RMM integration {} told that {} devices are unmatched (removal {})", rmmIntegrationId,
                    devices.size(), removalId);
        }
        return recorded == 1;
    }

    private static String json(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"");
    }
}
