package io.psaremoval.rmm;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Delivers a removal's recorded notices that are not delivered yet, each through the {@link RmmConnector} to its RMM
 * integration's endpoint. Every attempt and its answer is recorded in a transaction of its own (so it outlives the
 * failed step's rollback); a delivered notice is never sent again. A notice whose RMM integration has no endpoint is
 * recorded as not configured. When any notice could not be delivered, the call fails after trying all of them: the
 * process step is retried on the configured back-off, then raises an incident for the operator.
 */
@Service
public class RmmDeliveryService {

    private static final Logger log = LoggerFactory.getLogger(RmmDeliveryService.class);

    private final JdbcClient jdbc;
    private final RmmEndpoints endpoints;
    private final RmmConnector connector;
    private final TransactionTemplate ownTransaction;

    RmmDeliveryService(JdbcClient jdbc, RmmEndpoints endpoints, RmmConnector connector,
            PlatformTransactionManager transactionManager) {
        this.jdbc = jdbc;
        this.endpoints = endpoints;
        this.connector = connector;
        this.ownTransaction = new TransactionTemplate(transactionManager);
        this.ownTransaction.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
    }

    /** What became of the notices in this call. */
    public record Outcome(int delivered, int notConfigured, int notDelivered) {
    }

    /** Where the RMM notices of one removal's delete stand (not a restore's): devices unmatched, notices delivered or waiting for an endpoint. */
    public record Summary(long devices, int notices, int delivered, int awaitingEndpoint) {
    }

    public Summary summary(long removalId) {
        return jdbc.sql("""
                select coalesce(sum(device_count), 0) as devices, count(*) as notices,
                       count(*) filter (where delivery_status = 'DELIVERED') as delivered,
                       count(*) filter (where delivery_status = 'NOT_CONFIGURED') as awaiting_endpoint
                from rmm_unmatch_notice where removal_id = :removal and event = 'devices-unmatched'""")
                .param("removal", removalId).query(Summary.class).single();
    }

    /**
     * @throws RmmNotDeliveredException naming every notice that could not be delivered
     */
    public Outcome deliverPending(long removalId) {
        return deliverPending(removalId, "devices-unmatched");
    }

    /**
     * The removal's notices of one event ({@code devices-unmatched}: its delete's; {@code devices-rematched}: its
     * restore's) that are not delivered yet.
     *
     * @throws RmmNotDeliveredException naming every notice that could not be delivered
     */
    public Outcome deliverPending(long removalId, String event) {
        List<String> failures = new ArrayList<>();
        int delivered = 0;
        int notConfigured = 0;
        for (RmmNotice notice : pending(removalId, event)) {
            Optional<RmmEndpoint> endpoint = endpoints.find(notice.rmmIntegrationId());
            if (endpoint.isEmpty()) {
                record(notice, "NOT_CONFIGURED", null, "RMM integration " + notice.rmmIntegrationId()
                        + " has no endpoint: an Administrator of the account sets one (PUT /api/rmm-integrations/"
                        + notice.rmmIntegrationId() + "/endpoint)");
                notConfigured++;
                continue;
            }
            RmmConnector.Delivery answer = connector.deliver(endpoint.get(), notice);
            record(notice, answer.delivered() ? "DELIVERED" : "FAILED", answer.httpStatus(), answer.detail());
            if (answer.delivered()) {
                delivered++;
                log.info("Notice {} delivered to RMM integration {} ({} devices)", notice.id(), notice.rmmIntegrationId(),
                        notice.deviceCount());
            } else {
                failures.add("RMM integration " + notice.rmmIntegrationId() + " (notice " + notice.id() + "): "
                        + (answer.httpStatus() == null ? "" : "HTTP " + answer.httpStatus() + ", ") + answer.detail());
            }
        }
        if (!failures.isEmpty()) {
            throw new RmmNotDeliveredException("Not delivered, retried on the back-off: " + String.join("; ", failures));
        }
        return new Outcome(delivered, notConfigured, 0);
    }

    /**
     * Notices recorded while the RMM integration had no endpoint, delivered once one is set. Each attempt is recorded;
     * a notice that is refused again keeps waiting, for the next time the endpoint is set.
     */
    public Outcome deliverAwaitingEndpoint(long rmmIntegrationId) {
        Optional<RmmEndpoint> endpoint = endpoints.find(rmmIntegrationId);
        if (endpoint.isEmpty()) {
            return new Outcome(0, 0, 0);
        }
        int delivered = 0;
        int notDelivered = 0;
        List<RmmNotice> awaiting = jdbc.sql("""
                select id, removal_id, rmm_integration_id, device_count, payload from rmm_unmatch_notice
                where rmm_integration_id = :rmm and delivery_status = 'NOT_CONFIGURED' order by id""")
                .param("rmm", rmmIntegrationId).query(RmmNotice.class).list();
        for (RmmNotice notice : awaiting) {
            RmmConnector.Delivery answer = connector.deliver(endpoint.get(), notice);
            record(notice, answer.delivered() ? "DELIVERED" : "FAILED", answer.httpStatus(), answer.detail());
            if (answer.delivered()) {
                delivered++;
            } else {
                notDelivered++;
            }
        }
        return new Outcome(delivered, 0, notDelivered);
    }

    private List<RmmNotice> pending(long removalId, String event) {
        return jdbc.sql("""
                select id, removal_id, rmm_integration_id, device_count, payload from rmm_unmatch_notice
                where removal_id = :removal and event = :event and delivery_status = 'PENDING' order by id""")
                .param("removal", removalId).param("event", event).query(RmmNotice.class).list();
    }

    private void record(RmmNotice notice, String outcome, Integer httpStatus, String detail) {
        ownTransaction.executeWithoutResult(status -> {
            jdbc.sql("""
                    insert into rmm_notice_delivery (notice_id, outcome, http_status, detail)
                    values (:notice, :outcome, :status, :detail)""")
                    .param("notice", notice.id()).param("outcome", outcome).param("status", httpStatus)
                    .param("detail", detail).update();
            if (!outcome.equals("FAILED")) {
                jdbc.sql("""
                        update rmm_unmatch_notice set delivery_status = :outcome,
                               delivered_at = case when :outcome = 'DELIVERED' then now() end
                        where id = :notice and delivery_status in ('PENDING', 'NOT_CONFIGURED')""")
                        .param("notice", notice.id()).param("outcome", outcome).update();
            }
        });
    }

    /** Some notices could not be delivered; the process step fails and is retried. */
    public static class RmmNotDeliveredException extends RuntimeException {
        public RmmNotDeliveredException(String message) {
            super(message);
        }
    }
}
