package io.psaremoval.camunda;

/** Names of the process variables of {@code RestoreDeletedPsaData}: ids, decisions and short texts for the forms. */
public final class RestoreVariables {

    public static final String PROCESS_KEY = "RestoreDeletedPsaData";

    /** Given on the start form (optional). */
    public static final String RESTORE_REASON = "restoreReason";
    /** The account's restorable snapshots, as the chooser's options. */
    public static final String SNAPSHOT_OPTIONS = "snapshotOptions";
    public static final String SNAPSHOT_ID = "snapshotId";
    /** RESTORE or CANCEL, on "Choose the snapshot to restore". */
    public static final String RESTORE_DECISION = "restoreDecision";
    /** Whether the chosen snapshot may be restored, as its inspection found. */
    public static final String RESTORABLE = "restorable";
    /** What the snapshot holds, as Markdown for "Confirm the restore". */
    public static final String RESTORE_REPORT = "restoreReport";
    /** Why it may not be restored, in words. */
    public static final String RESTORE_REFUSAL = "restoreRefusal";
    /** RESTORE or CANCEL, on "Confirm the restore". */
    public static final String RESTORE_CONFIRMATION = "restoreConfirmation";
    /** Whether "Restore the snapshot" wrote it (false: refused, nothing written). */
    public static final String RESTORED = "restored";
    public static final String ROWS_RESTORED = "rowsRestored";
    public static final String DEVICES_REMATCHED = "devicesRematched";

    private RestoreVariables() {
    }
}
