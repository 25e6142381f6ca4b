package io.psaremoval.removal;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

/**
 * Disconnects or hard deletes the data of one PSA integration with set-based SQL, children before
 * parents. Every statement counts the rows it wrote into {@code removal_count} in the same transaction,
 * and picks only rows still in scope: running a step twice changes and counts nothing more.
 * No statement here, or anywhere in this code, writes to a PSA.
 */
@Service
public class PlatformDataRemover {

    /** Items of organizations synced from the PSA. */
    private static final String SCOPE_ORGANIZATIONS = "select id from organization where psa_integration_id = :psa";
    private static final String SCOPE_ITEMS = "select id from item where organization_id in (" + SCOPE_ORGANIZATIONS + ")";
    private static final String COUNT_BY_KIND = """
            insert into removal_count (removal_id, action, kind, rows)
            select :removal, :action, kind, count(*) from changed group by kind
            on conflict (removal_id, action, kind) do update set rows = removal_count.rows + excluded.rows""";

    private final JdbcClient jdbc;

    PlatformDataRemover(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Organizations and items lose their PSA link and stay as stand-alone records, contents unchanged. */
    public void disconnect(long removalId, long psaIntegrationId) {
        write("""
                with changed as (
                    update item set psa_external_id = null
                    where organization_id in (%s) and psa_external_id is not null
                    returning kind)
                """.formatted(SCOPE_ORGANIZATIONS) + COUNT_BY_KIND, removalId, psaIntegrationId, "DISCONNECTED");
        write("""
                with changed as (
                    update organization
                    set psa_integration_id = null, psa_kind = null, psa_external_id = null, psa_linked_at = null
                    where psa_integration_id = :psa
                    returning 'ORGANIZATION' as kind)
                """ + COUNT_BY_KIND, removalId, psaIntegrationId, "DISCONNECTED");
    }

    /**
     * Deletes every organization synced from the PSA and everything of theirs: related-item links from
     * anywhere, attachments, items of every kind. RMM devices matched to their configurations stay,
     * unmatched, and are listed in {@code removal_unmatched_device} for the RMM notice.
     *
     * @return the number of RMM devices this removal unmatched (also on a repeated call)
     */
    public long hardDelete(long removalId, long psaIntegrationId) {
        jdbc.sql("""
                insert into removal_unmatched_device (removal_id, rmm_device_id, rmm_integration_id, external_id,
                                                      hostname, former_configuration_id)
                select :removal, d.id, d.rmm_integration_id, d.external_id, d.hostname, d.matched_configuration_id
                from rmm_device d
                where d.matched_configuration_id in (%s)
                on conflict (removal_id, rmm_device_id) do nothing""".formatted(SCOPE_ITEMS))
                .param("removal", removalId).param("psa", psaIntegrationId).update();
        write("""
                with changed as (
                    update rmm_device set matched_configuration_id = null, matched_kind = null, matched_at = null
                    where matched_configuration_id in (%s)
                    returning 'RMM_DEVICE' as kind)
                """.formatted(SCOPE_ITEMS) + COUNT_BY_KIND, removalId, psaIntegrationId, "UNMATCHED");
        write("""
                with changed as (
                    delete from related_item
                    where source_item_id in (%1$s) or target_item_id in (%1$s)
                    returning 'RELATED_ITEM' as kind)
                """.formatted(SCOPE_ITEMS) + COUNT_BY_KIND, removalId, psaIntegrationId, "DELETED");
        write("""
                with changed as (
                    delete from attachment
                    where organization_id in (%s) or item_id in (%s)
                    returning 'ATTACHMENT' as kind)
                """.formatted(SCOPE_ORGANIZATIONS, SCOPE_ITEMS) + COUNT_BY_KIND, removalId, psaIntegrationId, "DELETED");
        write("""
                with changed as (
                    delete from item where organization_id in (%s)
                    returning kind)
                """.formatted(SCOPE_ORGANIZATIONS) + COUNT_BY_KIND, removalId, psaIntegrationId, "DELETED");
        write("""
                with changed as (
                    delete from organization where psa_integration_id = :psa
                    returning 'ORGANIZATION' as kind)
                """ + COUNT_BY_KIND, removalId, psaIntegrationId, "DELETED");
        return jdbc.sql("select count(*) from removal_unmatched_device where removal_id = :removal")
                .param("removal", removalId).query(Long.class).single();
    }

    private void write(String sql, long removalId, long psaIntegrationId, String action) {
        jdbc.sql(sql).param("removal", removalId).param("psa", psaIntegrationId).param("action", action).update();
    }
}
