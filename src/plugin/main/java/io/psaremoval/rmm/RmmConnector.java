package io.psaremoval.rmm;

/**
 * How a notice reaches the RMM side. The default ({@link WebhookRmmConnector}) posts it to the endpoint as signed
 * JSON; a connector to a vendor's API defines its own bean of this type. Delivery is at least once: a receiver that
 * keeps the notice id ({@code Idempotency-Key}) gets it exactly once.
 */
public interface RmmConnector {

    /** What the RMM side answered: delivered, or not, with its HTTP status (if any) and a few words. */
    record Delivery(boolean delivered, Integer httpStatus, String detail) {
    }

    Delivery deliver(RmmEndpoint endpoint, RmmNotice notice);
}
