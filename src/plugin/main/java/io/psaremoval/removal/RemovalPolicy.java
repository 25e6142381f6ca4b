package io.psaremoval.removal;

import java.time.OffsetDateTime;

/**
 * An account's own rules for removing its PSA integrations, set by its Administrators.
 *
 * @param deletionApprovalRequired every hard delete needs a second Administrator's approval (never the requester's)
 * @param changedBy                who set it last (null: never set, the default applies)
 * @param offRequestedBy           an Administrator asked to switch four eyes off; a second one must confirm
 */
public record RemovalPolicy(long accountId, boolean deletionApprovalRequired, String changedBy, OffsetDateTime changedAt,
        String offRequestedBy, OffsetDateTime offRequestedAt) {

    static RemovalPolicy defaultOf(long accountId) {
        return new RemovalPolicy(accountId, false, null, null, null, null);
    }

    /** What a request to change the policy did. */
    public enum Change {
        /** The policy is now as asked. */
        CHANGED,
        /** It already was. */
        UNCHANGED,
        /** Switching four eyes off waits for a second Administrator (not the one who asked) to ask the same. */
        OFF_REQUESTED
    }
}
