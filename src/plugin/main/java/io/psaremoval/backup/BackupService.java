package io.psaremoval.backup;

import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Account backups: the newest one and its age, exports of an account (written by the {@link BackupStore}, recorded
 * here), and external backups a user confirms.
 */
@Service
public class BackupService {

    /** What the record of a snapshot the retention did not find adds to who removed it. */
    public static final String FILE_NOT_FOUND = "the file was not found in the snapshot store";

    private static final Logger log = LoggerFactory.getLogger(BackupService.class);
    private static final String COLUMNS = "id, account_id, kind, requested_by, completed_at, location, size_bytes, note";

    private final JdbcClient jdbc;
    private final BackupStore store;
    private final Clock clock;

    BackupService(JdbcClient jdbc, BackupStore store, Optional<Clock> clock) {
        this.jdbc = jdbc;
        this.store = store;
        this.clock = clock.orElse(Clock.systemUTC());
    }

    /**
     * The account's newest backup that counts for this removal: any export of the account, and a backup confirmed
     * elsewhere or a snapshot of a removal's scope only for that removal (a person's word for one removal is not
     * another's backup, and a snapshot holds one removal's scope, not the account). One removed by retention is gone.
     */
    public Optional<Backup> newest(long accountId, long removalId) {
        return jdbc.sql("select " + COLUMNS + " from account_backup where account_id = :account and removed_at is null"
                        + " and (kind = 'PLATFORM_EXPORT' or removal_id = :removal) order by completed_at desc limit 1")
                .param("account", accountId).param("removal", removalId).query(Backup.class).optional();
    }

    public Optional<Backup> find(long backupId) {
        return jdbc.sql("select " + COLUMNS + " from account_backup where id = :id")
                .param("id", backupId).query(Backup.class).optional();
    }

    /** The newest backup of the account that counts for this removal, if it is younger than the given age. */
    public Optional<Backup> recent(long accountId, long removalId, java.time.Duration maxAge) {
        OffsetDateTime limit = OffsetDateTime.now(clock).minus(maxAge);
        return newest(accountId, removalId).filter(backup -> backup.completedAt().isAfter(limit));
    }

    /**
     * Sentences for the forms about the newest backup: when it was completed, how old it is, and whether that is recent
     * enough for a deletion and by how much it is not.
     */
    public String summary(long accountId, long removalId, java.time.Duration maxAge) {
        String rule = "a backup counts as recent for " + human(maxAge) + ".";
        return newest(accountId, removalId)
                .map(backup -> {
                    java.time.Duration age = java.time.Duration.between(backup.completedAt(), OffsetDateTime.now(clock));
                    String when = "The newest backup of this account (" + describe(backup) + ") was completed on "
                            + backup.completedAt().format(DateTimeFormatter.ofPattern("d MMM yyyy 'at' HH:mm 'UTC'"))
                            + ", " + roughly(age) + " ago";
                    return age.compareTo(maxAge) > 0
                            ? when + ": too old for a deletion by " + roughly(age.minus(maxAge)) + ", since " + rule
                            : when + ": recent enough, since " + rule;
                })
                .orElse("This account has no backup on record, and " + rule);
    }

    /** A duration as a person says it: "9 days", "5 hours", "12 minutes". */
    static String roughly(java.time.Duration duration) {
        if (duration.toDays() >= 2) {
            return duration.toDays() + " days";
        }
        if (duration.toHours() >= 2) {
            return duration.toHours() + " hours";
        }
        long minutes = Math.max(1, duration.toMinutes());
        return minutes + (minutes == 1 ? " minute" : " minutes");
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
        BackupStore.StoredExport export = store.export(accountId, "account-" + accountId + "-removal-" + removalId);
        Backup backup = jdbc.sql("""
                insert into account_backup (account_id, kind, requested_by, location, size_bytes, sha256, note, removal_id)
                values (:account, 'PLATFORM_EXPORT', :by, :location, :size, :sha, 'Export before removing a PSA integration', :removal)
                """ + "returning " + COLUMNS)
                .param("account", accountId).param("by", requestedBy).param("location", export.location())
                .param("size", export.sizeBytes()).param("sha", export.sha256())
                .param("removal", removalId).query(Backup.class).single();
        log.info("Account {} exported to {} ({} bytes) for removal {}", accountId, export.location(), export.sizeBytes(),
                removalId);
        return backup;
    }

    /**
     * Records that the user confirmed a backup taken elsewhere, with who, when they say it was taken and where; one per
     * removal, a later statement replacing the earlier.
     */
    @Transactional
    public Backup recordExternalBackup(long accountId, String confirmedBy, String note, OffsetDateTime takenAt,
            long removalId) {
        // A later statement for the same removal (the first was too old by the time it was checked) replaces it.
        jdbc.sql("""
                insert into account_backup (account_id, kind, requested_by, note, completed_at, removal_id)
                values (:account, 'EXTERNAL_CONFIRMED', :by, :note, :takenAt, :removal)
                on conflict (removal_id) where kind = 'EXTERNAL_CONFIRMED'
                do update set requested_by = excluded.requested_by, note = excluded.note, completed_at = excluded.completed_at""")
                .param("account", accountId).param("by", confirmedBy).param("note", note).param("takenAt", takenAt)
                .param("removal", removalId).update();
        return jdbc.sql("select " + COLUMNS + " from account_backup where removal_id = :removal and kind = 'EXTERNAL_CONFIRMED'")
                .param("removal", removalId).query(Backup.class).single();
    }

    /** A verified snapshot of a removal's scope, as written to the snapshot store and read back. */
    public record SnapshotRecord(long accountId, long removalId, int scopeRound, String requestedBy, String location,
            long sizeBytes, String sha256, OffsetDateTime takenAt, OffsetDateTime verifiedAt, OffsetDateTime expiresAt,
            String note) {
    }

    /** Records a verified snapshot of the removal's scope round; one per round, a repeat returning the first. */
    @Transactional
    public Backup recordSnapshot(SnapshotRecord snapshot) {
        jdbc.sql("""
                insert into account_backup (account_id, kind, requested_by, completed_at, location, size_bytes, sha256, note,
                                            removal_id, scope_round, verified_at, expires_at)
                values (:account, 'SCOPE_SNAPSHOT', :by, :takenAt, :location, :size, :sha, :note, :removal, :round,
                        :verifiedAt, :expiresAt)
                on conflict (removal_id, scope_round) where kind = 'SCOPE_SNAPSHOT' do nothing""")
                .param("account", snapshot.accountId()).param("by", snapshot.requestedBy())
                .param("takenAt", snapshot.takenAt()).param("location", snapshot.location())
                .param("size", snapshot.sizeBytes()).param("sha", snapshot.sha256()).param("note", snapshot.note())
                .param("removal", snapshot.removalId()).param("round", snapshot.scopeRound())
                .param("verifiedAt", snapshot.verifiedAt()).param("expiresAt", snapshot.expiresAt()).update();
        return snapshotOf(snapshot.removalId(), snapshot.scopeRound()).orElseThrow();
    }

    /** The verified snapshot of the removal's scope round, while it is kept. */
    public Optional<Backup> snapshotOf(long removalId, int scopeRound) {
        return jdbc.sql("select " + COLUMNS + " from account_backup where removal_id = :removal and scope_round = :round"
                        + " and kind = 'SCOPE_SNAPSHOT' and verified_at is not null and removed_at is null")
                .param("removal", removalId).param("round", scopeRound).query(Backup.class).optional();
    }

    /** Whether the backup history records something at this location (removed or not). */
    public boolean isRecorded(String location) {
        return jdbc.sql("select exists (select 1 from account_backup where location = :location)")
                .param("location", location).query(Boolean.class).single();
    }

    /**
     * Keeps the removal's snapshots (of every round) at least for the retention from the given time of the database on
     * ({@code from}: SQL such as {@code now()} or a column of {@code removal}): a deletion that waits out a cooling-off
     * period before its purge keeps its restore window after the purge.
     */
    @Transactional
    public void keepSnapshotsForTheirRetentionFrom(long removalId, String from, java.time.Duration retention) {
        jdbc.sql("""
                update account_backup b set expires_at = greatest(b.expires_at, %s + make_interval(secs => :retention))
                from removal where removal.id = b.removal_id
                  and b.kind = 'SCOPE_SNAPSHOT' and b.removal_id = :removal and b.removed_at is null""".formatted(from))
                .param("removal", removalId).param("retention", retention.toSeconds()).update();
    }

    /** The removal's snapshots expire their retention after they were verified again (a cancelled deletion's). */
    @Transactional
    public void snapshotsBackToTheirRetention(long removalId, java.time.Duration retention) {
        jdbc.sql("""
                update account_backup set expires_at = verified_at + make_interval(secs => :retention)
                where kind = 'SCOPE_SNAPSHOT' and removal_id = :removal and removed_at is null and verified_at is not null""")
                .param("removal", removalId).param("retention", retention.toSeconds()).update();
    }

    /**
     * Snapshots past their retention, not yet removed, after the given id in id order: where each is, to be removed by
     * {@link #removeExpiredSnapshot}.
     */
    public java.util.List<Backup> expiredSnapshots(long afterId, int limit) {
        return jdbc.sql("select " + COLUMNS + " from account_backup where kind = 'SCOPE_SNAPSHOT' and removed_at is null"
                        + " and expires_at <= now() and id > :after order by id limit :limit")
                .param("after", afterId).param("limit", limit).query(Backup.class).list();
    }

    /**
     * Removes one expired snapshot: the row is locked (another node's retention job skips it), the stored file is
     * deleted, and the row records when and by what; all or nothing.
     *
     * @return whether this call removed it
     */
    @Transactional
    public boolean removeExpiredSnapshot(long backupId, SnapshotStore store, String by) {
        return removeLocked(backupId, "kind = 'SCOPE_SNAPSHOT' and removed_at is null and expires_at <= now()", Map.of(),
                "Snapshot", location -> store.deleteIfPresent(location) ? FileRemoval.DELETED : FileRemoval.NOT_FOUND, by);
    }

    /** What became of a backup's stored file. */
    private enum FileRemoval {
        DELETED,
        /** Gone by hand, or on a disk this node does not see: the record says it could not tell which. */
        NOT_FOUND,
        /** The store keeps it (a retention of its own): the record stays as it is. */
        KEPT
    }

    /** What removes a backup's stored file. */
    private interface StoredFileRemoval {
        FileRemoval remove(String location) throws java.io.IOException;
    }

    /**
     * Locks the backup's row when it still meets the condition (skipped when another node holds it), removes its file,
     * and records on the row when and by what, all or nothing.
     */
    private boolean removeLocked(long backupId, String condition, Map<String, Object> parameters, String what,
            StoredFileRemoval removal, String by) {
        Optional<String> location = jdbc.sql("select location from account_backup where id = :id and " + condition
                        + " for update skip locked")
                .params(parameters).param("id", backupId).query(String.class).optional();
        if (location.isEmpty()) {
            return false;
        }
        FileRemoval removed;
        try {
            removed = removal.remove(location.get());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(what + " " + location.get() + " could not be removed: " + e.getMessage(), e);
        }
        if (removed == FileRemoval.KEPT) {
            return false;
        }
        String removedBy = removed == FileRemoval.NOT_FOUND ? by + " (" + FILE_NOT_FOUND + ")" : by;
        if (removed == FileRemoval.NOT_FOUND) {
            log.warn("{} {} past its retention was not found in this node's store: recorded as removed. If the nodes of a"
                    + " cluster do not share the folder, the file may still be on another node's disk.", what, location.get());
        }
        jdbc.sql("update account_backup set removed_at = now(), removed_by = :by where id = :id")
                .param("id", backupId).param("by", removedBy).update();
        log.info("{} {} removed after its retention, by {}", what, location.get(), removedBy);
        return true;
    }

    /**
     * An export past its retention: written by the store, not removed yet, and relied on by no removal still open (a
     * deletion that waits out a long cooling-off period, or for an operator, keeps the backup it was confirmed with).
     */
    private static final String EXPIRED_EXPORT = """
            kind = 'PLATFORM_EXPORT' and removed_at is null and location is not null
            and completed_at <= now() - make_interval(secs => :retention)
            and not exists (select 1 from removal r where (r.id = account_backup.removal_id or r.backup_id = account_backup.id)
                            -- RemovalStatus.isOpen
                            and r.status in ('REQUESTED', 'PENDING', 'CONFIRMED', 'PENDING_DELETION', 'RUNNING', 'SCOPE_CHANGED'))""";

    /** Exports past their retention (see {@link #EXPIRED_EXPORT}) after the given id, in id order. */
    public java.util.List<Backup> expiredExports(java.time.Duration retention, long afterId, int limit) {
        return jdbc.sql("select " + COLUMNS + " from account_backup where " + EXPIRED_EXPORT
                        + " and id > :after order by id limit :limit")
                .param("retention", retention.toSeconds()).param("after", afterId).param("limit", limit)
                .query(Backup.class).list();
    }

    /**
     * Removes one export past its retention as {@link #removeExpiredSnapshot} removes a snapshot: row locked, file
     * deleted by its store, the row recording when and by what; nothing when the store keeps its exports itself.
     *
     * @return whether this call removed it
     */
    @Transactional
    public boolean removeExpiredExport(long backupId, java.time.Duration retention, BackupStore store, String by) {
        return removeLocked(backupId, EXPIRED_EXPORT, Map.of("retention", retention.toSeconds()), "Export",
                location -> store.delete(location) ? FileRemoval.DELETED : FileRemoval.KEPT, by);
    }

    /**
     * When a person says their backup elsewhere was taken, read from what they typed or picked: ISO-8601 with an
     * offset, or without one as UTC ("2026-11-28T22:00", "2026-11-28 22:00"). Not in the future, and, when
     * {@code maxAge} is given, recent enough for a deletion.
     *
     * @throws IllegalArgumentException with the sentence the person reads
     */
    public OffsetDateTime statedTakenAt(String stated, java.time.Duration maxAge) {
        OffsetDateTime takenAt;
        String text = stated == null ? "" : stated.strip().replace(' ', 'T');
        try {
            takenAt = OffsetDateTime.parse(text);
        } catch (java.time.format.DateTimeParseException withoutOffset) {
            try {
                takenAt = java.time.LocalDateTime.parse(text).atOffset(java.time.ZoneOffset.UTC);
            } catch (java.time.format.DateTimeParseException notADate) {
                throw new IllegalArgumentException("'" + stated + "' is not a date and time; give it as 2026-11-28 22:00 (UTC).");
            }
        }
        OffsetDateTime now = OffsetDateTime.now(clock);
        if (takenAt.isAfter(now.plusMinutes(5))) {
            throw new IllegalArgumentException("The backup cannot have been taken on "
                    + takenAt.format(DateTimeFormatter.ofPattern("d MMM yyyy 'at' HH:mm 'UTC'"))
                    + ", which is in the future (it is now " + now.format(DateTimeFormatter.ofPattern("d MMM yyyy HH:mm 'UTC'"))
                    + ").");
        }
        java.time.Duration age = java.time.Duration.between(takenAt, now);
        if (maxAge != null && age.compareTo(maxAge) > 0) {
            throw new IllegalArgumentException("A backup taken " + roughly(age) + " ago is too old for a deletion by "
                    + roughly(age.minus(maxAge)) + ", since a backup counts as recent for " + human(maxAge)
                    + ". Export the account now instead, or take a new backup first.");
        }
        return takenAt.withOffsetSameInstant(java.time.ZoneOffset.UTC);
    }

    /** A backup as the person who relies on it is told: what it is and when it was completed. */
    public Optional<String> describe(long backupId) {
        return find(backupId).map(backup -> describe(backup) + ", completed on "
                + backup.completedAt().format(DateTimeFormatter.ofPattern("d MMM yyyy 'at' HH:mm 'UTC'")));
    }

    private static String describe(Backup backup) {
        if ("SCOPE_SNAPSHOT".equals(backup.kind())) {
            return "a verified snapshot of this removal's scope, file " + fileName(backup.location());
        }
        if (!"PLATFORM_EXPORT".equals(backup.kind())) {
            return "a backup elsewhere confirmed by " + backup.requestedBy();
        }
        return "an export by " + backup.requestedBy() + (backup.location() == null ? ""
                : ", file " + fileName(backup.location()) + (backup.sizeBytes() == null ? ""
                        : String.format(java.util.Locale.ROOT, " (%,d bytes)", backup.sizeBytes())));
    }

    /** The last part of a store's location: what the person may be told, without the server's folders. */
    private static String fileName(String location) {
        return location.substring(Math.max(location.lastIndexOf('/'), location.lastIndexOf('\\')) + 1);
    }

    private static String human(java.time.Duration duration) {
        long hours = duration.toHours();
        return hours % 24 == 0 ? (hours / 24) + (hours == 24 ? " day" : " days") : hours + " hours";
    }
}
