package io.psaremoval.backup;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Account backups: the newest one and its age, a full export of an account (a zip of one CSV per table,
 * streamed with PostgreSQL's COPY), and external backups a user confirms.
 */
@Service
public class BackupService {

    private static final Logger log = LoggerFactory.getLogger(BackupService.class);
    private static final List<String> EXPORTED_TABLES = List.of("account", "integration", "organization", "item",
            "attachment", "related_item", "rmm_device", "platform_user");
    private static final String COLUMNS = "id, account_id, kind, requested_by, completed_at, location, size_bytes, note";

    private final JdbcClient jdbc;
    private final DataSource dataSource;
    private final BackupProperties properties;
    private final Clock clock;

    BackupService(JdbcClient jdbc, DataSource dataSource, BackupProperties properties,
            Optional<Clock> clock) {
        this.jdbc = jdbc;
        this.dataSource = dataSource;
        this.properties = properties;
        this.clock = clock.orElse(Clock.systemUTC());
    }

    public Optional<Backup> newest(long accountId) {
        return jdbc.sql("select " + COLUMNS + " from account_backup where account_id = :account order by completed_at desc limit 1")
                .param("account", accountId).query(Backup.class).optional();
    }

    public Optional<Backup> find(long backupId) {
        return jdbc.sql("select " + COLUMNS + " from account_backup where id = :id")
                .param("id", backupId).query(Backup.class).optional();
    }

    /** The newest backup of the account if it is younger than the given age. */
    public Optional<Backup> recent(long accountId, java.time.Duration maxAge) {
        OffsetDateTime limit = OffsetDateTime.now(clock).minus(maxAge);
        return newest(accountId).filter(backup -> backup.completedAt().isAfter(limit));
    }

    /** One sentence for the forms about the newest backup and the rule. */
    public String summary(long accountId, java.time.Duration maxAge) {
        String rule = "A backup counts as recent for " + human(maxAge) + ".";
        return newest(accountId)
                .map(backup -> "The newest backup of this account (" + describe(backup) + ") was completed on "
                        + backup.completedAt().format(DateTimeFormatter.ofPattern("d MMM yyyy 'at' HH:mm 'UTC'"))
                        + ". " + rule)
                .orElse("This account has no backup on record. " + rule);
    }

    /**
     * Exports every row of the account to a zip file and records it. Done once per removal: a repeated
     * call returns the export made before.
     */
    @Transactional
    public Backup exportAccount(long accountId, String requestedBy, long removalId) {
        Optional<Backup> earlier = jdbc.sql("select " + COLUMNS
                        + " from account_backup where removal_id = :removal and kind = 'PLATFORM_EXPORT'")
                .param("removal", removalId).query(Backup.class).optional();
        if (earlier.isPresent()) {
            return earlier.get();
        }
        try {
            Path directory = Files.createDirectories(Path.of(properties.directory()).toAbsolutePath());
            Path file = directory.resolve("account-" + accountId + "-removal-" + removalId + ".zip");
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            try (OutputStream out = new DigestOutputStream(Files.newOutputStream(file), sha256);
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
            }
            long size = Files.size(file);
            Backup backup = jdbc.sql("""
                    insert into account_backup (account_id, kind, requested_by, location, size_bytes, sha256, note, removal_id)
                    values (:account, 'PLATFORM_EXPORT', :by, :location, :size, :sha, 'Export before removing a PSA integration', :removal)
                    """ + "returning " + COLUMNS)
                    .param("account", accountId).param("by", requestedBy).param("location", file.toString())
                    .param("size", size).param("sha", HexFormat.of().formatHex(sha256.digest()))
                    .param("removal", removalId).query(Backup.class).single();
            log.info("Account {} exported to {} ({} bytes) for removal {}", accountId, file, size, removalId);
            return backup;
        } catch (IOException | SQLException | NoSuchAlgorithmException e) {
            throw new IllegalStateException("Export of account " + accountId + " failed: " + e.getMessage(), e);
        }
    }

    /** Records that the user confirmed a backup taken elsewhere, with who, when and where; once per removal. */
    @Transactional
    public Backup recordExternalBackup(long accountId, String confirmedBy, String note, long removalId) {
        jdbc.sql("""
                insert into account_backup (account_id, kind, requested_by, note, removal_id)
                select :account, 'EXTERNAL_CONFIRMED', :by, :note, :removal
                where not exists (select 1 from account_backup where removal_id = :removal and kind = 'EXTERNAL_CONFIRMED')""")
                .param("account", accountId).param("by", confirmedBy).param("note", note).param("removal", removalId)
                .update();
        return jdbc.sql("select " + COLUMNS + " from account_backup where removal_id = :removal and kind = 'EXTERNAL_CONFIRMED'")
                .param("removal", removalId).query(Backup.class).single();
    }

    private static String describe(Backup backup) {
        return "PLATFORM_EXPORT".equals(backup.kind()) ? "an export by " + backup.requestedBy()
                : "a backup elsewhere confirmed by " + backup.requestedBy();
    }

    private static String human(java.time.Duration duration) {
        long hours = duration.toHours();
        return hours % 24 == 0 ? (hours / 24) + (hours == 24 ? " day" : " days") : hours + " hours";
    }
}
