package io.psaremoval.backup;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.UUID;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.springframework.jdbc.datasource.DataSourceUtils;

/**
 * The default {@link BackupStore}: a zip of one CSV per table of the account, streamed with PostgreSQL's COPY into
 * {@code psa.backup.directory} (a local folder; a shared one for a cluster). The export holds the account's passwords,
 * documents and users: the folder and every file are the application's user's only ({@link OwnerOnlyFiles}). It is
 * written as a hidden draft and renamed into place when whole, so that a crash never leaves a partial export under an
 * export's name.
 */
public class FolderBackupStore implements BackupStore {

    private static final List<String> EXPORTED_TABLES = List.of("account", "integration", "organization", "item",
            "attachment", "related_item", "rmm_device", "platform_user");

    private final DataSource dataSource;
    private final BackupProperties properties;

    public FolderBackupStore(DataSource dataSource, BackupProperties properties) {
        this.dataSource = dataSource;
        this.properties = properties;
    }

    /** Deletes an export of this folder; a location anywhere else is refused. */
    @Override
    public boolean delete(String location) throws IOException {
        Path directory = Path.of(properties.directory()).toAbsolutePath().normalize();
        Path file = Path.of(location).toAbsolutePath().normalize();
        if (!directory.equals(file.getParent()) || !file.getFileName().toString().endsWith(".zip")) {
            throw new IllegalArgumentException("Not an export of " + directory + ": " + location);
        }
        Files.deleteIfExists(file);
        return true;
    }

    @Override
    public StoredExport export(long accountId, String name) {
        try {
            Path directory = OwnerOnlyFiles.folder(Path.of(properties.directory()).toAbsolutePath());
            Path file = directory.resolve(name + ".zip");
            Path draft = directory.resolve("." + name + "-" + UUID.randomUUID() + ".partial");
            MessageDigest sha256 = Sha256.digest();
            try (OutputStream out = new DigestOutputStream(Files.newOutputStream(OwnerOnlyFiles.newFile(draft)), sha256);
                 ZipOutputStream zip = new ZipOutputStream(out)) {
                Connection connection = DataSourceUtils.getConnection(dataSource);
                try {
                    var copy = connection.unwrap(PGConnection.class).getCopyAPI();
                    for (String table : EXPORTED_TABLES) {
                        zip.putNextEntry(new ZipEntry(table + ".csv"));
                        String column = table.equals("account") ? "id" : "account_id";
                        copy.copyOut("copy (select * from " + table + " where " + column + " = " + accountId
                                + " order by id) to stdout with (format csv, header)", zip);
                        zip.closeEntry();
                    }
                } finally {
                    DataSourceUtils.releaseConnection(connection, dataSource);
                }
            } catch (IOException | SQLException | RuntimeException e) {
                Files.deleteIfExists(draft);
                throw e;
            }
            Files.move(draft, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return new StoredExport(file.toString(), Files.size(file), Sha256.hex(sha256));
        } catch (IOException | SQLException e) {
            throw new IllegalStateException("Export of account " + accountId + " failed: " + e.getMessage(), e);
        }
    }
}
