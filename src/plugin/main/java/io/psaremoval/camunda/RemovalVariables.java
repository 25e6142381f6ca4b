package io.psaremoval.camunda;

import io.psaremoval.removal.DataRemovalService;
import io.psaremoval.removal.ImpactReport;
import io.psaremoval.removal.RemovalMode;
import org.camunda.bpm.engine.delegate.VariableScope;

/**
 * Names of the process variables of {@code RemovePsaIntegration}, in one place for delegates, forms
 * and tests. Variables hold ids, counts, decisions and short texts for the forms; the data itself
 * stays in the platform's tables.
 */
public final class RemovalVariables {

    /**
     * The suffix of a text's companion that the forms show: what a person wrote or the platform's data named (the
     * reason, a name) with Markdown's characters escaped ({@link #setShown}), so that it shows as written and makes no
     * link, heading or emphasis in a form of someone else. The variable itself keeps the text as it is, for task names
     * and the form field that edits it.
     */
    public static final String SHOWN = "Shown";

    // Set by the engine and the start form
    public static final String INITIATOR = "initiator";
    public static final String REMOVAL_REASON = "removalReason";
    public static final String IGNORED_START_VARIABLES = "ignoredStartVariables";

    // Requester, read from the platform's users table
    public static final String ACCOUNT_ID = "accountId";
    public static final String ACCOUNT_NAME = "accountName";
    public static final String REQUESTER_ROLE = "requesterRole";
    public static final String REQUESTER_NAME = "requesterName";
    /** The requester's role as people name it ("Editor"), for the forms. */
    public static final String REQUESTER_ROLE_LABEL = "requesterRoleLabel";
    /** The names of the account's Administrators, for the refusal: whom to ask. */
    public static final String ACCOUNT_ADMINISTRATORS = "accountAdministrators";
    public static final String ADMINISTRATORS_GROUP = "administratorsGroup";
    public static final String REMOVAL_PERMISSION = "removalPermission";

    // Choosing the integration
    public static final String PSA_INTEGRATION_OPTIONS = "psaIntegrationOptions";
    public static final String PSA_INTEGRATION_COUNT = "psaIntegrationCount";
    public static final String INTEGRATION_ID = "integrationId";
    public static final String INTEGRATION_DECISION = "integrationDecision";
    public static final String INTEGRATION_NAME = "integrationName";
    public static final String REMOVAL_ID = "removalId";

    // Impact preview
    public static final String IMPACT_REPORT = "impactReport";
    public static final String PREVIEW_ORGANIZATIONS = "previewOrganizations";
    public static final String PREVIEW_PRE_EXISTING_ORGANIZATIONS = "previewPreExistingOrganizations";
    public static final String PREVIEW_PSA_SYNCED_ITEMS = "previewPsaSyncedItems";
    public static final String PREVIEW_PLATFORM_ONLY_ITEMS = "previewPlatformOnlyItems";
    public static final String PREVIEW_ATTACHMENTS = "previewAttachments";
    public static final String PREVIEW_RELATED_ITEMS = "previewRelatedItems";
    public static final String PREVIEW_RMM_DEVICES = "previewRmmDevices";

    // Decisions of the user tasks
    public static final String REMOVAL_MODE = "removalMode";
    public static final String FEATURE_DECISION = "featureDecision";
    public static final String SUPPORT_DECISION = "supportDecision";
    public static final String SUPPORT_NOTE = "supportNote";
    public static final String SUPPORT_ANSWER = "supportAnswer";
    public static final String SUPPORT_ASSIGNEE = "supportAssignee";
    public static final String BACKUP_CONFIRMED_BY = "backupConfirmedBy";
    public static final String BACKUP_DECISION = "backupDecision";
    public static final String EXTERNAL_BACKUP_NOTE = "externalBackupNote";
    /** When the person says their external backup was taken (ISO-8601, UTC), as the validator read it. */
    public static final String EXTERNAL_BACKUP_TAKEN_AT = "externalBackupTakenAt";
    public static final String DELETION_DECISION = "deletionDecision";
    public static final String CONFIRMATION_TEXT = "confirmationText";
    /** GO_ON or CANCEL, on "Confirm the changed deletion/disconnect". */
    public static final String SCOPE_DECISION = "scopeDecision";
    /** APPROVE or REFUSE, on "Approve the deletion" (a second Administrator). */
    public static final String APPROVAL_DECISION = "approvalDecision";
    /** The second Administrator's note: to the requester when they refuse. */
    public static final String APPROVAL_NOTE = "approvalNote";
    /** WITHDRAW: the only way to complete the requester's "waits for a second Administrator" task. */
    public static final String WITHDRAW_DECISION = "withdrawDecision";
    /** The requester's note when they withdraw the deletion before it is approved. */
    public static final String WITHDRAW_NOTE = "withdrawNote";
    /** Whom the deletion waits for and until when, as Markdown, on the requester's task beside the approval (local). */
    public static final String APPROVAL_WAIT_TEXT = "approvalWaitText";

    // Checks
    public static final String BULK_DELETE_ENABLED = "bulkDeleteEnabled";
    public static final String BACKUP_RECENT = "backupRecent";
    public static final String BACKUP_SUMMARY = "backupSummary";
    /** What happens once the person confirms a deletion: a second approval, the cooling-off period, the restore window. */
    public static final String DELETION_OUTLOOK = "deletionOutlook";
    /** Whether the confirmed deletion waits for a second Administrator's approval. */
    public static final String APPROVAL_REQUIRED = "approvalRequired";
    /** Why it does, in words, for the approver and the auditors. */
    public static final String APPROVAL_REASON = "approvalReason";
    /** What the confirmed round deletes, kind by kind, as Markdown for the approver. */
    public static final String APPROVAL_SUMMARY = "approvalSummary";
    /** The Administrators who may approve (not the requester, not who confirmed), as a person reads them. */
    public static final String APPROVERS = "approvers";

    // Results
    public static final String ROWS_DISCONNECTED = "rowsDisconnected";
    public static final String ROWS_DELETED = "rowsDeleted";
    public static final String RMM_DEVICES_UNMATCHED = "rmmDevicesUnmatched";
    public static final String REMOVAL_FINISHED = "removalFinished";
    public static final String ORGANIZATIONS_LEFT = "organizationsLeft";
    /** Rows done and left per kind, a few lines of text (see RemovalService#progressReport). */
    public static final String PROGRESS_BY_KIND = "progressByKind";
    /** The write step found the scope changed since it was confirmed and wrote nothing of the change. */
    public static final String SCOPE_CHANGED = "scopeChanged";
    /** What changed, as Markdown for the form that asks to confirm it. */
    public static final String SCOPE_DIFFERENCE = "scopeDifference";
    /** Whether confirming the changed scope needs the integration's name typed again (a delete). */
    public static final String SCOPE_NEEDS_NAME = "scopeNeedsName";
    /** TAKEN, ALREADY_TAKEN or SCOPE_CHANGED: what "Take a verified snapshot of the scope" found. */
    public static final String SNAPSHOT_OUTCOME = "snapshotOutcome";
    /** The verified snapshot's file name in the snapshot store. */
    public static final String SNAPSHOT_FILE = "snapshotFile";
    public static final String OUTCOME = "outcome";
    /** Whether the confirmed deletion waits out a cooling-off period, out of sight, before its purge (from the record). */
    public static final String COOLS_OFF = "coolsOff";
    /** The delete found the cooling-off period not over: nothing purged, the removal waits again. */
    public static final String COOLING_OFF = "coolingOff";
    /** When the cooling-off period is over (a date, for the timer); the delete checks it from the database. */
    public static final String PURGE_AFTER = "purgeAfter";
    /** The same, as a person reads it. */
    public static final String PURGE_AFTER_TEXT = "purgeAfterText";
    /** The organizations out of sight while the deletion waits. */
    public static final String ORGANIZATIONS_OUT_OF_SIGHT = "organizationsOutOfSight";
    /** What the pending deletion purges, as Markdown, for "Cancel the pending deletion". */
    public static final String PENDING_SUMMARY = "pendingSummary";
    /** The Administrator's note when they cancel a pending deletion. */
    public static final String CANCEL_NOTE = "cancelNote";
    /** CANCEL_DELETION: the only way to complete "Cancel the pending deletion". */
    public static final String PENDING_DECISION = "pendingDecision";

    public static final String RMM_NOTICES_SENT = "rmmNoticesSent";
    public static final String RMM_NOTICES_DELIVERED = "rmmNoticesDelivered";
    public static final String RMM_NOTICES_NOT_CONFIGURED = "rmmNoticesNotConfigured";
    /** Why "Reserve the integration" found the integration unavailable. */
    public static final String UNAVAILABLE_REASON = "unavailableReason";
    /** Why a write step refused to go on (the removal ended as refused). */
    public static final String REFUSAL_REASON = "refusalReason";

    public static final String CANCEL = "CANCEL";

    private RemovalVariables() {
    }

    /** A whole number the forms send as text or number, e.g. the chosen integration's id. */
    static long longValue(VariableScope scope, String name) {
        Object value = scope.getVariable(name);
        if (value instanceof Number number) {
            return number.longValue();
        }
        try {
            return Long.parseLong(String.valueOf(value).strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " is not a number: '" + value + "'", e);
        }
    }

    /** When the purge may start: a date for the timer, a text for the forms. */
    static void setPurgeAfter(VariableScope scope, java.time.OffsetDateTime purgeAfter) {
        scope.setVariable(PURGE_AFTER, java.util.Date.from(purgeAfter.toInstant()));
        scope.setVariable(PURGE_AFTER_TEXT, java.time.format.DateTimeFormatter
                .ofPattern("d MMM yyyy 'at' HH:mm:ss 'UTC'", java.util.Locale.ENGLISH)
                .format(purgeAfter.atZoneSameInstant(java.time.ZoneOffset.UTC)));
    }

    /** Whether a write step found the scope changed; when it did, what changed, for the form that asks to confirm it. */
    static void setScopeChanged(VariableScope scope, DataRemovalService data, String processInstanceId, RemovalMode mode,
            boolean changed) {
        scope.setVariable(SCOPE_CHANGED, changed);
        if (changed) {
            scope.setVariable(SCOPE_DIFFERENCE, data.scopeDifference(processInstanceId));
            scope.setVariable(SCOPE_NEEDS_NAME, mode == RemovalMode.DELETE);
        }
    }

    /** The progress of a chunked disconnect or delete after one job, as the loop's gateway and Cockpit read it. */
    static void setProgress(VariableScope scope, DataRemovalService data, String processInstanceId, RemovalMode mode,
            DataRemovalService.Progress progress) {
        scope.setVariable(REMOVAL_FINISHED, progress.finished());
        setScopeChanged(scope, data, processInstanceId, mode, progress.scopeChanged());
        scope.setVariable(COOLING_OFF, progress.coolingOff());
        if (progress.coolingOff()) {
            setPurgeAfter(scope, progress.purgeAfter());
        }
        scope.setVariable(ORGANIZATIONS_LEFT, progress.organizationsLeft());
        scope.setVariable(PROGRESS_BY_KIND, data.progressReport(processInstanceId, mode, progress.finished()));
        if (mode == RemovalMode.DELETE) {
            scope.setVariable(ROWS_DELETED, data.rows(processInstanceId, "DELETED"));
            scope.setVariable(RMM_DEVICES_UNMATCHED, data.unmatchedDevices(processInstanceId));
        } else {
            scope.setVariable(ROWS_DISCONNECTED, data.rows(processInstanceId, "DISCONNECTED"));
        }
    }

    /** Sets the text variable and its companion for the forms ({@link #showInForms}). */
    static void setShown(VariableScope scope, String name, String text) {
        scope.setVariable(name, text);
        showInForms(scope, name, text);
    }

    /** Sets only the text's companion for the forms ({@code name + "Shown"}), Markdown's characters escaped. */
    static void showInForms(VariableScope scope, String name, String text) {
        scope.setVariable(name + SHOWN, ImpactReport.plain(text));
    }
}
