package io.psaremoval.removal;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the removal process, read by the BPMN through the bean {@code removalSettings}.
 *
 * @param userTaskTimeout    how long a task of the requester may stay untouched before the removal expires
 * @param supportTaskTimeout how long support may leave the "enable bulk delete" request unanswered
 * @param backupMaxAge       a backup older than this is not "recent"
 * @param jobRetryCycle      retries of a failed write step, as a Camunda retry time cycle
 * @param chunkRows          items per chunk of a disconnect or delete (whole organizations; one organization
 *                           larger than this is a chunk of its own), each chunk its own transaction
 * @param jobTimeBudget      how long one job of a disconnect or delete keeps taking chunks before it hands
 *                           over to the next job: well under the job executor's lock time
 * @param noticeTimeout      how long a notice of the removal (its outcome, that it waits for support, that it runs)
 *                           stays in the requester's Tasklist unread before it closes by itself
 * @param setBasedReferenceChecks whether a hard delete's items may be deleted with the foreign keys that point at them
 *                           checked once per chunk, set-based, rather than per row, where the database allows it
 *                           (see {@code ItemDeletion}); off: always PostgreSQL's per-row checks
 * @param approvalAboveOrganizations a hard delete of more organizations than this needs a second Administrator's
 *                           approval, whatever the account's policy (Microsoft Entra's "accidental deletion" threshold is 500)
 * @param approvalAboveItems a hard delete of more items (of every kind, not counting attachments and links) than this
 *                           needs a second Administrator's approval, whatever the account's policy
 * @param coolingOffPeriod   how long a hard delete keeps its confirmed scope out of sight, cancellable by an
 *                           Administrator of the account, before it purges anything, unless the account's removal
 *                           policy sets its own; zero: purged at once
 * @param maxRequestsPerDay  how many removals one person may ask for in 24 hours (refused, not repaired, when each
 *                           of them is: a start beyond this is refused at once, so that no one fills the engine, the
 *                           history and the account's Tasklist with waiting removals)
 */
@ConfigurationProperties("psa.removal")
public record RemovalSettings(
        @DefaultValue("P7D") Duration userTaskTimeout,
        @DefaultValue("P3D") Duration supportTaskTimeout,
        @DefaultValue("PT24H") Duration backupMaxAge,
        @DefaultValue("R5/PT30S") String jobRetryCycle,
        @DefaultValue("10000") long chunkRows,
        @DefaultValue("PT30S") Duration jobTimeBudget,
        @DefaultValue("true") boolean setBasedReferenceChecks,
        @DefaultValue("P14D") Duration noticeTimeout,
        @DefaultValue("500") long approvalAboveOrganizations,
        @DefaultValue("100000") long approvalAboveItems,
        @DefaultValue("P7D") Duration coolingOffPeriod,
        @DefaultValue("20") int maxRequestsPerDay) {

    /** A setting no removal could run with is refused at start-up, naming the property, not when it is first needed. */
    public RemovalSettings {
        java.util.List<String> wrong = new java.util.ArrayList<>();
        positive(wrong, "user-task-timeout", userTaskTimeout);
        positive(wrong, "support-task-timeout", supportTaskTimeout);
        positive(wrong, "backup-max-age", backupMaxAge);
        positive(wrong, "notice-timeout", noticeTimeout);
        notNegative(wrong, "job-time-budget", jobTimeBudget);
        notNegative(wrong, "cooling-off-period", coolingOffPeriod);
        if (chunkRows < 1) {
            wrong.add("chunk-rows must be 1 or more, not " + chunkRows);
        }
        if (approvalAboveOrganizations < 0 || approvalAboveItems < 0) {
            wrong.add("approval-above-organizations and approval-above-items must not be negative");
        }
        if (maxRequestsPerDay < 1) {
            wrong.add("max-requests-per-day must be 1 or more, not " + maxRequestsPerDay);
        }
        if (jobRetryCycle == null || jobRetryCycle.isBlank()) {
            wrong.add("job-retry-cycle must not be empty (e.g. R5/PT30S); its form is checked with the engine's parser");
        }
        if (!wrong.isEmpty()) {
            throw new IllegalArgumentException("psa.removal: " + String.join("; ", wrong));
        }
    }

    private static void positive(java.util.List<String> wrong, String name, Duration value) {
        if (value == null || value.isNegative() || value.isZero()) {
            wrong.add(name + " must be a positive duration (ISO-8601, e.g. P7D or PT30S), not " + value);
        }
    }

    private static void notNegative(java.util.List<String> wrong, String name, Duration value) {
        if (value == null || value.isNegative()) {
            wrong.add(name + " must be zero or a positive duration (ISO-8601), not " + value);
        }
    }
}
