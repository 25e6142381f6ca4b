package io.psaremoval.integration;

/** A PSA or RMM integration of one account. */
public record Integration(long id, long accountId, String kind, String provider, String name, IntegrationStatus status) {

    public boolean isPsa() {
        return "PSA".equals(kind);
    }
}
