package io.psaremoval.removal;

import static org.assertj.core.api.Assertions.assertThat;

import io.psaremoval.PlatformTest;
import io.psaremoval.account.Role;
import io.psaremoval.test.GeneratedAccount;
import io.psaremoval.test.PlatformFixtures;
import io.psaremoval.test.RemovalDriver;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The confirmed scope as a contract, on PostgreSQL with writers at work: what the person did not confirm is never
 * deleted, whenever it was added, and the frozen fingerprints are those of the rows the delete then removes.
 */
@PlatformTest
class ConfirmedScopeTest {

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

    /**
     * A person and a sync add items to the organizations still to delete while the chunks run: every item that was
     * added (committed) is still there when the removal stops for the changed scope, and every organization left is
     * whole; the items are deleted only after the person confirmed the scope that holds them.
     */
    @Test
    void itemsAddedWhileTheDeleteRunsAreNeverLostUnconfirmed() throws Exception {
        GeneratedAccount account = fixtures.create();
        ProcessInstance removal = driver.decide(account, RemovalMode.DELETE);
        job(removal); // the verified snapshot
        job(removal); // the first chunk, as confirmed
        List<Long> toDo = jdbc.sql("select id from organization where psa_integration_id = :psa order by id desc")
                .param("psa", account.psaIntegrationId()).query(Long.class).list();
        assertThat(toDo).hasSizeGreaterThan(2);
        ConcurrentLinkedQueue<Long> added = new ConcurrentLinkedQueue<>();
        added.add(addItem(account, toDo.get(0), 0)); // the last organization changes before the next chunk for sure
        AtomicBoolean stop = new AtomicBoolean();
        CompletableFuture<Integer> writer = CompletableFuture.supplyAsync(() -> {
            int refused = 0;
            for (int i = 1; !stop.get(); i++) {
                try {
                    added.add(addItem(account, toDo.get(i % toDo.size()), i));
                } catch (RuntimeException organizationDeletedMeanwhile) {
                    refused++; // the chunk deleted it first: the item never existed
                }
            }
            return refused;
        });

        driver.runJobs(removal);
        stop.set(true);
        int refused = writer.get();

        assertThat(engine.getTaskService().createTaskQuery().processInstanceId(removal.getId()).singleResult()
                .getTaskDefinitionKey()).isEqualTo("UserTask_ConfirmChangedDeletion");
        assertThat(added).as("the writer's items (%d refused: their organization was deleted first)", refused).isNotEmpty();
        assertThat(jdbc.sql("select count(*) from item where id = any(:ids)").param("ids", added.toArray(Long[]::new))
                .query(Long.class).single()).as("every item added after the confirmation is still there")
                .isEqualTo(added.size());
        assertThat(jdbc.sql("""
                select count(*) from organization o where o.psa_integration_id = :psa
                and (select count(*) from item i where i.organization_id = o.id and i.name not like 'Added %')
                    <> :perOrganization""")
                .param("psa", account.psaIntegrationId()).param("perOrganization", 14).query(Long.class).single())
                .as("every organization left is whole").isZero();

        // The round shown was frozen when the change was found; what the writer added after it is found next time.
        String manager = fixtures.username(account, Role.MANAGER);
        for (int round = 0; round < 2 && engine.getTaskService().createTaskQuery().processInstanceId(removal.getId())
                .count() > 0; round++) {
            driver.complete(manager, removal, Map.of("scopeDecision", "GO_ON",
                    "confirmationText", fixtures.integrationName(account.psaIntegrationId())));
            driver.runJobs(removal);
        }

        assertThat(engine.getHistoryService().createHistoricProcessInstanceQuery().processInstanceId(removal.getId())
                .singleResult().getEndActivityId()).isEqualTo("EndEvent_IntegrationDeleted");
        assertThat(jdbc.sql("select count(*) from item where id = any(:ids)").param("ids", added.toArray(Long[]::new))
                .query(Long.class).single()).as("deleted once confirmed").isZero();
    }

    /**
     * The frozen fingerprints are those of the rows a chunk locks: an organization's sums, read row by row by the
     * chunk, equal the scope's, summed up by the database, for every organization of a generated account (attachments
     * and related items that hang on two organizations included).
     */
    @Test
    void aChunksFingerprintsEqualTheFrozenScopes() {
        GeneratedAccount account = fixtures.create();
        long firstItem = jdbc.sql("""
                select min(i.id) from item i join organization o on o.id = i.organization_id where o.psa_integration_id = :psa""")
                .param("psa", account.psaIntegrationId()).query(Long.class).single();
        // The whole scope's reading and a chunk's must agree on the edges too: an organization of the scope without
        // items, a file of a stand-alone organization attached to an item in scope, and a link from an item of another
        // PSA integration of the same account to one in scope.
        jdbc.sql("""
                insert into organization (account_id, name, psa_integration_id, psa_kind, psa_external_id, psa_linked_at)
                values (:a, 'Empty Shell Ltd', :psa, 'PSA', 'empty-shell', now())""")
                .param("a", account.accountId()).param("psa", account.psaIntegrationId()).update();
        long standAlone = jdbc.sql("insert into organization (account_id, name) values (:a, 'Stand-alone') returning id")
                .param("a", account.accountId()).query(Long.class).single();
        jdbc.sql("""
                insert into attachment (account_id, organization_id, item_id, file_name, content)
                values (:a, :standAlone, :item, 'lent.pdf', '\\x01'::bytea)""")
                .param("a", account.accountId()).param("standAlone", standAlone).param("item", firstItem).update();
        long otherPsa = jdbc.sql("""
                insert into integration (account_id, kind, provider, name) values (:a, 'PSA', 'Autotask', 'Second PSA')
                returning id""").param("a", account.accountId()).query(Long.class).single();
        long otherOrganization = jdbc.sql("""
                insert into organization (account_id, name, psa_integration_id, psa_kind, psa_external_id, psa_linked_at)
                values (:a, 'Other PSA Ltd', :psa, 'PSA', 'other-1', now()) returning id""")
                .param("a", account.accountId()).param("psa", otherPsa).query(Long.class).single();
        long otherItem = jdbc.sql("""
                insert into item (account_id, organization_id, kind, name, psa_external_id)
                values (:a, :o, 'CONTACT', 'Someone else', 'other-item') returning id""")
                .param("a", account.accountId()).param("o", otherOrganization).query(Long.class).single();
        jdbc.sql("""
                insert into related_item (account_id, source_item_id, target_item_id, note)
                values (:a, :source, :target, 'across integrations')""")
                .param("a", account.accountId()).param("source", otherItem).param("target", firstItem).update();
        Map<Long, ScopeFingerprint> scope = platformData.scope(account.psaIntegrationId());
        assertThat(scope).as("the other integration's organization is not in scope").doesNotContainKey(otherOrganization);
        List<Long> organizations = List.copyOf(scope.keySet());
        Map<Long, ScopeFingerprint>[] seen = new Map[2];
        assertThat(scope.values().stream().mapToLong(ScopeFingerprint::deleteRows).sum())
                .as("the delete's rows: the preview's total").isEqualTo(previewTotal(account));

        inRolledBackTransaction(() -> platformData.hardDelete(removalOf(account), 1, account.psaIntegrationId(),
                organizations, chunk -> seen[0] = chunk));
        inRolledBackTransaction(() -> platformData.disconnect(removalOf(account), account.psaIntegrationId(),
                organizations, chunk -> seen[1] = chunk));

        assertThat(seen[0]).isEqualTo(scope);
        seen[1].forEach((organization, fingerprint) -> assertThat(fingerprint.sameAs(scope.get(organization),
                RemovalMode.DISCONNECT)).as("organization %d", organization).isTrue());
        assertThat(seen[1].keySet()).isEqualTo(scope.keySet());
        Map<Long, ScopeFingerprint> toDisconnect = platformData.scopeToDisconnect(account.psaIntegrationId());
        assertThat(toDisconnect.keySet()).isEqualTo(scope.keySet());
        toDisconnect.forEach((organization, fingerprint) -> assertThat(fingerprint.sameAs(scope.get(organization),
                RemovalMode.DISCONNECT)).as("a disconnect's own reading, organization %d", organization).isTrue());
    }

    /**
     * Chunk after chunk, each deleting its organizations before the next reads its own (in one transaction, rolled
     * back), every chunk's fingerprints equal the frozen ones of its organizations: links and attachments that hang on
     * two organizations of different chunks are counted with the first, in the scope and in the chunks alike.
     */
    @Test
    void chunksInIdOrderSeeTheFrozenFingerprintsAcrossTheirBoundaries() {
        GeneratedAccount account = fixtures.create();
        List<Long> inOrder = jdbc.sql("select id from organization where psa_integration_id = :psa order by id")
                .param("psa", account.psaIntegrationId()).query(Long.class).list();
        // A link from the first organization's item to the fourth's, and a file of the fifth attached to the second's
        // item: each hangs on two organizations of different chunks.
        jdbc.sql("""
                insert into related_item (account_id, source_item_id, target_item_id, note)
                select :a, (select min(id) from item where organization_id = :first),
                       (select min(id) from item where organization_id = :fourth), 'across chunks'""")
                .param("a", account.accountId()).param("first", inOrder.get(0)).param("fourth", inOrder.get(3)).update();
        jdbc.sql("""
                insert into attachment (account_id, organization_id, item_id, file_name, content)
                values (:a, :fifth, (select min(id) from item where organization_id = :second), 'across.txt', '\\x01'::bytea)""")
                .param("a", account.accountId()).param("fifth", inOrder.get(4)).param("second", inOrder.get(1)).update();
        Map<Long, ScopeFingerprint> scope = platformData.scope(account.psaIntegrationId());
        List<Long> organizations = List.copyOf(scope.keySet());
        long acrossOrganizations = jdbc.sql("""
                select count(*) from related_item r join item s on s.id = r.source_item_id join item t on t.id = r.target_item_id
                where s.organization_id <> t.organization_id and s.organization_id = any(:o) and t.organization_id = any(:o)""")
                .param("o", organizations.toArray(Long[]::new)).query(Long.class).single();
        assertThat(acrossOrganizations).as("links between organizations of the scope exist").isPositive();
        java.util.List<Map<Long, ScopeFingerprint>> seen = new java.util.ArrayList<>();
        inRolledBackTransaction(() -> {
            long removal = removalOf(account);
            for (int from = 0; from < organizations.size(); from += 2) {
                platformData.hardDelete(removal, 1, account.psaIntegrationId(),
                        organizations.subList(from, Math.min(from + 2, organizations.size())), seen::add);
            }
        });
        assertThat(seen).hasSize((organizations.size() + 1) / 2);
        seen.forEach(chunk -> chunk.forEach((organization, fingerprint) ->
                assertThat(fingerprint).as("organization %d", organization).isEqualTo(scope.get(organization))));
    }

    /**
     * Every column a removal destroys or writes is in its row's hash: a change of any one of them, and nothing else,
     * changes the fingerprint of the organization the row counts with (the delete's always, the disconnect's only for
     * what a disconnect writes), while the row counts stay. Each change is rolled back.
     */
    @Test
    void aChangeOfAnyColumnARemovalDestroysChangesItsOrganizationsFingerprint() {
        GeneratedAccount account = fixtures.create();
        Map<Long, ScopeFingerprint> before = platformData.scope(account.psaIntegrationId());
        String scopeItem = "(select min(i.id) from item i join organization o on o.id = i.organization_id"
                + " where o.psa_integration_id = " + account.psaIntegrationId();
        String inScope = " where id in (select min(a.id) from attachment a join organization o on o.id = a.organization_id"
                + " where o.psa_integration_id = " + account.psaIntegrationId() + ")";
        Map<String, Boolean> changes = new java.util.LinkedHashMap<>();
        changes.put("update organization set name = name || ' (renamed)' where psa_integration_id = "
                + account.psaIntegrationId() + " and id = (select min(id) from organization where psa_integration_id = "
                + account.psaIntegrationId() + ")", false);
        changes.put("update organization set psa_external_id = psa_external_id || '-moved' where id = (select min(id)"
                + " from organization where psa_integration_id = " + account.psaIntegrationId() + ")", true);
        changes.put("update item set name = name || ' (renamed)' where id = " + scopeItem + ")", false);
        changes.put("update item set body = coalesce(body, '') || '.' where id = " + scopeItem + ")", false);
        changes.put("update item set kind = case kind when 'DOCUMENT' then 'PASSWORD' else 'DOCUMENT' end where id = "
                + scopeItem + " and i.kind <> 'CONFIGURATION')", false);
        changes.put("update item set psa_external_id = psa_external_id || '-moved' where id = " + scopeItem
                + " and i.psa_external_id is not null)", true);
        changes.put("update attachment set content = content || '\\x00'::bytea" + inScope, false);
        changes.put("update attachment set file_name = file_name || '.old'" + inScope, false);
        changes.put("update attachment set content_type = 'text/plain; changed'" + inScope, false);
        changes.put("""
                update attachment a set item_id = other.id from item other
                where a.id = (select min(a.id) from attachment a join item i on i.id = a.item_id
                    join organization o on o.id = i.organization_id where o.psa_integration_id = %d)
                  and other.id = (select min(o2.id) from item o2 where o2.organization_id
                      = (select organization_id from item where id = a.item_id) and o2.id <> a.item_id)"""
                .formatted(account.psaIntegrationId()), false);
        changes.put("""
                update related_item r set target_item_id = other.id from item other
                where r.id = (select min(r.id) from related_item r join item i on i.id = r.source_item_id
                    join organization o on o.id = i.organization_id where o.psa_integration_id = %d)
                  and other.id = (select max(o2.id) from item o2 where o2.organization_id
                      = (select organization_id from item where id = r.target_item_id)
                      and o2.id not in (r.source_item_id, r.target_item_id)
                      and not exists (select 1 from related_item x where x.source_item_id = r.source_item_id
                                      and x.target_item_id = o2.id))"""
                .formatted(account.psaIntegrationId()), false);
        changes.put("update related_item set note = coalesce(note, '') || '!' where id = (select min(r.id) from related_item r"
                + " join item i on i.id = r.source_item_id join organization o on o.id = i.organization_id"
                + " where o.psa_integration_id = " + account.psaIntegrationId() + ")", false);
        changes.put("""
                update rmm_device d set matched_configuration_id = other.id
                from item matched, item other
                where matched.id = d.matched_configuration_id and other.organization_id = matched.organization_id
                  and other.kind = 'CONFIGURATION' and other.id <> matched.id
                  and d.id = (select min(d.id) from rmm_device d join item i on i.id = d.matched_configuration_id
                      join organization o on o.id = i.organization_id where o.psa_integration_id = %d
                      and exists (select 1 from item other where other.organization_id = i.organization_id
                                  and other.kind = 'CONFIGURATION' and other.id <> i.id))
                  and other.id = (select min(o2.id) from item o2 where o2.organization_id = matched.organization_id
                      and o2.kind = 'CONFIGURATION' and o2.id <> matched.id)"""
                .formatted(account.psaIntegrationId()), false);
        changes.forEach((change, disconnectWritesIt) -> inRolledBackTransaction(() -> {
            assertThat(jdbc.sql(change).update()).as(change).isEqualTo(1);
            Map<Long, ScopeFingerprint> after = platformData.scope(account.psaIntegrationId());
            assertThat(after.keySet()).as(change).isEqualTo(before.keySet());
            List<Long> changed = before.keySet().stream().filter(o -> !before.get(o).equals(after.get(o))).toList();
            assertThat(changed).as("organizations whose fingerprint changed: %s", change).isNotEmpty();
            changed.forEach(o -> {
                assertThat(after.get(o).deleteRows()).as(change).isEqualTo(before.get(o).deleteRows());
                assertThat(after.get(o).sameAs(before.get(o), RemovalMode.DELETE)).as(change).isFalse();
            });
            assertThat(before.keySet().stream().allMatch(o -> after.get(o).sameAs(before.get(o), RemovalMode.DISCONNECT)))
                    .as("the disconnect's fingerprints unchanged: %s", change).isEqualTo(!disconnectWritesIt);
        }));
    }

    private void job(ProcessInstance removal) {
        engine.getManagementService().executeJob(engine.getManagementService().createJobQuery()
                .processInstanceId(removal.getId()).singleResult().getId());
    }

    private long addItem(GeneratedAccount account, long organization, int i) {
        return jdbc.sql("""
                insert into item (account_id, organization_id, kind, name, psa_external_id, body)
                values (:a, :o, 'DOCUMENT', 'Added ' || :i, case when :i % 2 = 0 then 'sync-' || :i end, 'new')
                returning id""")
                .param("a", account.accountId()).param("o", organization).param("i", i).query(Long.class).single();
    }

    private long previewTotal(GeneratedAccount account) {
        ImpactPreview preview = platformData.preview(account.psaIntegrationId());
        return preview.organizations() + preview.psaSyncedItems() + preview.platformOnlyItems() + preview.attachments()
                + preview.relatedItems() + preview.rmmDevices();
    }

    private long removalOf(GeneratedAccount account) {
        return fixtures.removalRecordUnderRoundOne("confirmed-scope-test");
    }

    @Autowired
    org.springframework.transaction.PlatformTransactionManager transactions;

    private void inRolledBackTransaction(Runnable work) {
        new org.springframework.transaction.support.TransactionTemplate(transactions).executeWithoutResult(status -> {
            work.run();
            status.setRollbackOnly();
        });
    }
}
