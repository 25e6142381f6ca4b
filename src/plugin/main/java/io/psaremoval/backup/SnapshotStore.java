package io.psaremoval.backup;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Instant;
import java.util.List;

/**
 * Where the snapshots of removals' scopes are kept. The default ({@link FolderSnapshotStore}) is a folder,
 * {@code psa.backup.snapshot-directory}, written with owner-only permissions; a cluster points it at a shared folder or
 * defines its own bean of this type (object storage, say). A snapshot is written as a draft that nobody can open until
 * it is committed, so that a crash while writing leaves nothing that looks like a snapshot.
 */
public interface SnapshotStore {

    /** A snapshot being written. Closing a draft that was not committed discards it. */
    interface Draft extends AutoCloseable {

        OutputStream out();

        /**
         * Makes the written bytes the snapshot under its name, at once and whole.
         *
         * @return where it is, as {@link #open} and {@link #delete} take it and the backup history records it
         */
        String commit() throws IOException;

        @Override
        void close() throws IOException;
    }

    /**
     * Starts a snapshot named after this (e.g. {@code removal-42-round-1}); the store makes its location unique, so
     * that an attempt after a crash never meets the file of the one before.
     */
    Draft create(String name) throws IOException;

    /** Something the store holds: a committed snapshot, or a draft a crash left behind. */
    record Stored(String location, Instant modified) {
    }

    /** Everything the store holds, for the retention job to remove what no backup record knows once it is old. */
    List<Stored> list() throws IOException;

    InputStream open(String location) throws IOException;

    /** Removes the snapshot; removing one that is gone already is not an error. */
    void delete(String location) throws IOException;

    /**
     * Removes the snapshot and says whether this call found it. A store that cannot tell answers true (the default):
     * the retention records the file as removed either way, and says so when it was not found.
     */
    default boolean deleteIfPresent(String location) throws IOException {
        delete(location);
        return true;
    }
}
