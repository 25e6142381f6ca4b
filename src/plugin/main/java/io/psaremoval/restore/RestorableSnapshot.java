package io.psaremoval.restore;

import java.time.OffsetDateTime;

/**
 * A verified snapshot of the account's deleted PSA data that a restore may offer: of a removal that deleted something,
 * still kept, not restored yet.
 */
public record RestorableSnapshot(long snapshotId, long removalId, String removalKey, String integrationName,
        int scopeRound, OffsetDateTime takenAt, long organizations, OffsetDateTime keptUntil) {
}
