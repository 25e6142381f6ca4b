package io.psaremoval.restore;

import java.time.OffsetDateTime;

/**
 * A removal's deletion that a restore may offer, by the snapshot of the newest scope round it deleted under: the
 * removal has ended (done, or stopped part-way), every snapshot it deleted under is still kept, nothing of it restored
 * yet.
 *
 * @param organizations  how many organizations it deleted
 * @param keptUntil      when the first of its snapshots goes
 * @param rounds         how many scope rounds it deleted under (a snapshot each)
 * @param stoppedPartWay whether it ended before it deleted its whole scope
 */
public record RestorableSnapshot(long snapshotId, long removalId, String removalKey, String integrationName,
        int scopeRound, OffsetDateTime takenAt, long organizations, OffsetDateTime keptUntil, int rounds,
        boolean stoppedPartWay) {
}
