package io.psaremoval.backup;

import java.time.OffsetDateTime;

/** An export of an account, or an external backup a user vouched for. */
public record Backup(long id, long accountId, String kind, String requestedBy, OffsetDateTime completedAt,
        String location, Long sizeBytes, String note) {
}
