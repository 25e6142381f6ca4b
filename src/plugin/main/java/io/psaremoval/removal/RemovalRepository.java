package io.psaremoval.removal;

import io.psaremoval.integration.IntegrationStatus;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

@Repository
public class RemovalRepository {

    private static final String COLUMNS = """
            id, process_instance_id, business_key, requested_by, requester_role, account_id, integration_id,
            integration_name, previous_integration_status, mode, status, confirmed_by, chosen_mode, backup_id,
            bulk_delete_approved_by, scope_round, approval_required_by_policy, four_eyes,
            extract(epoch from cooling_off)::bigint as cooling_off_seconds, purge_after,
            coalesce(purge_after <= now(), false) as purge_due""";
    /** Whether the removal's account asks for a second approval of every hard delete now (its policy row share-locked). */
    private static final String POLICY_NOW = """
            coalesce((select p.deletion_approval_required from removal_policy p
                      where p.account_id = removal.account_id for share), false)""";
    private static final String OPEN =
            "('REQUESTED', 'PENDING', 'CONFIRMED', 'PENDING_DELETION', 'RUNNING', 'SCOPE_CHANGED')";
    /** The account's cooling-off period now, else the host's (seconds, :hostCoolingOff). */
    private static final String COOLING_OFF_NOW = """
            coalesce((select p.cooling_off from removal_policy p where p.account_id = removal.account_id),
                     make_interval(secs => :hostCoolingOff))""";

    private final JdbcClient jdbc;

    RemovalRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Records the request once; a repeated call for the same process instance returns the first record. */
    public Removal createIfAbsent(String processInstanceId, String businessKey, String requestedBy, String role,
            Long accountId, String reason) {
        jdbc.sql("""
                insert into removal (process_instance_id, business_key, requested_by, requester_role, account_id, reason)
                values (:pid, :key, :requestedBy, :role, :account, :reason)
                on conflict (process_instance_id) do nothing""")
                .param("pid", processInstanceId).param("key", businessKey).param("requestedBy", requestedBy)
                .param("role", role).param("account", accountId).param("reason", reason)
                .update();
        return findByProcessInstance(processInstanceId).orElseThrow();
    }

    /** Why the person may not ask for one more removal now; null while they may (see {@code RequestsPerPerson}). */
    String whyNotOneMoreRequest(String requestedBy, String processInstanceId, int maxPerDay) {
        return io.psaremoval.security.RequestsPerPerson.whyNotOneMore(jdbc, "removals", "removal", requestedBy,
                processInstanceId, maxPerDay);
    }

    public boolean businessKeyTaken(String businessKey, String processInstanceId) {
        return jdbc.sql("select exists (select 1 from removal where business_key = :key and process_instance_id <> :pid)")
                .param("key", businessKey).param("pid", processInstanceId).query(Boolean.class).single();
    }

    public Optional<Removal> findByProcessInstance(String processInstanceId) {
        return jdbc.sql("select " + COLUMNS + " from removal where process_instance_id = :pid")
                .param("pid", processInstanceId).query(Removal.class).optional();
    }

    public Optional<Removal> findById(long id) {
        return jdbc.sql("select " + COLUMNS + " from removal where id = :id")
                .param("id", id).query(Removal.class).optional();
    }

    /** The removal that holds the integration now, if any. */
    public Optional<Removal> findOpenByIntegration(long integrationId) {
        return jdbc.sql("select " + COLUMNS + " from removal where integration_id = :integration "
                        + "and status in ('PENDING', 'CONFIRMED', 'PENDING_DELETION', 'RUNNING', 'SCOPE_CHANGED')")
                .param("integration", integrationId).query(Removal.class).optional();
    }

    /** Every removal not yet ended. */
    public List<Removal> findOpen() {
        return jdbc.sql("select " + COLUMNS + " from removal where status in " + OPEN + " order by id")
                .query(Removal.class).list();
    }

    /** The newest removal that reserved the integration, open or ended. */
    public Optional<Removal> findLatestByIntegration(long integrationId) {
        return jdbc.sql("select " + COLUMNS + " from removal where integration_id = :integration order by id desc limit 1")
                .param("integration", integrationId).query(Removal.class).optional();
    }

    /** REQUESTED → PENDING: ties the removal to the integration it reserved. */
    boolean attachIntegration(long removalId, long integrationId, String integrationName, IntegrationStatus previous) {
        return jdbc.sql("""
                update removal set integration_id = :integration, integration_name = :name,
                                   previous_integration_status = :previous, status = 'PENDING'
                where id = :id and status = 'REQUESTED'""")
                .param("id", removalId).param("integration", integrationId).param("name", integrationName)
                .param("previous", previous.name()).update() == 1;
    }

    /** Records the way to remove the requester chose, while the removal waits for it (PENDING). */
    /** Records why the integration is removed, while the removal waits for the integration to be chosen (REQUESTED). */
    boolean recordReason(long removalId, String reason) {
        return jdbc.sql("update removal set reason = :reason where id = :id and status = 'REQUESTED'")
                .param("id", removalId).param("reason", reason).update() == 1;
    }

    boolean recordChosenMode(long removalId, RemovalMode mode) {
        return jdbc.sql("update removal set chosen_mode = :mode where id = :id and status = 'PENDING'")
                .param("id", removalId).param("mode", mode.name()).update() == 1;
    }

    /** Records the backup the removal relies on, while it waits (PENDING). */
    boolean recordBackup(long removalId, long backupId) {
        return jdbc.sql("update removal set backup_id = :backup where id = :id and status = 'PENDING'")
                .param("id", removalId).param("backup", backupId).update() == 1;
    }

    /** Records the support agent who agreed to switch bulk delete on, while the removal waits (PENDING). */
    boolean recordBulkDeleteApproval(long removalId, String agent) {
        return jdbc.sql("update removal set bulk_delete_approved_by = :agent where id = :id and status = 'PENDING'")
                .param("id", removalId).param("agent", agent).update() == 1;
    }

    /**
     * PENDING → CONFIRMED, for a removal whose requester chose to delete; the account's removal policy as it is now
     * is kept with it (a second approval it asks for stays asked for; the cooling-off period: the account's, else the
     * host's {@code hostCoolingOff}, where the platform and the removal's process can cool off at all: {@code coolsOff}).
     */
    boolean recordConfirmation(long removalId, String confirmedBy, java.time.Duration hostCoolingOff, boolean coolsOff) {
        return jdbc.sql("""
                update removal set confirmed_by = :by, confirmed_at = now(), status = 'CONFIRMED',
                                   approval_required_by_policy = approval_required_by_policy or %s,
                                   cooling_off = coalesce(cooling_off, case when :coolsOff then %s else interval '0' end)
                where id = :id and status = 'PENDING' and chosen_mode = 'DELETE'""".formatted(POLICY_NOW, COOLING_OFF_NOW))
                .param("id", removalId).param("by", confirmedBy).param("hostCoolingOff", hostCoolingOff.toSeconds())
                .param("coolsOff", coolsOff).update() == 1;
    }

    Optional<OffsetDateTime> confirmedAt(long removalId) {
        return jdbc.sql("select confirmed_at from removal where id = :id").param("id", removalId)
                .query(OffsetDateTime.class).optional();
    }

    /**
     * The first write of a disconnect (PENDING → RUNNING) or a delete (CONFIRMED → RUNNING); a removal already
     * RUNNING in the same mode stays so (a resumed job). False otherwise: nothing may be written.
     */
    boolean markRunning(long removalId, RemovalMode mode, RemovalStatus from) {
        return jdbc.sql("""
                update removal set mode = :mode, status = 'RUNNING',
                                   purge_started_at = coalesce(purge_started_at,
                                                               case when status = 'PENDING_DELETION' then now() end)
                where id = :id
                  and ((status = :from
                        -- a deletion confirmed with a cooling-off period purges only from out of sight, once it is over
                        and (status <> 'PENDING_DELETION' or purge_after <= now())
                        and (status <> 'CONFIRMED' or coalesce(cooling_off, interval '0') = interval '0' or mode is not null))
                       or (status = 'RUNNING' and mode = :mode))""")
                .param("id", removalId).param("mode", mode.name()).param("from", from.name()).update() == 1;
    }

    /**
     * Counts a chunk, in the chunk's own transaction, and locks the removal row until that transaction ends;
     * false (and the chunk must roll back) when the removal is no longer running in this mode.
     */
    boolean recordChunk(long removalId, RemovalMode mode, long millis) {
        return jdbc.sql("""
                update removal set chunks_done = chunks_done + 1,
                                   longest_chunk_ms = greatest(coalesce(longest_chunk_ms, 0), :millis)
                where id = :id and status = 'RUNNING' and mode = :mode""")
                .param("id", removalId).param("millis", millis).param("mode", mode.name()).update() == 1;
    }

    /** Locks the removal row until the caller's transaction ends; false when it is not running in this mode. */
    boolean lockRunning(long removalId, RemovalMode mode) {
        return jdbc.sql("select id from removal where id = :id and status = 'RUNNING' and mode = :mode for no key update")
                .param("id", removalId).param("mode", mode.name()).query(Long.class).optional().isPresent();
    }

    /**
     * CONFIRMED → PENDING_DELETION for a deletion confirmed with a cooling-off period, nothing of it purged yet: the
     * purge may start from {@code purge_after}, the cooling-off period from now, on. False otherwise.
     */
    boolean markPendingDeletion(long removalId) {
        return jdbc.sql("""
                update removal set status = 'PENDING_DELETION', moved_out_at = now(), purge_after = now() + cooling_off
                where id = :id and status = 'CONFIRMED' and chosen_mode = 'DELETE' and mode is null
                  and cooling_off > interval '0'""")
                .param("id", removalId).update() == 1;
    }

    /** Locks the removal row until the caller's transaction ends: one step of the removal at a time. */
    void lock(long removalId) {
        jdbc.sql("select id from removal where id = :id for no key update").param("id", removalId).query(Long.class)
                .single();
    }

    /**
     * PENDING_DELETION → CANCELLED: an Administrator cancelled the deletion during its cooling-off period; what it had
     * moved out of sight is back (the rows themselves were never written).
     */
    boolean cancelPendingDeletion(long removalId, String cancelledBy, String note, String reason) {
        boolean cancelled = jdbc.sql("""
                update removal set status = 'CANCELLED', ended_at = now(), cancelled_by = :by, cancelled_at = now(),
                                   cancel_note = :note, outcome_reason = :reason
                where id = :id and status = 'PENDING_DELETION'""")
                .param("id", removalId).param("by", cancelledBy).param("note", note).param("reason", reason)
                .update() == 1;
        return cancelled;
    }

    Optional<String> pendingDeletionCancellation(long removalId) {
        return jdbc.sql("select outcome_reason from removal where id = :id and cancelled_by is not null")
                .param("id", removalId).query(String.class).optional();
    }

    /**
     * PENDING, CONFIRMED, PENDING_DELETION or RUNNING → SCOPE_CHANGED, for a removal whose requester chose the mode: what is in scope
     * differs from what the person confirmed; nothing more is written until they confirm again.
     */
    boolean markScopeChanged(long removalId, RemovalMode mode) {
        return jdbc.sql("""
                update removal set status = 'SCOPE_CHANGED'
                where id = :id and chosen_mode = :mode and status in ('PENDING', 'CONFIRMED', 'PENDING_DELETION', 'RUNNING')""")
                .param("id", removalId).param("mode", mode.name()).update() == 1;
    }

    /**
     * SCOPE_CHANGED → CONFIRMED (a delete) or PENDING (a disconnect): the person confirmed the round of the scope they
     * were shown, which becomes the contract.
     */
    boolean confirmScopeRound(long removalId, int round) {
        return jdbc.sql("""
                update removal set scope_round = :round,
                                   status = case chosen_mode when 'DELETE' then 'CONFIRMED' else 'PENDING' end,
                                   approval_required_by_policy = approval_required_by_policy or %s
                where id = :id and status = 'SCOPE_CHANGED'""".formatted(POLICY_NOW))
                .param("id", removalId).param("round", round).update() == 1;
    }

    /** Ties the preview's round of the scope to the removal, while it waits for its mode to be chosen (PENDING). */
    boolean recordPreviewRound(long removalId, int round) {
        return jdbc.sql("update removal set scope_round = :round where id = :id and status = 'PENDING'")
                .param("id", removalId).param("round", round).update() == 1;
    }

    /** Ends the removal with its outcome; an ended removal keeps its first outcome. */
    boolean end(long removalId, RemovalStatus outcome, String reason) {
        return jdbc.sql("""
                update removal set status = :status, ended_at = now(), outcome_reason = coalesce(:reason, outcome_reason)
                where id = :id and status in """ + OPEN)
                .param("id", removalId).param("status", outcome.name()).param("reason", reason).update() == 1;
    }

    /**
     * Keeps what the user saw, kind by kind: items split into synced and platform-only, organizations and RMM
     * devices as synced, attachments and related items as platform-only. The removal's progress is told against it.
     */
    void savePreview(long removalId, ImpactPreview preview) {
        savePreview(removalId, kinds(preview));
    }

    void savePreview(long removalId, Map<String, ImpactPreview.KindCount> kinds) {
        jdbc.sql("delete from removal_preview where removal_id = :id").param("id", removalId).update();
        kinds.forEach((kind, count) -> jdbc.sql("""
                insert into removal_preview (removal_id, kind, psa_synced, platform_only)
                values (:id, :kind, :synced, :platformOnly)""")
                .param("id", removalId).param("kind", kind).param("synced", count.psaSynced())
                .param("platformOnly", count.platformOnly()).update());
    }

    /** The preview kind by kind, as it is kept: organizations and RMM devices as synced, attachments and links as not. */
    static Map<String, ImpactPreview.KindCount> kinds(ImpactPreview preview) {
        Map<String, ImpactPreview.KindCount> kinds = new LinkedHashMap<>();
        kinds.put("ORGANIZATION", new ImpactPreview.KindCount(preview.organizations(), 0));
        kinds.putAll(preview.items());
        kinds.put("ATTACHMENT", new ImpactPreview.KindCount(0, preview.attachments()));
        kinds.put("RELATED_ITEM", new ImpactPreview.KindCount(0, preview.relatedItems()));
        kinds.put("RMM_DEVICE", new ImpactPreview.KindCount(preview.rmmDevices(), 0));
        return kinds;
    }

    /** The preview's counts per kind, as {@link #savePreview} kept them. */
    Map<String, ImpactPreview.KindCount> preview(long removalId) {
        Map<String, ImpactPreview.KindCount> kinds = new LinkedHashMap<>();
        jdbc.sql("select kind, psa_synced, platform_only from removal_preview where removal_id = :id")
                .param("id", removalId)
                .query((rs, n) -> kinds.put(rs.getString(1), new ImpactPreview.KindCount(rs.getLong(2), rs.getLong(3))))
                .list();
        return kinds;
    }

    /** Rows written by the removal, by action and kind, e.g. {@code DELETED → {CONFIGURATION → 120, ...}}. */
    public Map<String, Map<String, Long>> counts(long removalId) {
        Map<String, Map<String, Long>> counts = new TreeMap<>();
        jdbc.sql("select action, kind, rows from removal_count where removal_id = :id")
                .param("id", removalId)
                .query((rs, n) -> counts.computeIfAbsent(rs.getString(1), a -> new TreeMap<>())
                        .put(rs.getString(2), rs.getLong(3)))
                .list();
        return counts;
    }

    public long total(long removalId, String action) {
        return jdbc.sql("select coalesce(sum(rows), 0) from removal_count where removal_id = :id and action = :action")
                .param("id", removalId).param("action", action).query(Long.class).single();
    }

    /**
     * Waits until no other transaction writes a chunk of this removal, and keeps others waiting until the caller's
     * transaction ends (a PostgreSQL advisory lock of the transaction, on the removal's id; the removal row itself stays
     * free for its other writers).
     */
    public void takeTurnsWithOtherChunks(long removalId) {
        jdbc.sql("select 1 from (select pg_advisory_xact_lock(hashtext('psa-integration-removal chunk'),"
                        + " hashtext(:id::text))) as locked")
                .param("id", removalId).query(Integer.class).single();
    }

    /**
     * How many of these organizations the removal has on record as deleted ({@code removal_deleted_organization}): in
     * any round, and under this round. Read in the caller's transaction.
     */
    public RecordedDeletions recordedDeletions(long removalId, int scopeRound, List<Long> organizations) {
        return jdbc.sql("""
                select count(*) as any_round, count(*) filter (where scope_round = :round) as this_round
                from removal_deleted_organization where removal_id = :id and organization_id = any(:organizations)""")
                .param("id", removalId).param("round", scopeRound)
                .param("organizations", organizations.toArray(Long[]::new))
                .query(RecordedDeletions.class).single();
    }

    /** Organizations on record as deleted by a removal: in any of its rounds, and in one of them. */
    public record RecordedDeletions(long anyRound, long thisRound) {
    }
}
