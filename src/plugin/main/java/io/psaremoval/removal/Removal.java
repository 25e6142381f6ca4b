package io.psaremoval.removal;

import io.psaremoval.integration.IntegrationStatus;

/**
 * The trusted facts of one removal, written by the process's own steps: who asked, for which account and
 * integration, where it stands, and the round of its scope the person confirmed last ({@code scopeRound}). Delegates
 * and validators read these, never the process variables.
 */
public record Removal(long id, String processInstanceId, String businessKey, String requestedBy, String requesterRole,
        Long accountId, Long integrationId, String integrationName, IntegrationStatus previousIntegrationStatus,
        RemovalMode mode, RemovalStatus status, String confirmedBy, RemovalMode chosenMode, Long backupId,
        String bulkDeleteApprovedBy, Integer scopeRound) {

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
