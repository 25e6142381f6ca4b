package io.psaremoval.removal;

import io.psaremoval.integration.IntegrationStatus;
import java.time.OffsetDateTime;

/**
 * The trusted facts of one removal, written by the process's own steps: who asked, for which account and
 * integration, where it stands, the round of its scope the person confirmed last ({@code scopeRound}), and whether the account's policy asked for a
 * second Administrator's approval when the deletion was confirmed ({@code approvalRequiredByPolicy}); removals recorded
 * before four eyes existed ({@code fourEyes} false) follow the rules they were confirmed under. A deletion confirmed
 * with a cooling-off period ({@code coolingOffSeconds} above zero) is moved out of sight first and purged only from
 * {@code purgeAfter} on ({@code purgeDue}: by the database's clock). Delegates
 * and validators read these, never the process variables.
 */
public record Removal(long id, String processInstanceId, String businessKey, String requestedBy, String requesterRole,
        Long accountId, Long integrationId, String integrationName, IntegrationStatus previousIntegrationStatus,
        RemovalMode mode, RemovalStatus status, String confirmedBy, RemovalMode chosenMode, Long backupId,
        String bulkDeleteApprovedBy, Integer scopeRound, boolean approvalRequiredByPolicy, boolean fourEyes,
        Long coolingOffSeconds, OffsetDateTime purgeAfter, boolean purgeDue) {

    /**
     * Whether the deletion waits out a cooling-off period, out of sight, before anything is purged: confirmed with one,
     * and nothing of it purged yet (a purge under way that finds its scope changed goes on without a second wait).
     */
    public boolean coolsOff() {
        return coolingOffSeconds != null && coolingOffSeconds > 0 && mode == null;
    }

    public long requireAccountId() {
        if (accountId == null) {
            throw new IllegalStateException("Removal " + businessKey + " has no account");
        }
        return accountId;
    }

    public long requireIntegrationId() {
        if (integrationId == null) {
            throw new IllegalStateException("Removal " + businessKey + " has no integration reserved yet");
        }
        return integrationId;
    }
}
