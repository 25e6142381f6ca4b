package io.psaremoval.removal;

import java.time.OffsetDateTime;

/**
 * One frozen state of a removal's scope, as auditors read it: round 1 is the preview's, each later one was found by a
 * write step that saw the scope changed (with the difference it showed) and became the contract when confirmed.
 *
 * @param checksum             the round's checksum for the removal's mode (MD5 over every organization's rows and
 *                             fingerprint)
 * @param organizationsDeleted how many organizations a hard delete deleted under this round (what a restore takes
 *                             from the round's snapshot); 0 for a disconnect
 */
public record ScopeRound(int round, long organizations, String checksum, OffsetDateTime frozenAt, String difference,
        String confirmedBy, OffsetDateTime confirmedAt, long organizationsDeleted) {
}
