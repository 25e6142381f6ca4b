package io.psaremoval.restore;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.psaremoval.backup.Sha256;
import io.psaremoval.backup.SnapshotStore;
import io.psaremoval.removal.ScopeSnapshots;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.stereotype.Component;

/**
 * Reads what a removal deleted back into the database, in the caller's transaction: each snapshot it deleted under is
 * checked against the SHA-256 recorded when it was taken, every table against its manifest while it is streamed with
 * PostgreSQL's {@code COPY} into a temporary table of the live table's shape ({@code load_organization}, ...); of it,
 * the organizations deleted under that snapshot's round ({@code removal_deleted_organization}) and the rows hanging on
 * them are staged ({@code restore_organization}, ...), and the staged rows are checked against the account (another
 * account's rows, ids that are live again, links to items that are gone). {@link #write} then recreates every row with
 * its id, children after parents, and matches again the RMM devices that are still unmatched. Nothing is written to a
 * live table unless every check passed.
 */
@Component
class SnapshotRestorer {

    /** The snapshot's tables, parents first: the order of the writes. */
    static final List<String> TABLES = List.of("organization", "item", "attachment", "related_item", "rmm_device");
    private static final List<String> RECREATED = TABLES.subList(0, 4);

    /** What the restore takes back, staged: rows per table, from the verified snapshots of the rounds it deleted under. */
    record Staged(Map<String, Long> rows, long psaIntegrationId, List<Round> rounds) {
    }

    /** One round's snapshot as verified, and how many organizations were deleted under that round. */
    record Round(int scopeRound, long snapshotId, String takenAt, String sha256, long organizations) {
    }

    /** A device matched again: for the RMM notice. */
    record Rematched(long rmmDeviceId, long rmmIntegrationId, String externalId, String hostname, long configurationId) {
    }

    private final JdbcClient jdbc;
    private final DataSource dataSource;
    private final SnapshotStore store;
    private final ObjectMapper json = new ObjectMapper();

    SnapshotRestorer(JdbcClient jdbc, DataSource dataSource, SnapshotStore store) {
        this.jdbc = jdbc;
        this.dataSource = dataSource;
        this.store = store;
    }

    /**
     * Stages what the removal deleted: from each round's snapshot (newest round first), streamed and verified into the
     * temporary tables {@code load_*}, the rows of the organizations deleted under that round, and the rows hanging on
     * them, go to {@code restore_*}; a row already taken from a newer round is not taken again. For a delete that
     * finished under one round, that is the whole snapshot.
     *
     * @param snapshots the removal's snapshots it deleted under, newest round first
     * @throws RestoreRefusedException when a file or a table is not what was recorded, a snapshot is of another account
     *                                 or integration, or a round's snapshot is no longer kept
     */
    Staged stage(List<RestoreRepository.StoredSnapshot> snapshots, long accountId, long psaIntegrationId, long removalId) {
        for (String table : TABLES) {
            for (String prefix : List.of("restore_", "load_")) {
                jdbc.sql("create temporary table if not exists " + prefix + table + " (like " + table + ") on commit drop")
                        .update();
                jdbc.sql("truncate " + prefix + table).update();
            }
        }
        if (snapshots.isEmpty()) {
            throw new RestoreRefusedException("Removal " + removalId + " recorded no organization it deleted: there is"
                    + " nothing to restore. Nothing was restored.");
        }
        // A delete that finished under one round deleted everything its snapshot holds: streamed straight into restore_*.
        RestoreRepository.StoredSnapshot newest = snapshots.get(0);
        long onlyRoundDeleted = deletedUnder(removalId, newest.scopeRound());
        boolean whole = snapshots.size() == 1 && onlyRoundDeleted == jdbc.sql(
                "select organizations from removal_scope_round where removal_id = :removal and round = :round")
                .param("removal", removalId).param("round", newest.scopeRound()).query(Long.class).single();
        List<Round> rounds = new ArrayList<>();
        for (RestoreRepository.StoredSnapshot snapshot : snapshots) {
            if (snapshot.id() == null || snapshot.location() == null) {
                throw new RestoreRefusedException("The snapshot of round " + snapshot.scopeRound() + " of the removal's"
                        + " scope, under which it deleted data, was removed after its retention: what it deleted cannot"
                        + " be restored whole. Nothing was restored.");
            }
            Loaded loaded = load(snapshot, accountId, psaIntegrationId, whole ? "restore_" : "load_");
            long organizations = whole ? onlyRoundDeleted : takeWhatWasDeletedUnder(removalId, snapshot);
            rounds.add(new Round(snapshot.scopeRound(), snapshot.id(), loaded.takenAt(), loaded.sha256(), organizations));
        }
        Map<String, Long> rows = new LinkedHashMap<>();
        for (String table : TABLES) {
            // Temporary tables get no statistics by themselves: without them the checks' anti-joins are planned as
            // nested loops over hundreds of thousands of rows.
            jdbc.sql("analyze restore_" + table).update();
            rows.put(table, jdbc.sql("select count(*) from restore_" + table).query(Long.class).single());
        }
        long deleted = jdbc.sql("select count(*) from removal_deleted_organization where removal_id = :removal")
                .param("removal", removalId).query(Long.class).single();
        if (rows.get("organization").longValue() != deleted) {
            throw new RestoreRefusedException("The snapshots hold " + rows.get("organization") + " of the " + deleted
                    + " organizations the removal deleted: it cannot be restored whole. Nothing was restored.");
        }
        return new Staged(rows, psaIntegrationId, List.copyOf(rounds));
    }

    private long deletedUnder(long removalId, int round) {
        return jdbc.sql("select count(*) from removal_deleted_organization where removal_id = :removal and scope_round = :round")
                .param("removal", removalId).param("round", round).query(Long.class).single();
    }

    /**
     * Moves from {@code load_*} to {@code restore_*} the rows of the organizations the removal deleted under this round:
     * the organizations, their items, the attachments and related items that hang on them, the devices matched to
     * their configurations; a row staged from a newer round before stays as it is. Each condition is a join or a
     * semi-join over a small indexed table of the round's organizations and items (an OR of subqueries would be
     * planned as a subplan per row).
     *
     * @return how many organizations were deleted under the round, every one of them found in its snapshot
     */
    private long takeWhatWasDeletedUnder(long removalId, RestoreRepository.StoredSnapshot snapshot) {
        for (String table : List.of("restore_deleted_organization", "restore_deleted_item")) {
            jdbc.sql("create temporary table if not exists " + table + " (id bigint primary key) on commit drop").update();
            jdbc.sql("truncate " + table).update();
        }
        long recorded = jdbc.sql("""
                insert into restore_deleted_organization
                select organization_id from removal_deleted_organization where removal_id = :removal and scope_round = :round""")
                .param("removal", removalId).param("round", snapshot.scopeRound()).update();
        jdbc.sql("""
                insert into restore_deleted_item
                select l.id from load_item l join restore_deleted_organization d on d.id = l.organization_id""").update();
        for (String table : List.of("restore_deleted_organization", "restore_deleted_item", "load_organization",
                "load_item", "load_attachment", "load_related_item", "load_rmm_device")) {
            jdbc.sql("analyze " + table).update();
        }
        long found = stageFromTheRound("organization", "select id from restore_deleted_organization");
        if (found != recorded) {
            throw new RestoreRefusedException("The snapshot of round " + snapshot.scopeRound() + " holds " + found + " of the "
                    + recorded + " organizations the removal deleted under that round: it cannot be restored whole."
                    + " Nothing was restored.");
        }
        stageFromTheRound("item", "select id from restore_deleted_item");
        stageFromTheRound("attachment", """
                select a.id from load_attachment a join restore_deleted_organization d on d.id = a.organization_id
                union
                select a.id from load_attachment a join restore_deleted_item i on i.id = a.item_id""");
        stageFromTheRound("related_item", """
                select r.id from load_related_item r join restore_deleted_item i on i.id = r.source_item_id
                union
                select r.id from load_related_item r join restore_deleted_item i on i.id = r.target_item_id""");
        stageFromTheRound("rmm_device", """
                select m.id from load_rmm_device m join restore_deleted_item i on i.id = m.matched_configuration_id""");
        return recorded;
    }

    /** Stages the rows of the table that the ids select from the round's snapshot, less those staged from a newer round. */
    private long stageFromTheRound(String table, String ids) {
        return jdbc.sql("insert into restore_" + table + " select l.* from load_" + table + " l where l.id in (" + ids + ")"
                + " and not exists (select 1 from restore_" + table + " s where s.id = l.id)").update();
    }

    /** What one snapshot's file was, as read and verified. */
    private record Loaded(String takenAt, String sha256) {
    }

    /** Streams one stored snapshot into the temporary tables of the prefix ({@code load_}, ...), verifying as it reads. */
    private Loaded load(RestoreRepository.StoredSnapshot snapshot, long accountId, long psaIntegrationId, String prefix) {
        for (String table : TABLES) {
            jdbc.sql("truncate " + prefix + table).update();
        }
        // First the whole file against the checksum recorded when it was taken: damage of any kind is told as such.
        String fileSha256 = sha256Of(snapshot);
        if (!fileSha256.equals(snapshot.sha256())) {
            throw new RestoreRefusedException("Snapshot " + snapshot.id() + " does not match its checksum: its SHA-256 is "
                    + fileSha256 + ", not the " + snapshot.sha256() + " recorded when it was taken and verified, so it was"
                    + " changed or damaged since. Nothing was restored.");
        }
        Map<String, Long> rows = new LinkedHashMap<>();
        Map<String, String> sha256 = new LinkedHashMap<>();
        JsonNode manifest = null;
        MessageDigest whole = Sha256.digest();
        Connection connection = DataSourceUtils.getConnection(dataSource);
        try (InputStream stored = store.open(snapshot.location());
             DigestInputStream digested = new DigestInputStream(stored, whole);
             ZipInputStream zip = new ZipInputStream(digested)) {
            CopyManager copy = connection.unwrap(PGConnection.class).getCopyAPI();
            for (ZipEntry entry = zip.getNextEntry(); entry != null; entry = zip.getNextEntry()) {
                if (entry.getName().equals("manifest.json")) {
                    manifest = json.readTree(zip.readAllBytes());
                    continue;
                }
                String table = entry.getName().replaceFirst("\\.csv$", "");
                if (!TABLES.contains(table) || rows.containsKey(table)) {
                    throw corrupted(snapshot, "it holds an entry it should not (" + entry.getName() + ")");
                }
                MessageDigest sha = Sha256.digest();
                // header match: the file's columns must be the table's, by name and order (a schema migrated since fails).
                rows.put(table, copy.copyIn("copy " + prefix + table + " from stdin with (format csv, header match)",
                        new DigestInputStream(unclosable(zip), sha)));
                sha256.put(table, Sha256.hex(sha));
            }
            digested.transferTo(OutputStream.nullOutputStream());
        } catch (IOException | IllegalArgumentException e) {
            throw corrupted(snapshot, "it could not be read (" + e.getMessage() + ")");
        } catch (SQLException e) {
            throw corrupted(snapshot, "a table of it could not be read back into the database (" + firstLine(e) + ")");
        } finally {
            DataSourceUtils.releaseConnection(connection, dataSource);
        }
        if (!Sha256.hex(whole).equals(fileSha256)) {
            throw corrupted(snapshot, "it changed while it was read");
        }
        if (manifest == null || !ScopeSnapshots.FORMAT.equals(manifest.path("format").asText())) {
            throw corrupted(snapshot, "its manifest is missing or of another format");
        }
        if (manifest.path("accountId").asLong(-1) != accountId || manifest.path("psaIntegrationId").asLong(-1) != psaIntegrationId) {
            throw corrupted(snapshot, "its manifest names another account or integration");
        }
        if (manifest.path("scopeRound").asInt(-1) != snapshot.scopeRound()) {
            throw corrupted(snapshot, "its manifest names another round of the removal's scope");
        }
        if (manifest.path("tables").size() != TABLES.size() || !rows.keySet().containsAll(TABLES)) {
            throw corrupted(snapshot, "it does not hold the tables its manifest lists");
        }
        ScopeSnapshots.tableNotAsManifestSays(manifest, rows, sha256).ifPresent(table -> {
            throw corrupted(snapshot, "table " + table + " is not what its manifest says");
        });
        return new Loaded(manifest.path("takenAt").asText(), fileSha256);
    }

    /**
     * Why the staged rows cannot be recreated in the account now, in words; null when they can. Asked in the
     * inspection's rolled-back transaction and again in the write's, after the records of the removal's snapshots are
     * locked.
     */
    String whyNotRestorable(Staged staged, long accountId) {
        for (String table : TABLES) {
            long foreign = count("select count(*) from restore_" + table + " where account_id <> :account", accountId);
            if (foreign > 0) {
                return "The snapshot holds " + foreign + " rows of table " + table + " of another account. Nothing was restored.";
            }
        }
        if (count("select count(*) from restore_organization where psa_integration_id is distinct from "
                + staged.psaIntegrationId(), accountId) > 0) {
            return "The snapshot holds organizations of another integration. Nothing was restored.";
        }
        String integration = jdbc.sql("select status from integration where id = " + staged.psaIntegrationId()
                + " and account_id = :account and kind = 'PSA' for update").param("account", accountId)
                .query(String.class).optional().orElse(null);
        if (integration == null) {
            return "The snapshot's PSA integration is no longer in your account. Nothing was restored.";
        }
        if (integration.equals("DISCONNECTED")) {
            return "The snapshot's PSA integration was disconnected since: its organizations are stand-alone records now,"
                    + " and what the removal deleted would come back synced from an integration that no longer syncs."
                    + " Nothing was restored.";
        }
        if (!List.of("DELETED", "PAUSED", "ACTIVE").contains(integration)) {
            return "The snapshot's PSA integration is " + integration.toLowerCase(Locale.ROOT) + " now (another removal"
                    + " of it is under way): restore once that has ended. Nothing was restored.";
        }
        List<String> collisions = new ArrayList<>();
        for (String table : RECREATED) {
            long live = count("select count(*) from restore_" + table + " s join " + table + " t on t.id = s.id", accountId);
            if (live > 0) {
                collisions.add(live + " " + noun(table, live));
            }
        }
        long sameExternalId = count("""
                select count(*) from restore_organization s join organization o
                    on o.psa_integration_id = s.psa_integration_id and o.psa_external_id = s.psa_external_id and o.id <> s.id""",
                accountId);
        if (sameExternalId > 0) {
            collisions.add(sameExternalId + " " + noun("organization", sameExternalId) + " synced again from the PSA since");
        }
        if (!collisions.isEmpty()) {
            return "Restoring would collide with live data: " + String.join(", ", collisions) + " of the snapshot exist in"
                    + " your account already (restored before, or synced again since). Nothing was restored.";
        }
        // Each check a plain anti-join (an OR of NOT EXISTS would be run again for every row).
        long orphans = count("""
                select count(*) from restore_attachment s
                where not exists (select 1 from restore_organization o where o.id = s.organization_id)
                  and not exists (select 1 from organization o where o.id = s.organization_id)""", accountId)
                + count("""
                select count(*) from restore_attachment s
                where s.item_id is not null
                  and not exists (select 1 from restore_item i where i.id = s.item_id)
                  and not exists (select 1 from item i where i.id = s.item_id)""", accountId);
        if (orphans > 0) {
            return orphans + " attachments of the snapshot belong to organizations or items that no longer exist in your"
                    + " account (deleted since the snapshot was taken). Nothing was restored.";
        }
        long dangling = count("""
                select count(*) from restore_related_item s
                where not exists (select 1 from restore_item i where i.id = s.source_item_id)
                  and not exists (select 1 from item i where i.id = s.source_item_id)""", accountId)
                + count("""
                select count(*) from restore_related_item s
                where not exists (select 1 from restore_item i where i.id = s.target_item_id)
                  and not exists (select 1 from item i where i.id = s.target_item_id)""", accountId);
        if (dangling > 0) {
            return dangling + " related " + (dangling == 1 ? "item links" : "items link") + " to items that no longer exist"
                    + " in your account (deleted since the snapshot was taken). Nothing was restored.";
        }
        return null;
    }

    /** How many devices of the snapshot are unmatched now (matched again by a restore) and how many matched elsewhere. */
    record Devices(long toRematch, long matchedElsewhere) {
    }

    Devices devices(long accountId) {
        return jdbc.sql("""
                select count(*) filter (where d.matched_configuration_id is null) as to_rematch,
                       count(*) filter (where d.matched_configuration_id is not null
                                        and d.matched_configuration_id <> s.matched_configuration_id) as matched_elsewhere
                from restore_rmm_device s join rmm_device d on d.id = s.id and d.account_id = :account""")
                .param("account", accountId).query(Devices.class).single();
    }

    /** Recreates every staged row with its id, parents first, and matches again the devices that are still unmatched. */
    List<Rematched> write(long accountId) {
        for (String table : RECREATED) {
            jdbc.sql("insert into " + table + " overriding system value select * from restore_" + table).update();
        }
        return jdbc.sql("""
                update rmm_device d set matched_configuration_id = s.matched_configuration_id, matched_kind = s.matched_kind,
                                        matched_at = s.matched_at
                from restore_rmm_device s
                where d.id = s.id and d.account_id = :account and d.matched_configuration_id is null
                  and s.matched_configuration_id is not null
                returning d.id, d.rmm_integration_id, d.external_id, d.hostname, d.matched_configuration_id""")
                .param("account", accountId)
                .query((rs, n) -> new Rematched(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getString(4), rs.getLong(5)))
                .list();
    }

    private long count(String sql, long accountId) {
        return jdbc.sql(sql).param("account", accountId).query(Long.class).single();
    }

    static String noun(String table, long count) {
        String noun = switch (table) {
            case "organization" -> "organization";
            case "item" -> "item";
            case "attachment" -> "attachment";
            case "related_item" -> "related item";
            default -> "RMM device";
        };
        return count == 1 ? noun : noun + "s";
    }

    private static RestoreRefusedException corrupted(RestoreRepository.StoredSnapshot snapshot, String why) {
        return new RestoreRefusedException("Snapshot " + snapshot.id() + " cannot be restored: " + why
                + ". Nothing was restored.");
    }

    private static String firstLine(SQLException e) {
        String message = String.valueOf(e.getMessage());
        int end = message.indexOf('\n');
        return (end < 0 ? message : message.substring(0, end)).toLowerCase(Locale.ROOT).startsWith("error: ")
                ? (end < 0 ? message : message.substring(0, end)).substring(7) : (end < 0 ? message : message.substring(0, end));
    }

    private String sha256Of(RestoreRepository.StoredSnapshot snapshot) {
        MessageDigest whole = Sha256.digest();
        try (InputStream stored = store.open(snapshot.location());
             DigestInputStream digested = new DigestInputStream(stored, whole)) {
            digested.transferTo(OutputStream.nullOutputStream());
        } catch (IOException | IllegalArgumentException e) {
            throw corrupted(snapshot, "it could not be read (" + e.getMessage() + ")");
        }
        return Sha256.hex(whole);
    }

    private static InputStream unclosable(InputStream in) {
        return new FilterInputStream(in) {
            @Override
            public void close() {
                // the zip entry ends by itself; the zip is closed by its owner
            }
        };
    }
}
