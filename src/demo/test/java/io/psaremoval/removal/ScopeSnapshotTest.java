package io.psaremoval.removal;

import static org.assertj.core.api.Assertions.assertThat;

import io.psaremoval.PlatformTest;
import io.psaremoval.backup.BackupService;
import io.psaremoval.backup.SnapshotRetention;
import io.psaremoval.test.GeneratedAccount;
import io.psaremoval.test.PlatformFixtures;
import io.psaremoval.test.RemovalDriver;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import javax.sql.DataSource;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The verified snapshot a hard delete starts from, on PostgreSQL: it holds exactly the rows in scope (read back into
 * PostgreSQL and compared), it is of one instant while a writer changes the account, it is owner-only, it counts as a
 * backup of its own removal only, and the retention job removes it (and what a crash left) with a record.
 */
@PlatformTest
class ScopeSnapshotTest {

    @Autowired
    PlatformFixtures fixtures;
    @Autowired
    RemovalDriver driver;
    @Autowired
    JdbcClient jdbc;
    @Autowired
    ProcessEngine engine;
    @Autowired
    PlatformData platformData;
    @Autowired
    ScopeSnapshots snapshots;
    @Autowired
    BackupService backups;
    @Autowired
    SnapshotRetention retention;
    @Autowired
    DataSource dataSource;

    /** Every table of the snapshot, loaded back into PostgreSQL, equals the rows in scope, column by column. */
    @Test
    void theSnapshotHoldsExactlyTheRowsInScope() throws Exception {
        GeneratedAccount account = fixtures.create();
        GeneratedAccount other = fixtures.create();
        ProcessInstance removal = driver.decide(account, RemovalMode.DELETE);
        job(removal, "Task_TakeScopeSnapshot");
        String location = snapshotLocation(removal);

        Map<String, byte[]> entries = entries(location);
        assertThat(entries).containsOnlyKeys("organization.csv", "item.csv", "attachment.csv", "related_item.csv",
                "rmm_device.csv", "manifest.json");
        assertThat(new String(entries.get("manifest.json"))).contains("\"format\" : \"" + ScopeSnapshots.FORMAT + "\"")
                .contains("\"scopeRound\" : 1").contains("\"takenAt\"");
        Map<String, String> inScope = new LinkedHashMap<>();
        String organizations = "select id from organization where psa_integration_id = " + account.psaIntegrationId();
        String items = "select id from item where organization_id in (" + organizations + ")";
        inScope.put("organization", "select * from organization where id in (" + organizations + ")");
        inScope.put("item", "select * from item where id in (" + items + ")");
        inScope.put("attachment", "select * from attachment where organization_id in (" + organizations
                + ") or item_id in (" + items + ")");
        inScope.put("related_item", "select * from related_item where source_item_id in (" + items
                + ") or target_item_id in (" + items + ")");
        inScope.put("rmm_device", "select * from rmm_device where matched_configuration_id in (" + items + ")");
        for (Map.Entry<String, String> table : inScope.entrySet()) {
            String name = table.getKey();
            assertThat(readBack(name, entries.get(name + ".csv"))).as(name + ", read back into PostgreSQL")
                    .isEqualTo(checksum("(" + table.getValue() + ")"))
                    .isNotEqualTo(checksum("(select * from " + name + " where false)"));
        }
        // Organizations are named after their account: this account's are in it, the other's not.
        String organizationsCsv = new String(entries.get("organization.csv"));
        assertThat(organizationsCsv).as("this account's organizations are in it").contains(jdbc.sql(
                "select min(name) from organization where psa_integration_id = :psa")
                .param("psa", account.psaIntegrationId()).query(String.class).single());
        assertThat(organizationsCsv).as("another account's rows are not in it").doesNotContain(jdbc.sql(
                "select min(name) from organization where account_id = :a").param("a", other.accountId())
                .query(String.class).single());

        Path file = Path.of(location);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent()))).isEqualTo("rwx------");
    }

    /**
     * A writer adds, in each of its transactions, an item and a link to it; the snapshot's transaction sees all of a
     * writer's transaction or none of it, as of one instant: as many added items as links to them, in every export.
     */
    @Test
    void aSnapshotTakenWhileAWriterChangesTheAccountIsOfOneInstant() throws Exception {
        GeneratedAccount account = fixtures.create();
        long organization = jdbc.sql("select min(id) from organization where psa_integration_id = :psa")
                .param("psa", account.psaIntegrationId()).query(Long.class).single();
        long anchor = jdbc.sql("select min(id) from item where organization_id = :o").param("o", organization)
                .query(Long.class).single();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger pairs = new AtomicInteger();
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            while (!stop.get()) {
                jdbc.sql("""
                        with added as (
                            insert into item (account_id, organization_id, kind, name, body)
                            values (:a, :o, 'DOCUMENT', 'Paired ' || :n, 'x') returning id)
                        insert into related_item (account_id, source_item_id, target_item_id, note)
                        select :a, :anchor, id, 'pair' from added""")
                        .param("a", account.accountId()).param("o", organization).param("anchor", anchor)
                        .param("n", pairs.incrementAndGet()).update();
            }
        });
        try {
            for (int export = 0; export < 5; export++) {
                Map<String, ByteArrayOutputStream> written = new LinkedHashMap<>();
                Map<String, Long> rows = snapshots.inOneInstant(() -> platformData.exportScope(account.psaIntegrationId(),
                        table -> written.computeIfAbsent(table, t -> new ByteArrayOutputStream())));
                long pairedItems = written.get("item").toString().lines().filter(line -> line.contains("Paired ")).count();
                long links = written.get("related_item").toString().lines().filter(line -> line.endsWith(",pair")
                        || line.contains(",pair,")).count();
                assertThat(links).as("export %d: links to the added items, against the items (%s rows)", export, rows)
                        .isEqualTo(pairedItems);
            }
        } finally {
            stop.set(true);
            writer.get();
        }
        assertThat(pairs.get()).as("the writer wrote while the exports ran").isPositive();
    }

    /** The snapshot is a backup of its own removal: another removal of the account does not count it. */
    @Test
    void aSnapshotCountsAsTheRecentBackupOfItsOwnRemovalOnly() {
        GeneratedAccount account = fixtures.create(PlatformFixtures.smallAccount().withLastBackupAge(java.time.Duration.ofDays(30)));
        ProcessInstance removal = driver.start(fixtures.username(account, io.psaremoval.account.Role.MANAGER));
        long removalId = removalId(removal);
        long otherRemoval = jdbc.sql("""
                insert into removal (process_instance_id, business_key, requested_by, requester_role, account_id)
                values (:id, :id, 'someone', 'MANAGER', :a) returning id""")
                .param("id", "another-" + System.nanoTime()).param("a", account.accountId()).query(Long.class).single();
        jdbc.sql("""
                insert into removal_scope_round (removal_id, round, organizations, delete_checksum, disconnect_checksum)
                values (:id, 1, 0, 'x', 'x')""").param("id", removalId).update();
        backups.recordSnapshot(new BackupService.SnapshotRecord(account.accountId(), removalId, 1, "someone",
                "/nowhere/removal-x.zip", 1, "ab", java.time.OffsetDateTime.now(), java.time.OffsetDateTime.now(),
                java.time.OffsetDateTime.now().plusDays(30), "test"));

        assertThat(backups.recent(account.accountId(), removalId, java.time.Duration.ofDays(1)))
                .map(io.psaremoval.backup.Backup::kind).hasValue("SCOPE_SNAPSHOT");
        assertThat(backups.recent(account.accountId(), otherRemoval, java.time.Duration.ofDays(1))).isEmpty();
        engine.getRuntimeService().deleteProcessInstance(removal.getId(), "test over");
    }

    /**
     * Past its retention the snapshot's file is deleted and its record says when and by what, which the audit shows;
     * a draft a crash left, and a file no record knows, go too once they are as old.
     */
    @Test
    void theRetentionJobRemovesExpiredSnapshotsAndLeftoversWithARecord() throws Exception {
        GeneratedAccount account = fixtures.create();
        ProcessInstance removal = driver.decide(account, RemovalMode.DELETE);
        job(removal, "Task_TakeScopeSnapshot");
        Path file = Path.of(snapshotLocation(removal));
        Path draft = file.resolveSibling(".removal-0-round-1-0badc0de.partial");
        Path unknown = file.resolveSibling("removal-0-round-1-deadbeef.zip");
        Path notASnapshot = file.resolveSibling("account-1-removal-1.zip");
        Files.writeString(draft, "a crash left this");
        Files.writeString(unknown, "committed, never recorded");
        Files.writeString(notASnapshot, "someone else's file in a shared folder");
        FileTime old = FileTime.from(Instant.now().minus(400, ChronoUnit.DAYS));
        Files.setLastModifiedTime(draft, old);
        Files.setLastModifiedTime(unknown, old);
        Files.setLastModifiedTime(notASnapshot, old);
        jdbc.sql("update account_backup set expires_at = now() - interval '1 minute' where kind = 'SCOPE_SNAPSHOT'"
                + " and removal_id = :id").param("id", removalId(removal)).update();

        assertThat(retention.removeExpired()).isGreaterThanOrEqualTo(1);
        assertThat(retention.removeLeftovers()).isGreaterThanOrEqualTo(2);

        assertThat(file).doesNotExist();
        assertThat(draft).doesNotExist();
        assertThat(unknown).doesNotExist();
        assertThat(notASnapshot).as("a file not named as the snapshot step names its own stays").exists();
        Files.delete(notASnapshot);
        assertThat(jdbc.sql("select removed_by from account_backup where kind = 'SCOPE_SNAPSHOT' and removal_id = :id")
                .param("id", removalId(removal)).query(String.class).single()).isEqualTo(SnapshotRetention.REMOVED_BY);
        assertThat(retention.removeExpired()).as("removed once").isZero();
        engine.getRuntimeService().deleteProcessInstance(removal.getId(), "test over");
    }

    /**
     * A snapshot whose file is not where the store looks (removed by hand, or on a disk of another node that does not
     * share the folder) is recorded as removed with that said, not as if this node had deleted it.
     */
    @Test
    void aSnapshotTheRetentionDoesNotFindIsRecordedAsNotFound() throws Exception {
        GeneratedAccount account = fixtures.create();
        ProcessInstance removal = driver.decide(account, RemovalMode.DELETE);
        job(removal, "Task_TakeScopeSnapshot");
        Files.delete(Path.of(snapshotLocation(removal)));
        jdbc.sql("update account_backup set expires_at = now() - interval '1 minute' where kind = 'SCOPE_SNAPSHOT'"
                + " and removal_id = :id").param("id", removalId(removal)).update();

        assertThat(retention.removeExpired()).isGreaterThanOrEqualTo(1);

        assertThat(jdbc.sql("select removed_by from account_backup where kind = 'SCOPE_SNAPSHOT' and removal_id = :id")
                .param("id", removalId(removal)).query(String.class).single())
                .isEqualTo(SnapshotRetention.REMOVED_BY + " (" + io.psaremoval.backup.BackupService.FILE_NOT_FOUND + ")");
        engine.getRuntimeService().deleteProcessInstance(removal.getId(), "test over");
    }

    private void job(ProcessInstance removal, String activity) {
        engine.getManagementService().executeJob(engine.getManagementService().createJobQuery()
                .processInstanceId(removal.getId()).activityId(activity).singleResult().getId());
    }

    private long removalId(ProcessInstance removal) {
        return fixtures.removalId(removal.getId());
    }

    private String snapshotLocation(ProcessInstance removal) {
        return jdbc.sql("select location from account_backup where kind = 'SCOPE_SNAPSHOT' and removal_id = :id")
                .param("id", removalId(removal)).query(String.class).single();
    }

    private static Map<String, byte[]> entries(String location) throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        try (InputStream in = Files.newInputStream(Path.of(location)); ZipInputStream zip = new ZipInputStream(in)) {
            for (ZipEntry entry = zip.getNextEntry(); entry != null; entry = zip.getNextEntry()) {
                entries.put(entry.getName(), zip.readAllBytes());
            }
        }
        return entries;
    }

    /** The CSV loaded with COPY into an empty copy of the table, as anyone could without this application. */
    private String readBack(String table, byte[] csv) throws Exception {
        String copy = "snapshot_read_back_" + table;
        try (Connection connection = dataSource.getConnection()) {
            connection.createStatement().execute("create temporary table " + copy + " (like " + table + ")");
            connection.unwrap(PGConnection.class).getCopyAPI().copyIn("copy " + copy + " from stdin with (format csv, header)",
                    new java.io.ByteArrayInputStream(csv));
            try (var result = connection.createStatement().executeQuery("select " + checksumOf(copy))) {
                result.next();
                return result.getString(1);
            } finally {
                connection.createStatement().execute("drop table " + copy);
            }
        }
    }

    private String checksum(String rows) {
        return jdbc.sql("select " + checksumOf(rows + " as t")).query(String.class).single();
    }

    private static String checksumOf(String from) {
        return "md5(coalesce(string_agg(t::text, '|' order by t.id), '')) from " + from.replaceFirst("^(snapshot_read_back_\\w+)$", "$1 t");
    }
}
