package io.psaremoval.removal;

import io.psaremoval.integration.IntegrationStatus;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

@Repository
public class RemovalRepository {

    private static final String COLUMNS = """
            id, process_instance_id, business_key, requested_by, requester_role, account_id, integration_id,
            integration_name, previous_integration_status, mode, status, confirmed_by""";

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
        return jdbc.sql("select " + COLUMNS + " from removal where integration_id = :integration and status in ('PENDING', 'RUNNING')")
                .param("integration", integrationId).query(Removal.class).optional();
    }

    /** Ties the removal to the integration it reserved. */
    void attachIntegration(long removalId, long integrationId, String integrationName, IntegrationStatus previous) {
        jdbc.sql("""
                update removal set integration_id = :integration, integration_name = :name,
                                   previous_integration_status = :previous, status = 'PENDING'
                where id = :id and status = 'REQUESTED'""")
                .param("id", removalId).param("integration", integrationId).param("name", integrationName)
                .param("previous", previous.name()).update();
    }

    /** Counts a chunk, in the chunk's own transaction. */
    void recordChunk(long removalId, long millis) {
        jdbc.sql("""
                update removal set chunks_done = chunks_done + 1,
                                   longest_chunk_ms = greatest(coalesce(longest_chunk_ms, 0), :millis)
                where id = :id""").param("id", removalId).param("millis", millis).update();
    }

    void markRunning(long removalId, RemovalMode mode) {
        jdbc.sql("update removal set mode = :mode, status = 'RUNNING' where id = :id and status in ('PENDING', 'RUNNING')")
                .param("id", removalId).param("mode", mode.name()).update();
    }

    void recordConfirmation(long removalId, String confirmedBy) {
        jdbc.sql("update removal set confirmed_by = :by, confirmed_at = now() where id = :id")
                .param("id", removalId).param("by", confirmedBy).update();
    }

    /** Ends the removal with its outcome; an ended removal keeps its first outcome. */
    void end(long removalId, RemovalStatus outcome) {
        jdbc.sql("""
                update removal set status = :status, ended_at = now()
                where id = :id and status in ('REQUESTED', 'PENDING', 'RUNNING')""")
                .param("id", removalId).param("status", outcome.name()).update();
    }

    /**
     * Keeps what the user saw, kind by kind: items split into synced and platform-only, organizations and RMM
     * devices as synced, attachments and related items as platform-only. The removal's progress is told against it.
     */
    void savePreview(long removalId, ImpactPreview preview) {
        jdbc.sql("delete from removal_preview where removal_id = :id").param("id", removalId).update();
        Map<String, ImpactPreview.KindCount> kinds = new LinkedHashMap<>();
        kinds.put("ORGANIZATION", new ImpactPreview.KindCount(preview.organizations(), 0));
        kinds.putAll(preview.items());
        kinds.put("ATTACHMENT", new ImpactPreview.KindCount(0, preview.attachments()));
        kinds.put("RELATED_ITEM", new ImpactPreview.KindCount(0, preview.relatedItems()));
        kinds.put("RMM_DEVICE", new ImpactPreview.KindCount(preview.rmmDevices(), 0));
        kinds.forEach((kind, count) -> jdbc.sql("""
                insert into removal_preview (removal_id, kind, psa_synced, platform_only)
                values (:id, :kind, :synced, :platformOnly)""")
                .param("id", removalId).param("kind", kind).param("synced", count.psaSynced())
                .param("platformOnly", count.platformOnly()).update());
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
}
