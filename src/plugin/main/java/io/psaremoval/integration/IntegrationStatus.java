package io.psaremoval.integration;

public enum IntegrationStatus {
    ACTIVE, PAUSED, REMOVING, DISCONNECTED, DELETED;

    /** A removal may start only from these. */
    public boolean isRemovable() {
        return this == ACTIVE || this == PAUSED;
    }
}
