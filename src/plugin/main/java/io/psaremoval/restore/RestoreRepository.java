package io.psaremoval.restore;

import java.util.List;
import java.util.Optional;
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
     * The account's snapshots a restore may offer, newest first: of a removal that deleted rows, still kept (not removed
     * by retention), not restored yet.
     */
    List<RestorableSnapshot> restorable(long accountId) {
        return jdbc.sql(RESTORABLE + " order by b.completed_at desc, b.id desc limit 100")
                .param("account", accountId).query(RestorableSnapshot.class).list();
    }

    /** The snapshot as a restore of this account may use it, or empty (unknown, another account's, gone, restored). */
    Optional<RestorableSnapshot> restorable(long accountId, long snapshotId) {
        return jdbc.sql(RESTORABLE + " and b.id = :snapshot").param("account", accountId).param("snapshot", snapshotId)
                .query(RestorableSnapshot.class).optional();
    }

    private static final String RESTORABLE = """
            select b.id as snapshot_id, r.id as removal_id, r.business_key as removal_key,
                   r.integration_name, b.scope_round, b.completed_at as taken_at,
                   (select organizations from removal_scope_round s where s.removal_id = r.id and s.round = b.scope_round)
                       as organizations,
                   b.expires_at as kept_until
            from account_backup b join removal r on r.id = b.removal_id
            where b.kind = 'SCOPE_SNAPSHOT' and b.account_id = :account and b.removed_at is null and b.expires_at > now()
              and r.status = 'DELETED'
              and (select count(*) from account_backup s where s.removal_id = r.id and s.kind = 'SCOPE_SNAPSHOT') = 1
              and not exists (select 1 from removal_restore x where x.snapshot_id = b.id and x.status = 'RESTORED')""";

    /** Why a snapshot the account may not restore is refused, in words; the same for one of another account as unknown. */
    String whyNotRestorable(long accountId, long snapshotId) {
        record Found(Long accountId, String kind, java.time.OffsetDateTime removedAt, String restoredBy,
                java.time.OffsetDateTime restoredAt, String removalStatus, String removalKey, long rounds,
                java.time.OffsetDateTime expiresAt) {
        }
        Found found = jdbc.sql("""
                select b.account_id, b.kind, b.removed_at, r.status as removal_status, r.business_key as removal_key,
                       (select count(*) from account_backup s where s.removal_id = r.id and s.kind = 'SCOPE_SNAPSHOT')
                           as rounds, b.expires_at,
                       (select x.confirmed_by from removal_restore x where x.snapshot_id = b.id and x.status = 'RESTORED')
                           as restored_by,
                       (select x.ended_at from removal_restore x where x.snapshot_id = b.id and x.status = 'RESTORED')
                           as restored_at
                from account_backup b left join removal r on r.id = b.removal_id where b.id = :snapshot""")
                .param("snapshot", snapshotId).query(Found.class).optional().orElse(null);
        if (found == null || !Long.valueOf(accountId).equals(found.accountId()) || !"SCOPE_SNAPSHOT".equals(found.kind())) {
            return "Snapshot " + snapshotId + " is not one of your account's snapshots of deleted PSA data.";
        }
        if (found.removedAt() != null || (found.expiresAt() != null && !found.expiresAt().isAfter(java.time.OffsetDateTime.now()))) {
            return "Snapshot " + snapshotId + " was removed after its retention, on " + found.removedAt().toLocalDate()
                    + ": it cannot be restored.";
        }
        if (found.restoredBy() != null) {
            return "Snapshot " + snapshotId + " was restored already, by " + found.restoredBy() + " on "
                    + found.restoredAt().toLocalDate() + ".";
        }
        if (!"DELETED".equals(found.removalStatus())) {
            return "Snapshot " + snapshotId + " is of removal " + found.removalKey() + ", which is "
                    + String.valueOf(found.removalStatus()).toLowerCase(java.util.Locale.ROOT).replace('_', ' ')
                    + ", not a finished delete: only the data of a finished delete is restored.";
        }
        if (found.rounds() > 1) {
            return "Removal " + found.removalKey() + " deleted its data under " + found.rounds() + " rounds of its scope"
                    + " (the scope changed while it ran), each with a snapshot of its own: restoring such a removal is not"
                    + " supported yet. Nothing was restored.";
        }
        return "Snapshot " + snapshotId + " cannot be restored.";
    }

    /** Where the stored snapshot is and its SHA-256 as verified when it was taken; the record row-locked. */
    record StoredSnapshot(long id, long accountId, long removalId, int scopeRound, String location, String sha256) {
    }

    Optional<StoredSnapshot> lockSnapshot(long snapshotId) {
        return jdbc.sql("""
                select id, account_id, removal_id, scope_round, location, sha256 from account_backup
                where id = :id and kind = 'SCOPE_SNAPSHOT' and removed_at is null for update""")
                .param("id", snapshotId).query(StoredSnapshot.class).optional();
    }
}
