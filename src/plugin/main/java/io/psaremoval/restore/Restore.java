package io.psaremoval.restore;

import java.time.OffsetDateTime;

/**
 * The trusted facts of one restore of deleted PSA data, written by the process's own steps: who asked, for which
 * account, which snapshot was chosen (and so which removal it undoes), where it stands, who confirmed it.
 */
public record Restore(long id, String processInstanceId, String businessKey, Long accountId, String requestedBy,
        String reason, Long snapshotId, Long removalId, String status, String confirmedBy, OffsetDateTime confirmedAt,
        String rowsRestored, Integer devicesRematched, String outcomeReason, OffsetDateTime startedAt,
        OffsetDateTime endedAt) {

    public boolean isOpen() {
        return status.equals("REQUESTED") || status.equals("CHOSEN") || status.equals("CONFIRMED");
    }
}
