package io.psaremoval.removal;

/**
 * What removing one organization would write, as the rows and an order-free fingerprint of their contents (the XOR of
 * a 64-bit hash of every row): for a delete, the organization and everything of it; for a disconnect, the organization
 * and its items synced from the PSA. Two fingerprints are equal when the rows are, whatever order they were read in.
 */
public record ScopeFingerprint(long deleteRows, long deleteFingerprint, long disconnectRows, long disconnectFingerprint) {

    /** The rows a disconnect writes only (a chunk of a disconnect does not read the rest). */
    public static ScopeFingerprint ofDisconnect(long rows, long fingerprint) {
        return new ScopeFingerprint(0, 0, rows, fingerprint);
    }

    /** Whether the two describe the same rows for the mode. */
    public boolean sameAs(ScopeFingerprint other, RemovalMode mode) {
        return mode == RemovalMode.DELETE
                ? deleteRows == other.deleteRows && deleteFingerprint == other.deleteFingerprint
                : disconnectRows == other.disconnectRows && disconnectFingerprint == other.disconnectFingerprint;
    }
}
