package io.psaremoval.removal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;
import org.springframework.jdbc.core.RowCallbackHandler;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Disconnects or hard deletes the data of one PSA integration, a chunk of organizations at a time, with
 * set-based SQL per chunk, children before parents. A chunk is whole organizations with everything of
 * theirs, so no organization is ever left half removed. Every statement counts the rows it wrote into
 * {@code removal_count} in the chunk's own transaction, and picks only rows still in scope: running a
 * chunk twice changes and counts nothing more. No statement here, or anywhere in this code, writes to a PSA.
 */
public class JdbcPlatformData implements PlatformData {

    /** Adds the rows to what the removal counted before for the action and kind (a chunk run twice adds nothing). */
    private static final String ADDED_TO_THE_COUNT =
            " on conflict (removal_id, action, kind) do update set rows = removal_count.rows + excluded.rows";
    private static final String COUNT_BY_KIND = """
            insert into removal_count (removal_id, action, kind, rows)
            select :removal, :action, kind, count(*) from changed group by kind""" + ADDED_TO_THE_COUNT;

    /*
     * Each row's hash for the scope's fingerprints, the same SQL whether the whole scope is summed up in the database
     * or a locked chunk's rows are read one by one: PostgreSQL's 64-bit hash of a row value (hash_record_extended, each
     * column hashed by its type's own hash function, no text built; V19). The row holds the columns that a removal
     * writes or destroys (an item's body whole, an attachment's bytes by their MD5) and never a time, whose hash would
     * depend on the session's time zone. The first column names the table, so that equal columns of two tables differ.
     */
    private static final String ORGANIZATION_HASH = hash("'organization'::text, o.id, o.name, o.psa_external_id");
    private static final String ORGANIZATION_LINK_HASH = hash("'organization'::text, o.id, o.psa_external_id");
    private static final String ITEM_HASH = hash("'item'::text, i.id, i.kind, i.name, i.psa_external_id, i.body");
    private static final String ITEM_LINK_HASH =
            "case when i.psa_external_id is not null then " + hash("'item'::text, i.id, i.psa_external_id") + " end";
    private static final String ATTACHMENT_HASH =
            hash("'attachment'::text, a.id, a.organization_id, a.item_id, a.file_name, a.content_type, md5(a.content)");
    private static final String RELATED_ITEM_HASH =
            hash("'related_item'::text, r.id, r.source_item_id, r.target_item_id, r.note");
    private static final String RMM_DEVICE_HASH =
            hash("'rmm_device'::text, d.id, d.rmm_integration_id, d.matched_configuration_id");

    private static String hash(String columns) {
        return "hash_record_extended(row(" + columns + "), 0)";
    }

    /**
     * The references to item that a chunk of a hard delete locks after its items and then deletes or unmatches by id
     * (see {@link #lockReferences}): the item delete does not look them up again (see {@link ItemDeletion}).
     */
    private static final Set<ItemDeletion.Column> CLEARED_BY_A_CHUNK = Set.of(
            new ItemDeletion.Column("attachment", "item_id"),
            new ItemDeletion.Column("related_item", "source_item_id"),
            new ItemDeletion.Column("related_item", "target_item_id"),
            new ItemDeletion.Column("rmm_device", "matched_configuration_id"));

    private final JdbcClient jdbc;
    private final DataSource dataSource;
    private final ItemDeletion itemDeletion;

    /**
     * @param dataSource              the DataSource behind {@code jdbc}, for the snapshot's COPY in the caller's transaction
     * @param setBasedReferenceChecks whether the items of a hard delete may be deleted with the foreign keys that point
     *                                at them checked once per chunk rather than per row (see {@link ItemDeletion})
     */
    public JdbcPlatformData(JdbcClient jdbc, DataSource dataSource, boolean setBasedReferenceChecks) {
        this.jdbc = jdbc;
        this.dataSource = dataSource;
        this.itemDeletion = new ItemDeletion(jdbc, setBasedReferenceChecks);
    }

    @Override
    public ImpactPreview preview(long psaIntegrationId) {
        record Organizations(long total, long preExisting) {
        }
        Organizations organizations = jdbc.sql("""
                select count(*) as total, count(*) filter (where created_at < psa_linked_at) as pre_existing
                from organization where psa_integration_id = :psa""")
                .param("psa", psaIntegrationId).query(Organizations.class).single();

        Map<String, ImpactPreview.KindCount> items = new LinkedHashMap<>();
        ImpactReport.ITEM_KINDS.forEach(kind -> items.put(kind, new ImpactPreview.KindCount(0, 0)));
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

    @Override
    public Map<Long, ScopeFingerprint> scope(long psaIntegrationId) {
        Map<Long, ScopeFingerprint> scope = new TreeMap<>();
        // Summed up per organization where the rows are: the items by one join of the scope's organizations (PostgreSQL
        // chooses how to read them, in parallel or through their index), the attachments and related items of the
        // integration's account (every row of an account carries its account_id) with the organization of each item
        // they hang on looked up by the item's id, attributed to the organization of lower id in scope, the one a
        // chunk in id order removes them with. (Joined to every item instead, PostgreSQL read the whole item table
        // twice for the related items: measured at 4,200,000 items in four accounts, 1.6 to 1.9 s of a 2.3 to 2.7 s
        // comparison, against 0.5 to 0.6 s this way; the lookups cost the account's attachments and related items, in
        // scope or not.) XOR is the fingerprints' sum: an integer aggregate, order-free, and distinct rows never cancel
        // out but by a 64-bit coincidence. "offset 0" keeps each lookup in its own subquery, run once per row: pulled up
        // into the joins, PostgreSQL ran it again whenever a hash join rechecked its key (measured at 105,500 related
        // items: 205,750 lookups of a source item's organization, and as many of a target's, 0.64 s).
        jdbc.sql("""
                with scope as materialized (
                    select o.id, o.account_id, %s as whole, %s as link from organization o where o.psa_integration_id = :psa),
                parts as (
                    select id as organization, 1::bigint as rows, whole, 1::bigint as links, link from scope
                    union all
                    select organization_id, count(*), bit_xor(whole), count(link), bit_xor(link) from (
                        select i.organization_id, %s as whole, %s as link
                        from item i join organization o on o.id = i.organization_id where o.psa_integration_id = :psa
                    ) items group by organization_id
                    union all
                    select least(own.id, of_item.id), count(*), bit_xor(attachment.whole), 0, null
                    from (select a.organization_id, %s as whole,
                                 (select i.organization_id from item i where i.id = a.item_id) as item_organization
                          from attachment a where a.account_id = (select account_id from scope limit 1) offset 0) attachment
                    left join scope own on own.id = attachment.organization_id
                    left join scope of_item on of_item.id = attachment.item_organization
                    where own.id is not null or of_item.id is not null
                    group by 1
                    union all
                    select least(of_source.id, of_target.id), count(*), bit_xor(related.whole), 0, null
                    from (select %s as whole,
                                 (select i.organization_id from item i where i.id = r.source_item_id) as source_organization,
                                 (select i.organization_id from item i where i.id = r.target_item_id) as target_organization
                          from related_item r where r.account_id = (select account_id from scope limit 1) offset 0) related
                    left join scope of_source on of_source.id = related.source_organization
                    left join scope of_target on of_target.id = related.target_organization
                    where of_source.id is not null or of_target.id is not null
                    group by 1
                    union all
                    select i.organization_id, count(*), bit_xor(%s), 0, null
                    from rmm_device d join item i on i.id = d.matched_configuration_id join scope on scope.id = i.organization_id
                    group by i.organization_id)
                select organization, sum(rows)::bigint as delete_rows, bit_xor(whole) as delete_fingerprint,
                       sum(links)::bigint as disconnect_rows, coalesce(bit_xor(link), 0) as disconnect_fingerprint
                from parts group by organization"""
                        .formatted(ORGANIZATION_HASH, ORGANIZATION_LINK_HASH, ITEM_HASH, ITEM_LINK_HASH, ATTACHMENT_HASH,
                                RELATED_ITEM_HASH, RMM_DEVICE_HASH))
                .param("psa", psaIntegrationId)
                .query((rs, n) -> scope.put(rs.getLong(1), new ScopeFingerprint(rs.getLong(2), rs.getLong(3),
                        rs.getLong(4), rs.getLong(5))))
                .list();
        return scope;
    }

    @Override
    public Map<Long, ScopeFingerprint> scopeToDisconnect(long psaIntegrationId) {
        Map<Long, ScopeFingerprint> scope = new TreeMap<>();
        jdbc.sql("""
                select o.id, 1 + count(i.id) as rows, %s # coalesce(bit_xor(%s), 0) as fingerprint
                from organization o left join item i on i.organization_id = o.id and i.psa_external_id is not null
                where o.psa_integration_id = :psa group by o.id"""
                        .formatted(ORGANIZATION_LINK_HASH, ITEM_LINK_HASH))
                .param("psa", psaIntegrationId)
                .query((rs, n) -> scope.put(rs.getLong(1), ScopeFingerprint.ofDisconnect(rs.getLong(2), rs.getLong(3))))
                .list();
        return scope;
    }

    @Override
    public Map<String, Long> exportScope(long psaIntegrationId, ScopeExport export) {
        // Joins and unions of joins, never "in (...) or in (...)": PostgreSQL hashes each side, at any size (an OR of two
        // large subqueries may be planned as a subplan run again for every row).
        String inScope = " join organization o on o.id = %s and o.psa_integration_id = " + psaIntegrationId;
        String itemsInScope = " join item i on i.id = %s" + inScope.formatted("i.organization_id");
        Map<String, String> tables = new LinkedHashMap<>();
        tables.put("organization", "select * from organization where psa_integration_id = " + psaIntegrationId + " order by id");
        tables.put("item", "select i.* from item i" + inScope.formatted("i.organization_id") + " order by i.id");
        tables.put("attachment", "select a.* from attachment a join (select a.id from attachment a"
                + inScope.formatted("a.organization_id") + " union select a.id from attachment a"
                + itemsInScope.formatted("a.item_id") + ") touched on touched.id = a.id order by a.id");
        tables.put("related_item", "select r.* from related_item r join (select r.id from related_item r"
                + itemsInScope.formatted("r.source_item_id") + " union select r.id from related_item r"
                + itemsInScope.formatted("r.target_item_id") + ") touched on touched.id = r.id order by r.id");
        tables.put("rmm_device", "select d.* from rmm_device d" + itemsInScope.formatted("d.matched_configuration_id")
                + " order by d.id");
        Map<String, Long> rows = new LinkedHashMap<>();
        Connection connection = DataSourceUtils.getConnection(dataSource);
        try {
            CopyManager copy = connection.unwrap(PGConnection.class).getCopyAPI();
            for (Map.Entry<String, String> table : tables.entrySet()) {
                rows.put(table.getKey(), copy.copyOut("copy (" + table.getValue() + ") to stdout with (format csv, header)",
                        export.entry(table.getKey())));
            }
        } catch (SQLException | IOException e) {
            throw new IllegalStateException("The scope of integration " + psaIntegrationId + " could not be exported: "
                    + e.getMessage(), e);
        } finally {
            DataSourceUtils.releaseConnection(connection, dataSource);
        }
        return rows;
    }

    private long count(String sql, long psaIntegrationId) {
        return jdbc.sql(sql).param("psa", psaIntegrationId).query(Long.class).single();
    }



    /**
     * The next organizations still synced from the PSA whose items add up to at most {@code maxRows}
     * (at least one organization, however large), looked for among the next {@code candidates}.
     */
    @Override
    public Chunk nextChunk(long psaIntegrationId, long maxRows, int candidates) {
        return nextChunk(psaIntegrationId, maxRows, candidates, "");
    }

    /** The next organizations whose synced items (what a disconnect writes) add up to at most {@code maxRows}. */
    @Override
    public Chunk nextChunkToDisconnect(long psaIntegrationId, long maxRows, int candidates) {
        return nextChunk(psaIntegrationId, maxRows, candidates, " and i.psa_external_id is not null");
    }

    private Chunk nextChunk(long psaIntegrationId, long maxRows, int candidates, String itemsWritten) {
        record Candidate(long id, long items) {
        }
        List<Candidate> next = jdbc.sql("""
                select o.id, (select count(*) from item i where i.organization_id = o.id%s) as items
                from organization o where o.psa_integration_id = :psa order by o.id limit :candidates"""
                        .formatted(itemsWritten))
                .param("psa", psaIntegrationId).param("candidates", candidates)
                .query(Candidate.class).list();
        List<Long> organizations = new ArrayList<>();
        long items = 0;
        for (Candidate candidate : next) {
            if (!organizations.isEmpty() && items + candidate.items() > maxRows) {
                break;
            }
            organizations.add(candidate.id());
            items += candidate.items();
        }
        return new Chunk(organizations, items);
    }

    @Override
    public long organizationsLeft(long psaIntegrationId) {
        return jdbc.sql("select count(*) from organization where psa_integration_id = :psa")
                .param("psa", psaIntegrationId).query(Long.class).single();
    }

    /**
     * The organizations and their items lose their PSA link and stay as stand-alone records, contents unchanged.
     *
     * @return how many organizations this call disconnected: 0 when another run did them first
     */
    @Override
    public int disconnect(long removalId, long psaIntegrationId, List<Long> organizations, ScopeGuard guard) {
        Fingerprints fingerprints = new Fingerprints();
        List<Long> scope = lockScope(psaIntegrationId, organizations, fingerprints, false);
        if (scope.isEmpty()) {
            return 0;
        }
        // The synced items, locked; no item can join the organizations while they are locked. They are written by these
        // ids: an item that gains a PSA id meanwhile (it needs no lock of its organization) is not unlinked unseen.
        List<Long> synced = new ArrayList<>();
        jdbc.sql("select i.id, i.organization_id, " + ITEM_LINK_HASH + " from item i where i.organization_id = any(:organizations)"
                        + " and i.psa_external_id is not null order by i.id for no key update")
                .param("organizations", scope.toArray(Long[]::new))
                .query((RowCallbackHandler) rs -> {
                    synced.add(rs.getLong(1));
                    fingerprints.addLink(rs.getLong(2), rs.getLong(3));
                });
        guard.check(fingerprints.ofDisconnect());
        writeById("""
                with changed as (
                    update item set psa_external_id = null where id = any(:ids) and psa_external_id is not null
                    returning kind)
                """ + COUNT_BY_KIND, removalId, synced.toArray(Long[]::new), "DISCONNECTED");
        write("""
                with changed as (
                    update organization
                    set psa_integration_id = null, psa_kind = null, psa_external_id = null, psa_linked_at = null
                    where id = any(:organizations) and psa_integration_id = :psa
                    returning 'ORGANIZATION' as kind)
                """ + COUNT_BY_KIND, removalId, psaIntegrationId, scope, "DISCONNECTED");
        return scope.size();
    }

    /**
     * Deletes the organizations and everything of theirs: related-item links from anywhere, attachments,
     * items of every kind. RMM devices matched to their configurations stay, unmatched, and are listed in
     * {@code removal_unmatched_device} for the RMM notice. The organizations deleted are recorded in
     * {@code removal_deleted_organization} under {@code scopeRound}, by the same statement that deletes them.
     *
     * @return how many organizations this call deleted: 0 when another run did them first
     */
    @Override
    public int hardDelete(long removalId, int scopeRound, long psaIntegrationId, List<Long> organizations,
            ScopeGuard guard) {
        Fingerprints fingerprints = new Fingerprints();
        List<Long> scope = lockScope(psaIntegrationId, organizations, fingerprints, true);
        if (scope.isEmpty()) {
            return 0;
        }
        // The chunk's items, read once and locked: none can join these organizations while they are locked, and none
        // can leave them (an item moved meanwhile is re-read, found elsewhere and left alone) or gain a reference.
        Map<Long, Long> organizationOfItem = new HashMap<>();
        jdbc.sql("select i.id, i.organization_id, " + ITEM_HASH + ", " + ITEM_LINK_HASH
                        + " from item i where i.organization_id = any(:organizations) order by i.id for update")
                .param("organizations", scope.toArray(Long[]::new))
                .query((RowCallbackHandler) rs -> {
                    organizationOfItem.put(rs.getLong(1), rs.getLong(2));
                    fingerprints.add(rs.getLong(2), rs.getLong(3));
                    if (rs.getObject(4) != null) {
                        fingerprints.addLink(rs.getLong(2), rs.getLong(4));
                    }
                });
        Long[] items = organizationOfItem.keySet().stream().sorted().toArray(Long[]::new);
        Locked locked = lockReferences(Set.copyOf(scope), organizationOfItem, items, fingerprints);
        guard.check(fingerprints.ofDelete());
        // The rows hanging on the chunk, by the ids locked above: none can be added, re-pointed or removed meanwhile.
        jdbc.sql("""
                insert into removal_unmatched_device (removal_id, rmm_device_id, rmm_integration_id, external_id,
                                                      hostname, former_configuration_id)
                select :removal, d.id, d.rmm_integration_id, d.external_id, d.hostname, d.matched_configuration_id
                from rmm_device d
                where d.id = any(:devices)
                on conflict (removal_id, rmm_device_id) do nothing""")
                .param("removal", removalId).param("devices", locked.devices()).update();
        writeById("""
                with changed as (
                    update rmm_device set matched_configuration_id = null, matched_kind = null, matched_at = null
                    where id = any(:ids)
                    returning 'RMM_DEVICE' as kind)
                """ + COUNT_BY_KIND, removalId, locked.devices(), "UNMATCHED");
        writeById("""
                with changed as (delete from related_item where id = any(:ids) returning 'RELATED_ITEM' as kind)
                """ + COUNT_BY_KIND, removalId, locked.relatedItems(), "DELETED");
        writeById("""
                with changed as (delete from attachment where id = any(:ids) returning 'ATTACHMENT' as kind)
                """ + COUNT_BY_KIND, removalId, locked.attachments(), "DELETED");
        count(removalId, "DELETED", itemDeletion.delete(items, CLEARED_BY_A_CHUNK));
        // Each organization deleted is recorded with the scope round it was deleted under: what a restore takes back.
        jdbc.sql("""
                with deleted as (
                    delete from organization where id = any(:organizations) and psa_integration_id = :psa
                    returning id),
                recorded as (
                    insert into removal_deleted_organization (removal_id, organization_id, scope_round)
                    select :removal, id, :round from deleted),
                changed as (select 'ORGANIZATION' as kind from deleted)
                """ + COUNT_BY_KIND)
                .param("removal", removalId).param("psa", psaIntegrationId).param("action", "DELETED")
                .param("organizations", scope.toArray(Long[]::new)).param("round", scopeRound).update();
        return scope.size();
    }

    /**
     * The given organizations that are still synced from this PSA, whatever ids a caller passes, locked until
     * the chunk's transaction ends (FOR UPDATE: no row can be added that points at them meanwhile). A second run of
     * the same chunk (a job taken over after its lock expired) waits here and then finds only what the first left, so
     * each organization is written and counted once.
     */
    private List<Long> lockScope(long psaIntegrationId, List<Long> organizations, Fingerprints fingerprints,
            boolean whole) {
        return jdbc.sql("select o.id, " + (whole ? ORGANIZATION_HASH : "null") + ", " + ORGANIZATION_LINK_HASH
                        + " from organization o where o.id = any(:organizations) and o.psa_integration_id = :psa"
                        + " order by o.id for update")
                .param("organizations", organizations.toArray(Long[]::new)).param("psa", psaIntegrationId)
                .query((rs, n) -> {
                    long organization = rs.getLong(1);
                    if (whole) {
                        fingerprints.add(organization, rs.getLong(2));
                    }
                    fingerprints.addLink(organization, rs.getLong(3));
                    return organization;
                }).list();
    }

    /**
     * Locks the chunk's attachments, related items and matched RMM devices, and adds them to the fingerprints of their
     * organizations: a row that hangs on two organizations of the scope counts with the one of lower id, as in
     * {@link #scope}. A chunk is the lowest organizations left in id order, so the other one is in the chunk too.
     */
    private Locked lockReferences(Set<Long> organizations, Map<Long, Long> organizationOfItem, Long[] items,
            Fingerprints fingerprints) {
        Long[] organizationIds = organizations.toArray(Long[]::new);
        List<Long> attachments = new ArrayList<>();
        jdbc.sql("select a.id, a.organization_id, a.item_id, " + ATTACHMENT_HASH + " from attachment a"
                        + " where a.organization_id = any(:organizations) or a.item_id = any(:items) for update")
                .param("organizations", organizationIds).param("items", items)
                .query((RowCallbackHandler) rs -> {
                    attachments.add(rs.getLong(1));
                    Long own = organizations.contains(rs.getLong(2)) ? rs.getLong(2) : null;
                    Long ofItem = organizationOfItem.get(rs.getObject(3) == null ? null : rs.getLong(3));
                    fingerprints.add(lower(own, ofItem), rs.getLong(4));
                });
        List<Long> related = new ArrayList<>();
        jdbc.sql("select r.id, r.source_item_id, r.target_item_id, " + RELATED_ITEM_HASH + " from related_item r"
                        + " where r.source_item_id = any(:items) or r.target_item_id = any(:items) for update")
                .param("items", items)
                .query((RowCallbackHandler) rs -> {
                    related.add(rs.getLong(1));
                    fingerprints.add(lower(organizationOfItem.get(rs.getLong(2)), organizationOfItem.get(rs.getLong(3))),
                            rs.getLong(4));
                });
        List<Long> devices = new ArrayList<>();
        jdbc.sql("select d.id, d.matched_configuration_id, " + RMM_DEVICE_HASH + " from rmm_device d"
                        + " where d.matched_configuration_id = any(:items) for update")
                .param("items", items)
                .query((RowCallbackHandler) rs -> {
                    devices.add(rs.getLong(1));
                    fingerprints.add(organizationOfItem.get(rs.getLong(2)), rs.getLong(3));
                });
        return new Locked(attachments.toArray(Long[]::new), related.toArray(Long[]::new), devices.toArray(Long[]::new));
    }

    /** The ids of a chunk's rows that hang on its organizations and items, locked for the chunk's transaction. */
    private record Locked(Long[] attachments, Long[] relatedItems, Long[] devices) {
    }

    private void writeById(String sql, long removalId, Long[] ids, String action) {
        if (ids.length > 0) {
            jdbc.sql(sql).param("removal", removalId).param("action", action).param("ids", ids).update();
        }
    }

    private static long lower(Long one, Long other) {
        return one == null ? other : other == null ? one : Math.min(one, other);
    }

    /** A chunk's fingerprints, summed up (XOR, as in {@link #scope}) row by row as they are locked. */
    private static final class Fingerprints {

        private final Map<Long, long[]> rows = new TreeMap<>();
        private final Map<Long, long[]> sums = new TreeMap<>();

        void add(long organization, long hash) {
            sum(organization, 0, hash);
        }

        void addLink(long organization, long hash) {
            sum(organization, 1, hash);
        }

        private void sum(long organization, int which, long hash) {
            rows.computeIfAbsent(organization, o -> new long[2])[which]++;
            sums.computeIfAbsent(organization, o -> new long[2])[which] ^= hash;
        }

        Map<Long, ScopeFingerprint> ofDelete() {
            return rows.keySet().stream().collect(Collectors.toMap(o -> o, o -> new ScopeFingerprint(rows.get(o)[0],
                    sums.get(o)[0], rows.get(o)[1], sums.get(o)[1]), (a, b) -> a, TreeMap::new));
        }

        Map<Long, ScopeFingerprint> ofDisconnect() {
            return rows.keySet().stream().collect(Collectors.toMap(o -> o,
                    o -> ScopeFingerprint.ofDisconnect(rows.get(o)[1], sums.get(o)[1]), (a, b) -> a, TreeMap::new));
        }
    }

    /** Out of sight: listed in {@code pending_deletion}, which the {@code listed_*} views and a trigger read (V17). */
    @Override
    public boolean hidesPendingDeletions() {
        return true;
    }

    @Override
    public int moveOutOfSight(long removalId, long psaIntegrationId) {
        jdbc.sql("""
                insert into pending_deletion (organization_id, account_id, removal_id)
                select o.id, o.account_id, :removal from organization o where o.psa_integration_id = :psa
                on conflict (organization_id) do nothing""")
                .param("removal", removalId).param("psa", psaIntegrationId).update();
        return organizationsOutOfSight(removalId);
    }

    @Override
    public int organizationsOutOfSight(long removalId) {
        return jdbc.sql("select count(*) from pending_deletion where removal_id = :removal").param("removal", removalId)
                .query(Integer.class).single();
    }

    @Override
    public void bringBackInSight(long removalId) {
        jdbc.sql("delete from pending_deletion where removal_id = :removal").param("removal", removalId).update();
    }

    @Override
    public long unmatchedDevices(long removalId) {
        return jdbc.sql("select count(*) from removal_unmatched_device where removal_id = :removal")
                .param("removal", removalId).query(Long.class).single();
    }

    private void write(String sql, long removalId, long psaIntegrationId, List<Long> organizations, String action) {
        jdbc.sql(sql).param("removal", removalId).param("psa", psaIntegrationId).param("action", action)
                .param("organizations", organizations.toArray(Long[]::new)).update();
    }

    private void count(long removalId, String action, Map<String, Long> rowsByKind) {
        jdbc.sql("""
                insert into removal_count (removal_id, action, kind, rows)
                select :removal, :action, kind, rows from unnest(:kinds::text[], :rows::bigint[]) as counted(kind, rows)"""
                        + ADDED_TO_THE_COUNT)
                .param("removal", removalId).param("action", action)
                .param("kinds", rowsByKind.keySet().toArray(String[]::new))
                .param("rows", rowsByKind.values().toArray(Long[]::new)).update();
    }
}
