package io.psaremoval.removal;

public enum RemovalStatus {
    REQUESTED, PENDING, RUNNING, DISCONNECTED, DELETED, CANCELLED, EXPIRED, NOT_PERMITTED, UNAVAILABLE,
    NOTHING_TO_REMOVE;

    public boolean isOpen() {
        return this == REQUESTED || this == PENDING || this == RUNNING;
    }
}
