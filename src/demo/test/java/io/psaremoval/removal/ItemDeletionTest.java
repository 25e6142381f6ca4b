package io.psaremoval.removal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.psaremoval.PlatformTest;
import io.psaremoval.test.GeneratedAccount;
import io.psaremoval.test.PlatformFixtures;
import java.sql.Connection;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * A hard delete's items are deleted with the foreign keys that point at them checked once per chunk: no reference is
 * ever left dangling, whether it was there before, is added while the chunk waits, or is tried after the delete; and
 * where replica mode could skip something else (triggers, rules, a cascading key, another isolation level, a role
 * without the privilege) the delete keeps PostgreSQL's own per-row checks.
 */
@PlatformTest
class ItemDeletionTest {

    @Autowired
    PlatformFixtures fixtures;
    @Autowired
    JdbcClient jdbc;
    @Autowired
    DataSource dataSource;
    @Autowired
    PlatformTransactionManager transactionManager;
    @Autowired
    PlatformData remover;

    GeneratedAccount account;
    long organization;
    Long[] items;
    long document;
    long standaloneOrganization;

    @BeforeEach
    void anAccount() {
        account = fixtures.create();
        organization = jdbc.sql("select min(id) from organization where psa_integration_id = :p")
                .param("p", account.psaIntegrationId()).query(Long.class).single();
        standaloneOrganization = jdbc.sql("select min(id) from organization where account_id = :a and psa_integration_id is null")
                .param("a", account.accountId()).query(Long.class).single();
        items = jdbc.sql("select id from item where organization_id = :o order by id").param("o", organization)
                .query(Long.class).list().toArray(Long[]::new);
        document = jdbc.sql("select min(id) from item where organization_id = :o and kind = 'DOCUMENT'")
                .param("o", organization).query(Long.class).single();
    }

    @Test
    void onThePlatformsSchemaEveryKeyToItemIsCheckedSetBased() {
        ItemDeletion.Plan plan = inTransaction(status -> new ItemDeletion(jdbc, true).plan());

        assertThat(plan.setBased()).as(plan.withTriggersBecause()).isTrue();
        assertThat(plan.keys()).extracting(key -> key.table() + "." + key.column()).containsExactlyInAnyOrder(
                "attachment.item_id", "related_item.source_item_id", "related_item.target_item_id",
                "rmm_device.matched_configuration_id");
    }

    @Test
    void itemsWithNothingPointingAtThemAreDeletedAndCountedPerKind() {
        inTransaction(status -> {
            clearReferencesToTheOrganizationsItems();
            Map<String, Long> perKind = new java.util.TreeMap<>();
            jdbc.sql("select kind, count(*) from item where id = any(:items) group by kind").param("items", items)
                    .query((rs, n) -> perKind.put(rs.getString(1), rs.getLong(2))).list();
            var deleted = new ItemDeletion(jdbc, true).delete(items);

            assertThat(new java.util.TreeMap<>(deleted)).isEqualTo(perKind);
            assertThat(perKind).hasSizeGreaterThan(1);
            assertThat(jdbc.sql("select count(*) from item where id = any(:items)").param("items", items)
                    .query(Long.class).single()).isZero();
            assertThat(jdbc.sql("select current_setting('session_replication_role')").query(String.class).single())
                    .as("replica mode ends with the delete").isEqualTo("origin");
            status.setRollbackOnly();
            return null;
        });
    }

    @Test
    void aRowOfAHostsOwnTableThatStillPointsAtAnItemStopsTheChunkOnBothPaths() {
        for (boolean setBased : List.of(true, false)) {
            inTransaction(status -> {
                clearReferencesToTheOrganizationsItems();
                jdbc.sql("create table host_note (id bigint primary key, item_id bigint references item (id))").update();
                jdbc.sql("insert into host_note values (1, :item)").param("item", document).update();
                ItemDeletion deletion = new ItemDeletion(jdbc, setBased);

                if (setBased) {
                    assertThat(deletion.plan().keys()).extracting(ItemDeletion.ReferencingKey::table).contains("host_note");
                    assertThatThrownBy(() -> deletion.delete(items))
                            .isInstanceOf(ItemDeletion.ReferenceStillPointsException.class)
                            .hasMessageContaining("host_note.item_id").hasMessageContaining("host_note_item_id_fkey")
                            .hasMessageContaining("nothing of it is deleted");
                } else {
                    assertThatThrownBy(() -> deletion.delete(items)).isInstanceOf(DataIntegrityViolationException.class)
                            .hasMessageContaining("host_note_item_id_fkey");
                }
                status.setRollbackOnly();
                return null;
            });
        }
        assertThat(jdbc.sql("select count(*) from item where id = any(:items)").param("items", items)
                .query(Long.class).single()).as("rolled back: every item still there").isEqualTo(items.length);
    }

    @Test
    void aReferenceCommittedWhileTheDeleteWaitsForItIsSeenAndTheChunkRollsBack() throws Exception {
        clearReferencesToTheOrganizationsItemsForGood();
        try (Connection other = attachedToTheDocumentNotYetCommitted("added-meanwhile.pdf")) {
            AtomicInteger chunkBackend = new AtomicInteger();
            CompletableFuture<Object> chunk = CompletableFuture.supplyAsync(() -> inTransaction(status -> {
                chunkBackend.set(backend());
                return new ItemDeletion(jdbc, true).delete(items);
            }));
            waitUntilBlocked(chunkBackend, chunk);
            other.commit();

            assertThatThrownBy(() -> chunk.get(30, TimeUnit.SECONDS)).hasCauseInstanceOf(
                    ItemDeletion.ReferenceStillPointsException.class).hasMessageContaining("attachment.item_id");
        }
        assertThat(jdbc.sql("select count(*) from item where id = any(:items)").param("items", items)
                .query(Long.class).single()).as("the chunk rolled back").isEqualTo(items.length);
        assertThat(danglingAttachments()).isZero();
    }

    @Test
    void aReferenceTriedAfterTheDeleteWaitsForItAndIsRefusedByPostgres() throws Exception {
        clearReferencesToTheOrganizationsItemsForGood();
        AtomicInteger insertBackend = new AtomicInteger();
        CompletableFuture<Object> late = new TransactionTemplate(transactionManager).execute(status -> {
            ItemDeletion deletion = new ItemDeletion(jdbc, true);
            assertThat(deletion.plan().setBased()).isTrue();
            deletion.delete(items);
            CompletableFuture<Object> insert = attachToTheDocumentFromAnotherSession("added-later.pdf", insertBackend);
            waitUntilBlocked(insertBackend, insert);
            return insert; // the chunk commits now; the waiting insert then finds the item gone
        });

        assertThatThrownBy(() -> late.get(30, TimeUnit.SECONDS)).hasMessageContaining("attachment_item_id_account_id_fkey");
        assertThat(jdbc.sql("select count(*) from item where id = any(:items)").param("items", items)
                .query(Long.class).single()).as("the chunk committed").isZero();
        assertThat(danglingAttachments()).isZero();
    }

    /**
     * A chunk of a hard delete does not look the platform's four keys up again after its item delete: it cleared them
     * itself under its items' locks. A reference tried in that window (here: while the chunk compares its scope, after
     * it locked its items and their references) waits for the chunk and is then refused by PostgreSQL; nothing dangles.
     */
    @Test
    void aReferenceTriedWhileAChunkHoldsItsItemsWaitsAndIsRefusedByPostgres() throws Exception {
        AtomicInteger insertBackend = new AtomicInteger();
        CompletableFuture<Object> tried = inTransaction(status -> {
            CompletableFuture<Object>[] insert = new CompletableFuture[1];
            remover.hardDelete(removal(), 1, account.psaIntegrationId(), List.of(organization), seen -> {
                insert[0] = attachToTheDocumentFromAnotherSession("added-meanwhile.pdf", insertBackend);
                waitUntilBlocked(insertBackend, insert[0]);
            });
            return insert[0]; // the chunk commits now; the waiting insert then finds the item gone
        });

        assertThatThrownBy(() -> tried.get(30, TimeUnit.SECONDS)).hasMessageContaining("attachment_item_id_account_id_fkey");
        assertThat(jdbc.sql("select count(*) from item where id = any(:items)").param("items", items)
                .query(Long.class).single()).as("the chunk committed").isZero();
        assertThat(danglingAttachments()).isZero();
    }

    /**
     * A chunk deletes its items with the keys that point at them checked set-based where replica mode is allowed, and
     * with PostgreSQL's per-row triggers otherwise: either way the same rows go, the same are counted, and the guard sees
     * exactly the fingerprint the whole scope's reading gives.
     */
    @Test
    void aChunkDeletesTheSameRowsAndShowsTheGuardTheSameFingerprintOnEitherPath() {
        ScopeFingerprint confirmed = remover.scope(account.psaIntegrationId()).get(organization);
        Map<Boolean, List<Object>> outcome = new HashMap<>();
        for (boolean setBased : List.of(true, false)) {
            inTransaction(status -> {
                assertThat(new ItemDeletion(jdbc, setBased).plan().setBased()).isEqualTo(setBased);
                long removal = removal();
                Map<Long, ScopeFingerprint> seen = new HashMap<>();
                assertThat(new JdbcPlatformData(jdbc, dataSource, setBased).hardDelete(removal, 1,
                        account.psaIntegrationId(), List.of(organization), seen::putAll)).isEqualTo(1);
                assertThat(seen).as("set-based: " + setBased).containsExactly(Map.entry(organization, confirmed));
                assertThat(danglingAttachments()).isZero();
                outcome.put(setBased, List.of(fixtures.accountChecksum(account.accountId()), jdbc.sql("""
                        select action || ' ' || kind || ' ' || rows from removal_count where removal_id = :removal
                        order by action, kind""").param("removal", removal).query(String.class).list()));
                status.setRollbackOnly();
                return null;
            });
        }
        assertThat(outcome.get(true).get(1).toString())
                .contains("DELETED ATTACHMENT", "DELETED RELATED_ITEM", "DELETED ORGANIZATION", "UNMATCHED RMM_DEVICE");
        assertThat(outcome.get(false)).isEqualTo(outcome.get(true));
    }

    /**
     * A reference committed while a chunk waits to lock its items is seen when the chunk then locks the rows that point
     * at them: deleted and counted with the chunk's other rows, nothing dangles.
     */
    @Test
    void aReferenceCommittedWhileAChunkWaitsToLockItsItemsIsDeletedWithTheChunk() throws Exception {
        long removal = removal();
        long attachments = jdbc.sql("select count(*) from attachment where organization_id = :o or item_id = any(:items)")
                .param("o", organization).param("items", items).query(Long.class).single();
        try (Connection other = attachedToTheDocumentNotYetCommitted("added-meanwhile.pdf")) {
            AtomicInteger chunkBackend = new AtomicInteger();
            CompletableFuture<Integer> chunk = CompletableFuture.supplyAsync(() -> inTransaction(status -> {
                assertThat(new ItemDeletion(jdbc, true).plan().setBased()).isTrue();
                chunkBackend.set(backend());
                return remover.hardDelete(removal, 1, account.psaIntegrationId(), List.of(organization), seen -> { });
            }));
            waitUntilBlocked(chunkBackend, chunk);
            other.commit();

            assertThat(chunk.get(30, TimeUnit.SECONDS)).as("the organization deleted").isEqualTo(1);
        }
        assertThat(jdbc.sql("select count(*) from attachment where file_name = 'added-meanwhile.pdf'")
                .query(Long.class).single()).as("the attachment added meanwhile went with the chunk").isZero();
        assertThat(danglingAttachments()).isZero();
        assertThat(jdbc.sql("select rows from removal_count where removal_id = :r and action = 'DELETED' and kind = 'ATTACHMENT'")
                .param("r", removal).query(Long.class).single()).isEqualTo(attachments + 1);
    }

    /** A host's own key to item is looked up after a chunk's item delete, whatever the chunk cleared itself. */
    @Test
    void aHostsOwnKeyIsCheckedAfterAChunksItemDelete() {
        inTransaction(status -> {
            jdbc.sql("create table host_note (id bigint primary key, item_id bigint references item (id))").update();
            jdbc.sql("insert into host_note values (1, :item)").param("item", document).update();
            assertThatThrownBy(() -> remover.hardDelete(removal(), 1, account.psaIntegrationId(), List.of(organization),
                    chunk -> { }))
                    .isInstanceOf(ItemDeletion.ReferenceStillPointsException.class)
                    .hasMessageContaining("host_note.item_id").hasMessageContaining("nothing of it is deleted");
            status.setRollbackOnly();
            return null;
        });
        assertThat(jdbc.sql("select count(*) from item where id = any(:items)").param("items", items)
                .query(Long.class).single()).as("rolled back: every item still there").isEqualTo(items.length);
    }

    /**
     * A connection whose open transaction attached a file of the stand-alone organization to the document: it holds a
     * key-share lock on the document until it commits.
     */
    private Connection attachedToTheDocumentNotYetCommitted(String fileName) throws java.sql.SQLException {
        Connection other = dataSource.getConnection();
        other.setAutoCommit(false);
        try (var insert = other.prepareStatement("""
                insert into attachment (account_id, organization_id, item_id, file_name, content)
                values (?, ?, ?, ?, '\\x00'::bytea)""")) {
            insert.setLong(1, account.accountId());
            insert.setLong(2, standaloneOrganization);
            insert.setLong(3, document);
            insert.setString(4, fileName);
            insert.executeUpdate();
        } catch (java.sql.SQLException | RuntimeException e) {
            other.close();
            throw e;
        }
        return other;
    }

    /** A file of the stand-alone organization attached to the document, inserted and committed by another session. */
    private CompletableFuture<Object> attachToTheDocumentFromAnotherSession(String fileName, AtomicInteger backend) {
        return CompletableFuture.supplyAsync(() -> {
            try (Connection other = dataSource.getConnection();
                 var statement = other.prepareStatement("""
                         insert into attachment (account_id, organization_id, item_id, file_name, content)
                         values (?, ?, ?, ?, '\\x00'::bytea)""")) {
                backend.set(backend(other));
                statement.setLong(1, account.accountId());
                statement.setLong(2, standaloneOrganization);
                statement.setLong(3, document);
                statement.setString(4, fileName);
                return statement.executeUpdate();
            } catch (java.sql.SQLException e) {
                throw new IllegalStateException(e.getMessage(), e);
            }
        });
    }

    private long removal() {
        return fixtures.removalRecordUnderRoundOne("item-deletion-test");
    }

    @Test
    void eachOfThePlatformsKeysCatchesARowLeftPointingAtADeletedItem() {
        long standaloneItem = jdbc.sql("select min(id) from item where organization_id = :o").param("o", standaloneOrganization)
                .query(Long.class).single();
        long configuration = jdbc.sql("select min(id) from item where organization_id = :o and kind = 'CONFIGURATION'")
                .param("o", organization).query(Long.class).single();
        Map<String, String> references = Map.of(
                "attachment.item_id", "insert into attachment (account_id, organization_id, item_id, file_name, content)"
                        + " values (:a, :standaloneOrganization, :document, 'left.pdf', '\\x00'::bytea)",
                "related_item.source_item_id", "insert into related_item (account_id, source_item_id, target_item_id)"
                        + " values (:a, :document, :standaloneItem)",
                "related_item.target_item_id", "insert into related_item (account_id, source_item_id, target_item_id)"
                        + " values (:a, :standaloneItem, :document)",
                "rmm_device.matched_configuration_id", "update rmm_device set matched_configuration_id = :configuration,"
                        + " matched_kind = 'CONFIGURATION', matched_at = now() where id = (select min(id) from rmm_device where account_id = :a)");
        references.forEach((key, sql) -> inTransaction(status -> {
            clearReferencesToTheOrganizationsItems();
            var statement = jdbc.sql(sql);
            for (var parameter : Map.of("a", account.accountId(), "standaloneOrganization", standaloneOrganization,
                    "document", document, "standaloneItem", standaloneItem, "configuration", configuration).entrySet()) {
                if (sql.contains(":" + parameter.getKey())) {
                    statement = statement.param(parameter.getKey(), parameter.getValue());
                }
            }
            assertThat(statement.update()).isEqualTo(1);

            assertThatThrownBy(() -> new ItemDeletion(jdbc, true).delete(items)).as(key)
                    .isInstanceOf(ItemDeletion.ReferenceStillPointsException.class).hasMessageContaining(key);
            status.setRollbackOnly();
            return null;
        }));
    }

    @Test
    void anItemMovedToAnotherOrganizationWhileTheChunkWaitsForItIsLeftAlone() throws Exception {
        try (Connection mover = dataSource.getConnection()) {
            mover.setAutoCommit(false);
            try (var move = mover.prepareStatement("update item set organization_id = ? where id = ?")) {
                move.setLong(1, standaloneOrganization);
                move.setLong(2, document);
                move.executeUpdate(); // not committed yet: the chunk's locking read waits for it
            }
            AtomicInteger chunkBackend = new AtomicInteger();
            CompletableFuture<List<Long>> chunk = CompletableFuture.supplyAsync(() -> inTransaction(status -> {
                chunkBackend.set(backend());
                remover.hardDelete(removal(), 1, account.psaIntegrationId(), List.of(organization), seen -> { });
                List<Long> left = jdbc.sql("select id from item where id = any(:items) order by id").param("items", items)
                        .query(Long.class).list();
                status.setRollbackOnly();
                return left;
            }));
            waitUntilBlocked(chunkBackend, chunk);
            mover.commit();

            assertThat(chunk.get(30, TimeUnit.SECONDS)).as("only the moved item is left").containsExactly(document);
        }
    }

    @Test
    void whereReplicaModeCouldSkipSomethingElseTheTriggersCheckEachRow() {
        assertWithTriggers("is off", status -> new ItemDeletion(jdbc, false).plan());
        assertWithTriggers("triggers or rules of its own", status -> {
            jdbc.sql("create function host_touch() returns trigger language plpgsql as 'begin return old; end'").update();
            jdbc.sql("create trigger host_touch before delete on item for each row execute function host_touch()").update();
            return new ItemDeletion(jdbc, true).plan();
        });
        assertWithTriggers("triggers or rules of its own", status -> {
            jdbc.sql("create table host_item_log (id bigint)").update();
            jdbc.sql("create rule host_log as on delete to item do also insert into host_item_log values (old.id)").update();
            return new ItemDeletion(jdbc, true).plan();
        });
        assertWithTriggers("host_shadow_item_id_fkey acts on delete", status -> {
            jdbc.sql("create table host_shadow (item_id bigint references item (id) on delete cascade)").update();
            return new ItemDeletion(jdbc, true).plan();
        });
        assertWithTriggers("attachment, which has row-level security", status -> {
            jdbc.sql("alter table attachment enable row level security").update();
            return new ItemDeletion(jdbc, true).plan();
        });
        TransactionTemplate repeatableRead = new TransactionTemplate(transactionManager);
        repeatableRead.setIsolationLevel(TransactionDefinition.ISOLATION_REPEATABLE_READ);
        assertThat(repeatableRead.execute(status -> new ItemDeletion(jdbc, true).plan()).withTriggersBecause())
                .contains("repeatable read, not read committed");
    }

    @Test
    void aRoleWithoutThePrivilegeKeepsTheTriggersAndTheReadmesGrantLetsItCheckSetBased() {
        assertWithTriggers("may not set session_replication_role", status -> {
            jdbc.sql("create role psa_limited_test").update();
            jdbc.sql("set local role psa_limited_test").update();
            return new ItemDeletion(jdbc, true).plan();
        });
        inTransaction(status -> {
            clearReferencesToTheOrganizationsItems();
            jdbc.sql("create role psa_granted_test").update();
            jdbc.sql("grant set on parameter session_replication_role to psa_granted_test").update();
            jdbc.sql("grant select, delete on item to psa_granted_test").update();
            jdbc.sql("grant select on attachment, related_item to psa_granted_test").update();
            jdbc.sql("set local role psa_granted_test").update();
            assertThat(new ItemDeletion(jdbc, true).plan().withTriggersBecause())
                    .as("a key on a table the role may not read").contains("rmm_device, which has row-level security or which this role may not read");
            jdbc.sql("reset role").update();
            jdbc.sql("grant select on rmm_device to psa_granted_test").update();
            jdbc.sql("set local role psa_granted_test").update();

            ItemDeletion deletion = new ItemDeletion(jdbc, true);
            assertThat(deletion.plan().setBased()).as(deletion.plan().withTriggersBecause()).isTrue();
            assertThat(deletion.delete(items).values().stream().mapToLong(Long::longValue).sum()).isEqualTo(items.length);
            assertThat(jdbc.sql("select current_user").query(String.class).single()).isEqualTo("psa_granted_test");
            status.setRollbackOnly();
            return null;
        });
    }

    private void assertWithTriggers(String because, org.springframework.transaction.support.TransactionCallback<ItemDeletion.Plan> setUp) {
        ItemDeletion.Plan plan = inTransaction(status -> {
            status.setRollbackOnly();
            return setUp.doInTransaction(status);
        });
        assertThat(plan.setBased()).as(because).isFalse();
        assertThat(plan.withTriggersBecause()).contains(because);
    }

    /** What a hard delete does before the items: related items, attachments and RMM matches of the items go first. */
    private void clearReferencesToTheOrganizationsItems() {
        jdbc.sql("update rmm_device set matched_configuration_id = null, matched_kind = null, matched_at = null where matched_configuration_id = any(:items)")
                .param("items", items).update();
        jdbc.sql("delete from related_item where source_item_id = any(:items) or target_item_id = any(:items)")
                .param("items", items).update();
        jdbc.sql("delete from attachment where item_id = any(:items)").param("items", items).update();
    }

    private void clearReferencesToTheOrganizationsItemsForGood() {
        inTransaction(status -> {
            clearReferencesToTheOrganizationsItems();
            return null;
        });
    }

    private long danglingAttachments() {
        return jdbc.sql("""
                select count(*) from attachment a where a.item_id is not null
                and not exists (select 1 from item i where i.id = a.item_id)""").query(Long.class).single();
    }

    /** Until the backend whose pid the work publishes waits for a lock another session holds, or the work ended. */
    private void waitUntilBlocked(AtomicInteger backend, CompletableFuture<?> work) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!work.isDone() && (backend.get() == 0 || jdbc.sql("select cardinality(pg_blocking_pids(:pid)) > 0")
                .param("pid", backend.get()).query(Boolean.class).single() == Boolean.FALSE)) {
            assertThat(System.nanoTime()).as("the session waits for the lock within 30 s").isLessThan(deadline);
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    private int backend() {
        return jdbc.sql("select pg_backend_pid()").query(Integer.class).single();
    }

    private static int backend(Connection connection) throws java.sql.SQLException {
        try (var statement = connection.createStatement(); var result = statement.executeQuery("select pg_backend_pid()")) {
            result.next();
            return result.getInt(1);
        }
    }

    private <T> T inTransaction(org.springframework.transaction.support.TransactionCallback<T> work) {
        return new TransactionTemplate(transactionManager).execute(work);
    }
}
