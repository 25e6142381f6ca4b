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

    /**
     * Deletes an export this store wrote, past its retention ({@code psa.backup.export-retention}). A store that keeps
     * its exports under a retention of its own (object storage's lifecycle rules, say) deletes nothing and says so: the
     * export's record then stays as it is.
     *
     * @return whether the export is gone (also when it was gone already)
     */
    default boolean delete(String location) throws java.io.IOException {
        return false;
    }
}
