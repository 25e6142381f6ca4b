package io.psaremoval.removal;

import io.psaremoval.test.RemovalDriver;
import static org.assertj.core.api.Assertions.assertThat;

import io.psaremoval.camunda.RemovalVariables;
import io.psaremoval.test.PlatformFixtures;
import io.psaremoval.PlatformTest;
import io.psaremoval.test.GeneratedAccount;
import java.util.List;
import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * What a removal does to the platform's data, checked with SQL on the embedded PostgreSQL: a disconnect
 * loses nothing, a delete removes exactly its scope and nothing else.
 */
@PlatformTest
class RemovalDataSemanticsTest {

    @Autowired
    PlatformFixtures fixtures;
    @Autowired
    RemovalDriver driver;
    @Autowired
    JdbcClient jdbc;
    @Autowired
    HistoryService history;
    @Autowired
    PlatformData remover;
    @Autowired
    io.psaremoval.integration.IntegrationRepository integrations;

    GeneratedAccount account;
    GeneratedAccount otherAccount;

    @BeforeEach
    void twoAccounts() {
        account = fixtures.create();
        otherAccount = fixtures.create();
    }

    @Test
    void disconnectKeepsEveryRowAndItsContent() {
        long syncedOrganizations = scopeOrganizations();
        long syncedItems = count("""
                select count(*) from item i join organization o on o.id = i.organization_id
                where o.psa_integration_id = :p and i.psa_external_id is not null""", account.psaIntegrationId());
        String contentBefore = contentChecksum(account.accountId());
        String otherBefore = fixtures.accountChecksum(otherAccount.accountId());

        ProcessInstance removal = driver.remove(account, RemovalMode.DISCONNECT);

        assertEnded(removal, "EndEvent_IntegrationDisconnected");
        assertThat(contentChecksum(account.accountId())).as("every row, contents unchanged").isEqualTo(contentBefore);
        assertThat(scopeOrganizations()).as("no organization still synced").isZero();
        assertThat(count("""
                select count(*) from organization where account_id = :p and psa_external_id is not null""",
                account.accountId())).isZero();
        assertThat(count("select count(*) from item where account_id = :p and psa_external_id is not null",
                account.accountId())).as("items stand alone").isZero();
        assertThat(fixtures.accountChecksum(otherAccount.accountId())).isEqualTo(otherBefore);
        assertThat(removedRows(removal, "DISCONNECTED", "ORGANIZATION")).isEqualTo(syncedOrganizations);
        assertThat(sum(removal, "DISCONNECTED") - syncedOrganizations).isEqualTo(syncedItems);
        assertThat(integrationStatus()).isEqualTo("DISCONNECTED");
    }

    @Test
    void deleteRemovesExactlyTheSyncedOrganizationsAndEverythingOfTheirs() {
        long organizations = scopeOrganizations();
        long items = count("""
                select count(*) from item i join organization o on o.id = i.organization_id where o.psa_integration_id = :p""",
                account.psaIntegrationId());
        List<Long> devicesToUnmatch = jdbc.sql("""
                select d.id from rmm_device d join item i on i.id = d.matched_configuration_id
                join organization o on o.id = i.organization_id where o.psa_integration_id = :p order by d.id""")
                .param("p", account.psaIntegrationId()).query(Long.class).list();
        long linksFromOutside = count("""
                select count(*) from related_item r
                join item s on s.id = r.source_item_id join organization so on so.id = s.organization_id
                join item t on t.id = r.target_item_id join organization tor on tor.id = t.organization_id
                where r.account_id = :p and (so.psa_integration_id is null) <> (tor.psa_integration_id is null)""",
                account.accountId());
        String standaloneBefore = standaloneChecksum(account.accountId());
        String untouchedDevicesBefore = devicesChecksumExcept(account.accountId(), devicesToUnmatch);
        String otherBefore = fixtures.accountChecksum(otherAccount.accountId());
        assertThat(devicesToUnmatch).isNotEmpty();
        assertThat(linksFromOutside).as("the fixture links stand-alone and synced items").isPositive();

        ProcessInstance removal = driver.remove(account, RemovalMode.DELETE);

        assertEnded(removal, "EndEvent_IntegrationDeleted");
        assertThat(scopeOrganizations()).isZero();
        assertThat(count("select count(*) from organization where account_id = :p", account.accountId()))
                .isEqualTo(account.organizations() - organizations);
        assertThat(standaloneChecksum(account.accountId())).as("stand-alone organizations untouched").isEqualTo(standaloneBefore);
        assertThat(fixtures.accountChecksum(otherAccount.accountId())).as("other account untouched").isEqualTo(otherBefore);
        assertThat(count("""
                select count(*) from related_item r where not exists (select 1 from item i where i.id = r.source_item_id)
                or not exists (select 1 from item i where i.id = r.target_item_id)""", 0)).as("no dangling link").isZero();
        assertThat(jdbc.sql("select id from rmm_device where account_id = :a and matched_configuration_id is null and id = any(:ids) order by id")
                .param("a", account.accountId()).param("ids", devicesToUnmatch.toArray(Long[]::new))
                .query(Long.class).list()).as("unmatched exactly where expected").isEqualTo(devicesToUnmatch);
        assertThat(count("select count(*) from rmm_device where account_id = :p", account.accountId()))
                .as("devices stay").isEqualTo(account.rmmDevices());
        assertThat(devicesChecksumExcept(account.accountId(), devicesToUnmatch)).isEqualTo(untouchedDevicesBefore);
        assertThat(sum(removal, "DELETED") - removedRows(removal, "DELETED", "ORGANIZATION")
                - removedRows(removal, "DELETED", "ATTACHMENT") - removedRows(removal, "DELETED", "RELATED_ITEM"))
                .isEqualTo(items);
        assertThat(removedRows(removal, "UNMATCHED", "RMM_DEVICE")).isEqualTo(devicesToUnmatch.size());
        assertThat(jdbc.sql("select payload from rmm_unmatch_notice where rmm_integration_id = :r")
                .param("r", account.rmmIntegrationId()).query(String.class).single())
                .contains("devices-unmatched").contains("DEV-");
        assertThat(integrationStatus()).isEqualTo("DELETED");
    }

    @Test
    void repeatingTheWriteStepsChangesAndCountsNothingMore() {
        ProcessInstance removal = driver.remove(account, RemovalMode.DELETE);
        long removalId = jdbc.sql("select id from removal where process_instance_id = :pid")
                .param("pid", removal.getId()).query(Long.class).single();
        String countsBefore = jdbc.sql("select string_agg(action || kind || rows, ',' order by action, kind) from removal_count where removal_id = :id")
                .param("id", removalId).query(String.class).single();
        String accountBefore = fixtures.accountChecksum(account.accountId());

        List<Long> everyOrganization = jdbc.sql("select id from organization where account_id = :a")
                .param("a", account.accountId()).query(Long.class).list();
        int round = jdbc.sql("select scope_round from removal where id = :id").param("id", removalId).query(Integer.class).single();
        remover.hardDelete(removalId, round, account.psaIntegrationId(), everyOrganization, chunk -> { });
        remover.disconnect(removalId, account.psaIntegrationId(), everyOrganization, chunk -> { });

        assertThat(fixtures.accountChecksum(account.accountId())).as("stand-alone organizations stay").isEqualTo(accountBefore);
        assertThat(jdbc.sql("select string_agg(action || kind || rows, ',' order by action, kind) from removal_count where removal_id = :id")
                .param("id", removalId).query(String.class).single()).isEqualTo(countsBefore);
    }

    @Test
    void whileARemovalRunsTheIntegrationRefusesSyncs() {
        String manager = fixtures.username(account, io.psaremoval.account.Role.MANAGER);
        ProcessInstance removal = driver.start(manager);
        driver.complete(manager, removal, java.util.Map.of(RemovalVariables.INTEGRATION_ID,
                String.valueOf(account.psaIntegrationId()), RemovalVariables.INTEGRATION_DECISION, "REMOVE"));
        driver.runJobs(removal);

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> integrations.recordSync(account.psaIntegrationId()))
                .isInstanceOf(io.psaremoval.integration.IntegrationUnavailableException.class)
                .hasMessage("Integration 'ConnectWise Manage' cannot sync while it is removing.");
        integrations.recordSync(otherAccount.psaIntegrationId());
    }

    private void assertEnded(ProcessInstance removal, String endEvent) {
        assertThat(history.createHistoricActivityInstanceQuery().processInstanceId(removal.getId())
                .activityId(endEvent).finished().count()).isEqualTo(1);
    }

    private long removedRows(ProcessInstance removal, String action, String kind) {
        return jdbc.sql("""
                select coalesce(sum(c.rows), 0) from removal_count c join removal r on r.id = c.removal_id
                where r.process_instance_id = :pid and c.action = :action and c.kind = :kind""")
                .param("pid", removal.getId()).param("action", action).param("kind", kind).query(Long.class).single();
    }

    private long sum(ProcessInstance removal, String action) {
        return jdbc.sql("""
                select coalesce(sum(c.rows), 0) from removal_count c join removal r on r.id = c.removal_id
                where r.process_instance_id = :pid and c.action = :action""")
                .param("pid", removal.getId()).param("action", action).query(Long.class).single();
    }

    private long scopeOrganizations() {
        return count("select count(*) from organization where psa_integration_id = :p", account.psaIntegrationId());
    }

    private long count(String sql, long parameter) {
        return fixtures.count(sql, parameter);
    }

    private String integrationStatus() {
        return fixtures.integrationStatus(account.psaIntegrationId());
    }

    /** The content of an account's records without their PSA links: what a disconnect must keep. */
    private String contentChecksum(long accountId) {
        return jdbc.sql("""
                select md5(concat_ws('|',
                    (select string_agg(concat_ws(',', id, name, created_at), ';' order by id) from organization where account_id = :a),
                    (select string_agg(concat_ws(',', id, organization_id, kind, name, body, created_at, updated_at), ';' order by id)
                       from item where account_id = :a),
                    (select string_agg(t::text, ';' order by t.id) from attachment t where t.account_id = :a),
                    (select string_agg(t::text, ';' order by t.id) from related_item t where t.account_id = :a),
                    (select string_agg(t::text, ';' order by t.id) from rmm_device t where t.account_id = :a)))""")
                .param("a", accountId).query(String.class).single();
    }

    /** Stand-alone organizations with their items and attachments, and links between their own items. */
    private String standaloneChecksum(long accountId) {
        return jdbc.sql("""
                with standalone as (select id from organization where account_id = :a and psa_integration_id is null),
                     items as (select id from item where organization_id in (select id from standalone))
                select md5(concat_ws('|',
                    (select string_agg(t::text, ';' order by t.id) from organization t where t.id in (select id from standalone)),
                    (select string_agg(t::text, ';' order by t.id) from item t where t.id in (select id from items)),
                    (select string_agg(t::text, ';' order by t.id) from attachment t where t.organization_id in (select id from standalone)),
                    (select string_agg(t::text, ';' order by t.id) from related_item t
                       where t.source_item_id in (select id from items) and t.target_item_id in (select id from items))))""")
                .param("a", accountId).query(String.class).single();
    }

    private String devicesChecksumExcept(long accountId, List<Long> excluded) {
        return jdbc.sql("select md5(string_agg(t::text, ';' order by t.id)) from rmm_device t where t.account_id = :a and t.id <> all(:ids)")
                .param("a", accountId).param("ids", excluded.toArray(Long[]::new)).query(String.class).single();
    }
}
