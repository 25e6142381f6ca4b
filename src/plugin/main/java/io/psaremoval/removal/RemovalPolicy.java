package io.psaremoval.removal;

import java.time.OffsetDateTime;

/**
 * An account's own rules for removing its PSA integrations, set by its Administrators.
 *
 * @param deletionApprovalRequired every hard delete needs a second Administrator's approval (never the requester's)
 * @param changedBy                who set it last (null: never set, the default applies)
 * @param offRequestedBy           an Administrator asked to switch four eyes off; a second one must confirm
 * @param coolingOffSeconds        how long a hard delete waits out of sight before its purge, in seconds; null: the
 *                                 host's {@code psa.removal.cooling-off-period}
 * @param coolingOffRequestedSeconds a shorter period an Administrator asked for; a second one must ask the same
 */
public record RemovalPolicy(long accountId, boolean deletionApprovalRequired, String changedBy, OffsetDateTime changedAt,
        String offRequestedBy, OffsetDateTime offRequestedAt, Long coolingOffSeconds, Long coolingOffRequestedSeconds,
        String coolingOffRequestedBy, OffsetDateTime coolingOffRequestedAt) {

    static RemovalPolicy defaultOf(long accountId) {
        return new RemovalPolicy(accountId, false, null, null, null, null, null, null, null, null);
    }

    /** A period as ISO-8601 reads best: whole days as days (P7D), else hours, minutes and seconds (PT36H). */
    public static String iso(java.time.Duration period) {
        return !period.isZero() && period.toSeconds() % 86_400 == 0 && period.getNano() == 0
                ? "P" + period.toDays() + "D" : period.toString();
    }

    /** The account's cooling-off period, else the host's. */
    public java.time.Duration coolingOff(java.time.Duration hostDefault) {
        return coolingOffSeconds == null ? hostDefault : java.time.Duration.ofSeconds(coolingOffSeconds);
    }

    /** What a request to change the policy did. */
    public enum Change {
        /** The policy is now as asked. */
        CHANGED,
        /** It already was. */
        UNCHANGED,
        /** Switching four eyes off waits for a second Administrator (not the one who asked) to ask the same. */
        OFF_REQUESTED,
        /** A shorter cooling-off period waits for a second Administrator (not the one who asked) to ask the same. */
        SHORTER_REQUESTED
    }
}
