package io.psaremoval.backup;

/**
 * Where an account's export goes. The default ({@link FolderBackupStore}) writes a zip of one CSV per table into
 * {@code psa.backup.directory}; a cluster or a host with object storage defines its own bean of this type.
 */
public interface BackupStore {

    /** Where an export was written, how large it is and its SHA-256, as recorded in the account's backup history. */
    record StoredExport(String location, long sizeBytes, String sha256) {
    }

    /**
     * Writes every row of the account, in the caller's transaction (so that it reads what the removal will see).
     *
     * @param name a name for the export unique to the removal, e.g. {@code account-7-removal-42}
     */
    StoredExport export(long accountId, String name);
}
