package io.psaremoval.removal;

/**
 * Where a removal stands; the removal row moves between these only by conditional updates that name the
 * state they expect (see V5__removal_state_machine.sql for the transitions).
 */
public enum RemovalStatus {
    REQUESTED, PENDING, CONFIRMED, PENDING_DELETION, RUNNING, SCOPE_CHANGED, DISCONNECTED, DELETED, CANCELLED, EXPIRED, NOT_PERMITTED, UNAVAILABLE,
    NOTHING_TO_REMOVE, REFUSED, ABORTED, NOT_APPROVED;

    public boolean isOpen() {
        return this == REQUESTED || this == PENDING || this == CONFIRMED || this == PENDING_DELETION || this == RUNNING
                || this == SCOPE_CHANGED;
    }
}
