package io.psaremoval.removal;

import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.Map;

/**
 * The platform's data as a removal touches it: what an integration's synced organizations hold (the preview), and
 * their disconnect or hard delete a chunk of whole organizations at a time. The default ({@link JdbcPlatformData})
 * works on the platform's PostgreSQL tables with set-based SQL. Every write counts its rows into
 * {@code removal_count} in the caller's transaction and takes only what is still in scope, so a chunk run twice
 * writes and counts nothing more. Nothing here writes to a PSA.
 */
public interface PlatformData {

    /** The next organizations still synced from the PSA, in id order. */
    record Chunk(List<Long> organizations, long items) {
        public boolean isEmpty() {
            return organizations.isEmpty();
        }
    }

    /** What removing the integration touches, per kind. */
    ImpactPreview preview(long psaIntegrationId);

    /**
     * The fingerprint of every organization synced from the PSA now, by organization id: what the confirmed scope is
     * frozen as, and compared with right before the first write. Related items, attachments that hang on two of these
     * organizations, are counted with the one of lower id (the one a chunk in id order removes them with).
     */
    Map<Long, ScopeFingerprint> scope(long psaIntegrationId);

    /**
     * The same for what a disconnect writes only (the organizations and their synced items; the delete's fingerprints
     * left zero), read without the rows a disconnect leaves alone. By default the whole {@link #scope}.
     */
    default Map<Long, ScopeFingerprint> scopeToDisconnect(long psaIntegrationId) {
        return scope(psaIntegrationId);
    }

    /**
     * Called by a chunk's write with the fingerprints of its organizations, read after they (and their rows) were
     * locked for the rest of the chunk's transaction and before anything is written; throws to write nothing.
     */
    @FunctionalInterface
    interface ScopeGuard {
        void check(Map<Long, ScopeFingerprint> lockedChunk);
    }

    /**
     * The next organizations still synced from the PSA whose items add up to at most {@code maxRows} (at least one
     * organization, however large), looked for among the next {@code candidates}.
     */
    Chunk nextChunk(long psaIntegrationId, long maxRows, int candidates);

    /**
     * The next organizations to disconnect: as {@link #nextChunk}, but counting the rows a disconnect writes (the items
     * synced from the PSA) against {@code maxRows}, so that a disconnect's chunk writes about as many rows as a delete's.
     */
    default Chunk nextChunkToDisconnect(long psaIntegrationId, long maxRows, int candidates) {
        return nextChunk(psaIntegrationId, maxRows, candidates);
    }

    long organizationsLeft(long psaIntegrationId);

    /**
     * The organizations and their items lose their PSA link and stay as stand-alone records, contents unchanged. The
     * guard sees the chunk's disconnect fingerprints (deletes' are left zero) before anything is written.
     *
     * @return how many organizations this call disconnected: 0 when another run did them first
     */
    int disconnect(long removalId, long psaIntegrationId, List<Long> organizations, ScopeGuard guard);

    /**
     * Deletes the organizations and everything of theirs; RMM devices matched to their configurations stay,
     * unmatched, listed for the RMM notice. The guard sees the chunk's fingerprints before anything is written. Every
     * organization deleted is recorded in {@code removal_deleted_organization} with the scope round the guard compares
     * against ({@code scopeRound}, a round of the removal's), in the same transaction: a restore takes back from each
     * round's snapshot what was deleted under it, nothing else. The caller checks the record after each call and rolls
     * the chunk back when any organization it deleted is missing from it.
     *
     * @param scopeRound the round of the removal's scope the guard compares against (the removal's confirmed round)
     * @return how many organizations this call deleted: 0 when another run did them first
     */
    int hardDelete(long removalId, int scopeRound, long psaIntegrationId, List<Long> organizations, ScopeGuard guard);

    /** Where {@link #exportScope} writes: one entry per table. */
    @FunctionalInterface
    interface ScopeExport {
        /** Starts the table's entry (ending the one before); what is written to the stream goes into it. */
        OutputStream entry(String table) throws IOException;
    }

    /**
     * Writes every row that a delete of the integration's scope removes (its synced organizations and their items,
     * attachments with their bytes, related items, matched RMM devices), one CSV entry per table with a header row and
     * rows in id order (bytes as PostgreSQL's hex, {@code \x...}), in the caller's transaction: under REPEATABLE READ,
     * all of one instant.
     *
     * @return the rows written per table, in the order written
     */
    Map<String, Long> exportScope(long psaIntegrationId, ScopeExport export);

    /** How many RMM devices the removal unmatched. */
    long unmatchedDevices(long removalId);

    /**
     * Whether this platform can take a scope out of sight for a cooling-off period ({@link #moveOutOfSight}). A platform
     * that cannot has no cooling-off period: its hard deletes purge at once, whatever the settings say.
     */
    default boolean hidesPendingDeletions() {
        return false;
    }

    /**
     * Takes the integration's organizations, with everything of theirs, out of sight for the removal's cooling-off
     * period, in the caller's transaction: not listed, no RMM device matched to them anew, every row kept as it is.
     * Organizations already out of sight stay so.
     *
     * @return how many organizations are out of sight for the removal now
     */
    default int moveOutOfSight(long removalId, long psaIntegrationId) {
        throw new UnsupportedOperationException("This platform cannot take data out of sight");
    }

    /** How many organizations the removal keeps out of sight now. */
    default int organizationsOutOfSight(long removalId) {
        return 0;
    }

    /** Puts back in sight what the removal had taken out of sight and not purged, in the caller's transaction. */
    default void bringBackInSight(long removalId) {
    }
}
