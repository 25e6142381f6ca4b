package io.psaremoval.restore;

import io.psaremoval.removal.RemovalStatus;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The restores' records ({@code removal_restore}, V16); each change of state names the state it expects. */
@Repository
class RestoreRepository {

    private static final String COLUMNS = """
            id, process_instance_id, business_key, account_id, requested_by, reason, snapshot_id, removal_id, status,
            confirmed_by, confirmed_at, rows_restored::text as rows_restored, devices_rematched, outcome_reason,
            started_at, ended_at""";

    private final JdbcClient jdbc;

    RestoreRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Records the request once; a repeated call for the same process instance returns the first record. */
    Restore createIfAbsent(String processInstanceId, String businessKey, Long accountId, String requestedBy, String reason) {
        jdbc.sql("""
                insert into removal_restore (process_instance_id, business_key, account_id, requested_by, reason)
                values (:pid, :key, :account, :by, :reason) on conflict (process_instance_id) do nothing""")
                .param("pid", processInstanceId).param("key", businessKey).param("account", accountId)
                .param("by", requestedBy).param("reason", reason).update();
        return findByProcessInstance(processInstanceId).orElseThrow();
    }

    /** Why the person may not ask for one more restore now; null while they may (see {@code RequestsPerPerson}). */
    String whyNotOneMoreRequest(String requestedBy, String processInstanceId, int maxPerDay) {
        return io.psaremoval.security.RequestsPerPerson.whyNotOneMore(jdbc, "restores", "removal_restore", requestedBy,
                processInstanceId, maxPerDay);
    }

    boolean businessKeyTaken(String businessKey, String processInstanceId) {
        return jdbc.sql("select exists (select 1 from removal_restore where business_key = :key and process_instance_id <> :pid)")
                .param("key", businessKey).param("pid", processInstanceId).query(Boolean.class).single();
    }

    Optional<Restore> findByProcessInstance(String processInstanceId) {
        return jdbc.sql("select " + COLUMNS + " from removal_restore where process_instance_id = :pid")
                .param("pid", processInstanceId).query(Restore.class).optional();
    }

    /** The restore, row-locked until the caller's transaction ends. */
    Optional<Restore> lock(String processInstanceId) {
        return jdbc.sql("select " + COLUMNS + " from removal_restore where process_instance_id = :pid for update")
                .param("pid", processInstanceId).query(Restore.class).optional();
    }

    List<Restore> ofRemoval(long removalId) {
        return jdbc.sql("select " + COLUMNS + " from removal_restore where removal_id = :removal order by id")
                .param("removal", removalId).query(Restore.class).list();
    }

    /** Another restore of the removal's deletion under way (its snapshot chosen or confirmed), if any. */
    Optional<Restore> otherUnderWay(long removalId, long restoreId) {
        return jdbc.sql("select " + COLUMNS + " from removal_restore where removal_id = :removal and id <> :id"
                        + " and status in ('CHOSEN', 'CONFIRMED') order by id limit 1")
                .param("removal", removalId).param("id", restoreId).query(Restore.class).optional();
    }

    /** REQUESTED or CHOSEN → CHOSEN: the snapshot the person chose (they may choose again after a refusal). */
    boolean choose(long restoreId, long snapshotId, long removalId) {
        return jdbc.sql("""
                update removal_restore set snapshot_id = :snapshot, removal_id = :removal, status = 'CHOSEN'
                where id = :id and status in ('REQUESTED', 'CHOSEN')""")
                .param("id", restoreId).param("snapshot", snapshotId).param("removal", removalId).update() == 1;
    }

    /** CHOSEN → CONFIRMED. */
    boolean confirm(long restoreId, String by) {
        return jdbc.sql("""
                update removal_restore set confirmed_by = :by, confirmed_at = now(), status = 'CONFIRMED'
                where id = :id and status = 'CHOSEN'""")
                .param("id", restoreId).param("by", by).update() == 1;
    }

    /** CONFIRMED → RESTORED, with what was recreated. */
    boolean restored(long restoreId, String rowsJson, int devicesRematched) {
        return jdbc.sql("""
                update removal_restore set status = 'RESTORED', rows_restored = :rows::jsonb,
                                           devices_rematched = :devices, ended_at = now()
                where id = :id and status = 'CONFIRMED'""")
                .param("id", restoreId).param("rows", rowsJson).param("devices", devicesRematched).update() == 1;
    }

    /** Ends an open restore with its outcome; an ended one keeps its first. */
    boolean end(long restoreId, String status, String reason) {
        return jdbc.sql("""
                update removal_restore set status = :status, ended_at = now(), outcome_reason = coalesce(:reason, outcome_reason)
                where id = :id and status in ('REQUESTED', 'CHOSEN', 'CONFIRMED')""")
                .param("id", restoreId).param("status", status).param("reason", reason).update() == 1;
    }

    /**
     * The account's deletions a restore may offer, newest first, each by its newest snapshot that it deleted under: of a
     * removal that deleted organizations and has ended (done, or stopped part-way), every snapshot it deleted under still
     * kept (not removed by retention), not restored yet.
     */
    List<RestorableSnapshot> restorable(long accountId) {
        return jdbc.sql(RESTORABLE + " order by b.completed_at desc, b.id desc limit 100")
                .param("account", accountId).query(RestorableSnapshot.class).list();
    }

    /** The deletion the snapshot stands for, as a restore of this account may use it, or empty (see {@link #restorable}). */
    Optional<RestorableSnapshot> restorable(long accountId, long snapshotId) {
        return jdbc.sql(RESTORABLE + " and b.id = :snapshot").param("account", accountId).param("snapshot", snapshotId)
                .query(RestorableSnapshot.class).optional();
    }

    /** A removal that is still open may still delete, or be cancelled with its scope back in sight: not restored. */
    private static final List<String> OPEN = Arrays.stream(RemovalStatus.values()).filter(RemovalStatus::isOpen)
            .map(Enum::name).toList();

    /**
     * Whether every organization the removal counted as deleted is on record with its round: not so for a delete that was
     * under way when V20 was deployed (its earlier chunks recorded nothing), which a restore could give back only in part.
     */
    private static final String DELETION_ON_RECORD = """
            (select count(*) from removal_deleted_organization d where d.removal_id = r.id)
                = coalesce((select c.rows from removal_count c
                            where c.removal_id = r.id and c.action = 'DELETED' and c.kind = 'ORGANIZATION'), 0)""";

    /** The rounds a removal deleted under, each with its snapshot if it is kept. */
    private static final String DELETED_ROUNDS = """
            (select d.scope_round, k.id as snapshot_id, k.expires_at
             from (select distinct scope_round from removal_deleted_organization where removal_id = r.id) d
             left join account_backup k on k.removal_id = r.id and k.kind = 'SCOPE_SNAPSHOT' and k.scope_round = d.scope_round
                                       and k.removed_at is null and k.expires_at > now())""";

    private static final String RESTORABLE = """
            select b.id as snapshot_id, r.id as removal_id, r.business_key as removal_key,
                   r.integration_name, b.scope_round, b.completed_at as taken_at,
                   (select count(*) from removal_deleted_organization d where d.removal_id = r.id) as organizations,
                   (select min(n.expires_at) from %1$s n) as kept_until,
                   (select count(*) from %1$s n) as rounds,
                   r.status <> 'DELETED' as stopped_part_way
            from removal r
            join account_backup b on b.removal_id = r.id and b.kind = 'SCOPE_SNAPSHOT'
                                 and b.scope_round = (select max(d.scope_round) from removal_deleted_organization d
                                                      where d.removal_id = r.id)
            where r.account_id = :account and b.account_id = :account and r.status not in (%2$s) and %3$s
              and not exists (select 1 from %1$s n where n.snapshot_id is null)
              and not exists (select 1 from removal_restore x where x.removal_id = r.id and x.status = 'RESTORED')"""
            .formatted(DELETED_ROUNDS, OPEN.stream().map(status -> "'" + status + "'").collect(Collectors.joining(", ")),
                    DELETION_ON_RECORD);

    /** Why a snapshot the account may not restore is refused, in words; the same for one of another account as unknown. */
    String whyNotRestorable(long accountId, long snapshotId) {
        record Found(Long accountId, String kind, java.time.OffsetDateTime removedAt, String restoredBy,
                java.time.OffsetDateTime restoredAt, String removalStatus, String removalKey, Integer scopeRound,
                Integer newestRound, Integer roundGone, Boolean onRecord, java.time.OffsetDateTime expiresAt) {
        }
        Found found = jdbc.sql("""
                select b.account_id, b.kind, b.removed_at, r.status as removal_status, r.business_key as removal_key,
                       b.scope_round,
                       (select max(d.scope_round) from removal_deleted_organization d where d.removal_id = r.id)
                           as newest_round,
                       (select min(n.scope_round) from %s n where n.snapshot_id is null) as round_gone,
                       %s as on_record,
                       b.expires_at,
                       (select x.confirmed_by from removal_restore x where x.removal_id = r.id and x.status = 'RESTORED')
                           as restored_by,
                       (select x.ended_at from removal_restore x where x.removal_id = r.id and x.status = 'RESTORED')
                           as restored_at
                from account_backup b left join removal r on r.id = b.removal_id where b.id = :snapshot"""
                        .formatted(DELETED_ROUNDS, DELETION_ON_RECORD))
                .param("snapshot", snapshotId).query(Found.class).optional().orElse(null);
        if (found == null || !Long.valueOf(accountId).equals(found.accountId()) || !"SCOPE_SNAPSHOT".equals(found.kind())) {
            return "Snapshot " + snapshotId + " is not one of your account's snapshots of deleted PSA data.";
        }
        if (found.restoredBy() != null) {
            return "The data removal " + found.removalKey() + " deleted was restored already, by " + found.restoredBy()
                    + " on " + found.restoredAt().toLocalDate() + ".";
        }
        if (found.removedAt() != null || (found.expiresAt() != null && !found.expiresAt().isAfter(java.time.OffsetDateTime.now()))) {
            return "Snapshot " + snapshotId + " was removed after its retention"
                    + (found.removedAt() == null ? "" : ", on " + found.removedAt().toLocalDate()) + ": it cannot be restored.";
        }
        if (OPEN.contains(found.removalStatus())) {
            return "Snapshot " + snapshotId + " is of removal " + found.removalKey() + ", which is still "
                    + String.valueOf(found.removalStatus()).toLowerCase(java.util.Locale.ROOT).replace('_', ' ')
                    + ": what it deleted is restored once it has ended.";
        }
        if (found.newestRound() == null && Boolean.TRUE.equals(found.onRecord())) {
            return "Removal " + found.removalKey() + " deleted nothing (it ended before its first chunk): there is nothing"
                    + " to restore.";
        }
        if (found.newestRound() == null || !Boolean.TRUE.equals(found.onRecord())) {
            return "What removal " + found.removalKey() + " deleted is not on record organization by organization (it"
                    + " deleted before this version recorded that), so a restore could give it back only in part: it is"
                    + " not restored.";
        }
        if (found.roundGone() != null) {
            return "Removal " + found.removalKey() + " deleted data under round " + found.roundGone() + " of its scope,"
                    + " whose snapshot was removed after its retention: what it deleted cannot be restored whole.";
        }
        if (!found.newestRound().equals(found.scopeRound())) {
            return "Snapshot " + snapshotId + " is of round " + found.scopeRound() + " of removal " + found.removalKey()
                    + "'s scope; its deletion is restored by the snapshot of round " + found.newestRound()
                    + ", which the restore offers.";
        }
        return "Snapshot " + snapshotId + " cannot be restored.";
    }

    /**
     * Every snapshot the removal deleted under, newest round first, row-locked; a round whose snapshot is no longer kept
     * comes without one ({@code location} null), for the caller to refuse.
     */
    List<StoredSnapshot> lockSnapshotsDeletedUnder(long removalId) {
        jdbc.sql("select id from account_backup where removal_id = :removal and kind = 'SCOPE_SNAPSHOT' order by id for update")
                .param("removal", removalId).query(Long.class).list();
        return jdbc.sql("""
                select b.id, b.account_id, :removal as removal_id, d.scope_round, b.location, b.sha256
                from (select distinct scope_round from removal_deleted_organization where removal_id = :removal) d
                left join account_backup b on b.removal_id = :removal and b.kind = 'SCOPE_SNAPSHOT'
                                          and b.scope_round = d.scope_round and b.removed_at is null
                                          and b.expires_at > now()
                order by d.scope_round desc""")
                .param("removal", removalId).query(StoredSnapshot.class).list();
    }

    /** Where the stored snapshot is and its SHA-256 as verified when it was taken; the record row-locked. */
    record StoredSnapshot(Long id, Long accountId, long removalId, int scopeRound, String location, String sha256) {
    }

    Optional<StoredSnapshot> lockSnapshot(long snapshotId) {
        return jdbc.sql("""
                select id, account_id, removal_id, scope_round, location, sha256 from account_backup
                where id = :id and kind = 'SCOPE_SNAPSHOT' and removed_at is null for update""")
                .param("id", snapshotId).query(StoredSnapshot.class).optional();
    }
}
