package io.psaremoval.removal;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

/** Counts what removing a PSA integration touches, with one aggregate query per table. */
@Service
public class ImpactPreviewService {

    /** Item kinds in the order the forms list them. */
    static final List<String> ITEM_KINDS = List.of("CONFIGURATION", "CONTACT", "LOCATION", "PASSWORD", "DOMAIN",
            "DOCUMENT", "FLEXIBLE_ASSET");

    private final JdbcClient jdbc;

    ImpactPreviewService(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    public ImpactPreview preview(long psaIntegrationId) {
        record Organizations(long total, long preExisting) {
        }
        Organizations organizations = jdbc.sql("""
                select count(*) as total, count(*) filter (where created_at < psa_linked_at) as pre_existing
                from organization where psa_integration_id = :psa""")
                .param("psa", psaIntegrationId).query(Organizations.class).single();

        Map<String, ImpactPreview.KindCount> items = new LinkedHashMap<>();
        ITEM_KINDS.forEach(kind -> items.put(kind, new ImpactPreview.KindCount(0, 0)));
        jdbc.sql("""
                select i.kind, count(*) filter (where i.psa_external_id is not null) as synced,
                       count(*) filter (where i.psa_external_id is null) as platform_only
                from item i join organization o on o.id = i.organization_id
                where o.psa_integration_id = :psa
                group by i.kind""")
                .param("psa", psaIntegrationId)
                .query((rs, n) -> items.put(rs.getString(1), new ImpactPreview.KindCount(rs.getLong(2), rs.getLong(3))))
                .list();

        // Unions of joins rather than "in (...) or in (...)": the planner hashes each side, at any size.
        long attachments = count("""
                select count(*) from (
                    select a.id from attachment a join organization o on o.id = a.organization_id
                    where o.psa_integration_id = :psa
                    union
                    select a.id from attachment a join item i on i.id = a.item_id
                    join organization o on o.id = i.organization_id where o.psa_integration_id = :psa) touched""",
                psaIntegrationId);
        long relatedItems = count("""
                select count(*) from (
                    select r.id from related_item r join item i on i.id = r.source_item_id
                    join organization o on o.id = i.organization_id where o.psa_integration_id = :psa
                    union
                    select r.id from related_item r join item i on i.id = r.target_item_id
                    join organization o on o.id = i.organization_id where o.psa_integration_id = :psa) touched""",
                psaIntegrationId);
        long rmmDevices = count("""
                select count(*) from rmm_device d join item i on i.id = d.matched_configuration_id
                join organization o on o.id = i.organization_id
                where o.psa_integration_id = :psa""", psaIntegrationId);
        return new ImpactPreview(organizations.total(), organizations.preExisting(), items, attachments, relatedItems,
                rmmDevices);
    }

    private long count(String sql, long psaIntegrationId) {
        return jdbc.sql(sql).param("psa", psaIntegrationId).query(Long.class).single();
    }

    /** The preview as Markdown for the forms, numbers grouped by thousands. */
    public static String report(String integrationName, ImpactPreview preview) {
        StringBuilder md = new StringBuilder();
        md.append("# What removing ").append(integrationName).append(" touches\n\n");
        md.append("**").append(n(preview.organizations())).append("** organizations are synced from this PSA");
        if (preview.preExistingOrganizations() > 0) {
            md.append(", of which **").append(n(preview.preExistingOrganizations()))
                    .append("** existed here before the PSA linked them (a delete removes them too)");
        }
        md.append(".\n\n| Kind | From the PSA | Only in this platform |\n|---|---:|---:|\n");
        preview.items().forEach((kind, count) -> md.append("| ").append(label(kind)).append(" | ")
                .append(n(count.psaSynced())).append(" | ").append(n(count.platformOnly())).append(" |\n"));
        md.append("| Attachments | 0 | ").append(n(preview.attachments())).append(" |\n");
        md.append("| Related items | 0 | ").append(n(preview.relatedItems())).append(" |\n");
        md.append("| **All** | **").append(n(preview.psaSyncedItems())).append("** | **")
                .append(n(preview.platformOnlyItems() + preview.attachments() + preview.relatedItems()))
                .append("** |\n\n");
        md.append("A delete destroys the right-hand column for good: the PSA cannot bring it back. ");
        if (preview.rmmDevices() > 0) {
            md.append("**").append(n(preview.rmmDevices()))
                    .append("** RMM devices are matched to these configurations: a delete unmatches them, and their RMM data is not shown anywhere until they are matched again.");
        } else {
            md.append("No RMM device is matched to these configurations.");
        }
        return md.toString();
    }

    static String label(String kind) {
        String words = kind.toLowerCase(Locale.ROOT).replace('_', ' ');
        return Character.toUpperCase(words.charAt(0)) + words.substring(1) + "s";
    }

    static String n(long value) {
        return String.format(Locale.ENGLISH, "%,d", value);
    }
}
