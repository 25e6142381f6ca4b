package io.psaremoval.removal;

import java.time.OffsetDateTime;

/**
 * A second Administrator's approval of one round of a hard delete's confirmed scope, as auditors read it: why it was
 * needed, when it was asked for, and, once decided, who approved or refused it, when and with what note.
 *
 * @param decision {@code APPROVED}, {@code REFUSED}, {@code WITHDRAWN} (by the requester, before anyone decided), or null
 *                 while it waits
 */
public record DeletionApproval(int round, String requiredBecause, OffsetDateTime requestedAt, String decision,
        String decidedBy, OffsetDateTime decidedAt, String note) {

    public boolean approved() {
        return "APPROVED".equals(decision);
    }
}
