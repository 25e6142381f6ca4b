package io.psaremoval.rmm;

/** One recorded notice: the devices one removal unmatched at one RMM integration, as the JSON that is delivered. */
public record RmmNotice(long id, long removalId, long rmmIntegrationId, int deviceCount, String payload) {
}
