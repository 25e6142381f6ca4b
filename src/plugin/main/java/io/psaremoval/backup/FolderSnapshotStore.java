package io.psaremoval.backup;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * The default {@link SnapshotStore}: files in one folder, readable and writable by the application's user only
 * ({@link OwnerOnlyFiles}). A draft is a hidden file renamed into place atomically when committed; drafts a crash left behind
 * are never opened, and the retention job removes them, and snapshots no backup record knows, once they are older
 * than the retention.
 */
public class FolderSnapshotStore implements SnapshotStore {

    private final Path directory;

    public FolderSnapshotStore(Path directory) {
        this.directory = directory.toAbsolutePath().normalize();
    }

    @Override
    public Draft create(String name) throws IOException {
        if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
            throw new IllegalArgumentException("Not a snapshot name: " + name);
        }
        OwnerOnlyFiles.folder(directory);
        String unique = name + "-" + UUID.randomUUID().toString().substring(0, 8);
        Path target = directory.resolve(unique + ".zip");
        Path draft = directory.resolve("." + unique + ".partial");
        FileChannel channel = FileChannel.open(OwnerOnlyFiles.newFile(draft), StandardOpenOption.WRITE);
        // Closing what was written (the zip closes its stream) puts it on disk and leaves the file to the draft.
        OutputStream out = new java.io.FilterOutputStream(Channels.newOutputStream(channel)) {
            @Override
            public void write(byte[] bytes, int offset, int length) throws IOException {
                out.write(bytes, offset, length);
            }

            @Override
            public void close() throws IOException {
                if (channel.isOpen()) {
                    out.flush();
                    channel.force(true);
                }
            }
        };
        return new Draft() {
            private boolean committed;

            @Override
            public OutputStream out() {
                return out;
            }

            @Override
            public String commit() throws IOException {
                out.close(); // on disk before it is read back, verified and recorded
                channel.close();
                Files.move(draft, target, StandardCopyOption.ATOMIC_MOVE);
                committed = true;
                return target.toString();
            }

            @Override
            public void close() throws IOException {
                channel.close();
                if (!committed) {
                    Files.deleteIfExists(draft);
                }
            }
        };
    }

    @Override
    public InputStream open(String location) throws IOException {
        return Files.newInputStream(inside(location));
    }

    @Override
    public void delete(String location) throws IOException {
        deleteIfPresent(location);
    }

    @Override
    public boolean deleteIfPresent(String location) throws IOException {
        return Files.deleteIfExists(inside(location));
    }

    @Override
    public List<Stored> list() throws IOException {
        if (!Files.isDirectory(directory)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(directory)) {
            List<Stored> stored = new ArrayList<>();
            for (Path file : files.filter(FolderSnapshotStore::isSnapshotOrDraft).toList()) {
                stored.add(new Stored(file.toString(), Files.getLastModifiedTime(file).toInstant()));
            }
            return stored;
        }
    }

    private static boolean isSnapshotOrDraft(Path file) {
        String name = file.getFileName().toString();
        return name.endsWith(".zip") || (name.startsWith(".") && name.endsWith(".partial"));
    }

    /** The location as a snapshot or draft of this folder; anything else is refused. */
    private Path inside(String location) {
        Path file = Path.of(location).toAbsolutePath().normalize();
        if (!directory.equals(file.getParent()) || !isSnapshotOrDraft(file)) {
            throw new IllegalArgumentException("Not a snapshot of " + directory + ": " + location);
        }
        return file;
    }
}
