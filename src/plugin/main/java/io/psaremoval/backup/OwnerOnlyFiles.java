package io.psaremoval.backup;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Folders and files that hold an account's data (exports, snapshots: passwords, documents, users): readable and
 * writable by the application's user only, the folder {@code rwx------} and each file {@code rw-------}, set as they
 * are created, where the file system has POSIX permissions (never widened after the fact, never left to the umask).
 */
final class OwnerOnlyFiles {

    private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");

    private OwnerOnlyFiles() {
    }

    /** The folder, created owner-only when missing (a folder that exists is left as the operator made it). */
    static Path folder(Path directory) throws IOException {
        if (!Files.isDirectory(directory)) {
            Files.createDirectories(directory, ownerOnly("rwx------"));
        }
        return directory;
    }

    /** A new, empty file, owner-only; it must not exist yet. */
    static Path newFile(Path file) throws IOException {
        return Files.createFile(file, ownerOnly("rw-------"));
    }

    private static FileAttribute<?>[] ownerOnly(String permissions) {
        return POSIX ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(permissions))}
                : new FileAttribute<?>[0];
    }
}
