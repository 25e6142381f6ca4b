package io.psaremoval.rmm;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The default {@link RmmNotifier}: records every notice exactly once per removal and RMM integration, in the caller's
 * transaction (the outbox), as JSON built by Jackson; {@link RmmDeliveryService} delivers it from there.
 */
public class OutboxRmmNotifier implements RmmNotifier {

    private static final Logger log = LoggerFactory.getLogger(OutboxRmmNotifier.class);

    private final JdbcClient jdbc;
    private final ObjectMapper json = new ObjectMapper();

    public OutboxRmmNotifier(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public boolean notifyUnmatched(long removalId, long rmmIntegrationId, List<UnmatchedDevice> devices) {
        ObjectNode notice = json.createObjectNode().put("event", "devices-unmatched").put("removalId", removalId)
                .put("rmmIntegrationId", rmmIntegrationId);
        ArrayNode unmatched = notice.putArray("devices");
        devices.forEach(device -> unmatched.addObject().put("deviceId", device.externalId())
                .put("hostname", device.hostname()).put("formerConfigurationId", device.formerConfigurationId()));
        String payload = notice.toString();
        int recorded = jdbc.sql("""
                insert into rmm_unmatch_notice (removal_id, rmm_integration_id, device_count, payload)
                values (:removal, :rmm, :count, :payload)
                on conflict (removal_id, rmm_integration_id, event) do nothing""")
                .param("removal", removalId).param("rmm", rmmIntegrationId).param("count", devices.size())
                .param("payload", payload).update();
        if (recorded == 1) {
            log.info("Notice for RMM integration {} recorded: {} devices unmatched (removal {})", rmmIntegrationId,
                    devices.size(), removalId);
        }
        return recorded == 1;
    }

    @Override
    public boolean notifyRematched(long removalId, long rmmIntegrationId, List<RematchedDevice> devices) {
        ObjectNode notice = json.createObjectNode().put("event", "devices-rematched").put("removalId", removalId)
                .put("rmmIntegrationId", rmmIntegrationId);
        ArrayNode rematched = notice.putArray("devices");
        devices.forEach(device -> rematched.addObject().put("deviceId", device.externalId())
                .put("hostname", device.hostname()).put("configurationId", device.configurationId()));
        int recorded = jdbc.sql("""
                insert into rmm_unmatch_notice (removal_id, rmm_integration_id, device_count, payload, event)
                values (:removal, :rmm, :count, :payload, 'devices-rematched')
                on conflict (removal_id, rmm_integration_id, event) do nothing""")
                .param("removal", removalId).param("rmm", rmmIntegrationId).param("count", devices.size())
                .param("payload", notice.toString()).update();
        if (recorded == 1) {
            log.info("Notice for RMM integration {} recorded: {} devices matched again (restore of removal {})",
                    rmmIntegrationId, devices.size(), removalId);
        }
        return recorded == 1;
    }
}
