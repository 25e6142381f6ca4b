package io.psaremoval.rmm;

/** Where an RMM integration is told about unmatched devices, and the secret that signs what it is told. */
public record RmmEndpoint(long rmmIntegrationId, String url, String secret) {

    @Override
    public String toString() {
        return "RmmEndpoint[" + rmmIntegrationId + ", " + url + "]"; // never the secret
    }
}
