package io.psaremoval.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.psaremoval.test.PlatformFixtures;
import io.psaremoval.PlatformTest;
import io.psaremoval.test.GeneratedAccount;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.jdbc.core.simple.JdbcClient;

/** The platform schema's rules, checked on the Flyway-migrated embedded PostgreSQL. */
@PlatformTest
class PlatformSchemaTest {

    @Autowired
    JdbcClient jdbc;
    @Autowired
    PlatformFixtures fixtures;

    GeneratedAccount acme;
    GeneratedAccount globex;

    @BeforeEach
    void twoAccounts() {
        acme = fixtures.create();
        globex = fixtures.create();
    }

    @Test
    void migrationsRanOnPostgres() throws java.io.IOException {
        assertThat(jdbc.sql("select version()").query(String.class).single()).startsWith("PostgreSQL 17");
        int scripts = new org.springframework.core.io.support.PathMatchingResourcePatternResolver()
                .getResources("classpath*:db/psa-integration-removal/V*__*.sql").length;
        assertThat(scripts).isGreaterThanOrEqualTo(8);
        assertThat(jdbc.sql("select count(*) from psa_integration_removal_schema_history where success and version <> '0'")
                .query(Long.class).single()).as("every script of the plugin ran, in its own history").isEqualTo(scripts);
        assertThat(jdbc.sql("select to_regclass('flyway_schema_history') is null").query(Boolean.class).single())
                .as("a host that does not use Flyway gets no Flyway history of Spring Boot's").isTrue();
    }

    @Test
    void itemCannotBelongToAnOrganizationOfAnotherAccount() {
        long globexOrganization = anyOrganization(globex.accountId());
        assertThatThrownBy(() -> jdbc.sql("""
                insert into item (account_id, organization_id, kind, name) values (:account, :org, 'PASSWORD', 'root')""")
                .param("account", acme.accountId()).param("org", globexOrganization).update())
                .isInstanceOf(DataIntegrityViolationException.class);
    }

    @Test
    void relatedItemCannotLinkItemsOfTwoAccounts() {
        long acmeItem = anyItem(acme.accountId());
        long globexItem = anyItem(globex.accountId());
        assertThatThrownBy(() -> jdbc.sql("""
                insert into related_item (account_id, source_item_id, target_item_id) values (:account, :source, :target)""")
                .param("account", acme.accountId()).param("source", acmeItem).param("target", globexItem).update())
                .isInstanceOf(DataIntegrityViolationException.class);
    }

    @Test
    void relatedItemCannotDangle() {
        long linked = jdbc.sql("select target_item_id from related_item where account_id = :a limit 1")
                .param("a", acme.accountId()).query(Long.class).single();
        assertThatThrownBy(() -> jdbc.sql("delete from item where id = :id").param("id", linked).update())
                .isInstanceOf(DataIntegrityViolationException.class);
    }

    @Test
    void organizationWithItemsCannotBeDeletedBeforeItsItems() {
        long organization = anyOrganization(acme.accountId());
        assertThatThrownBy(() -> jdbc.sql("delete from organization where id = :id").param("id", organization).update())
                .isInstanceOf(DataIntegrityViolationException.class);
    }

    @Test
    void organizationCanOnlyBeSyncedFromAPsaOfItsOwnAccount() {
        assertThatThrownBy(() -> insertSyncedOrganization(acme.accountId(), acme.rmmIntegrationId()))
                .as("an RMM integration is no PSA").isInstanceOf(DataIntegrityViolationException.class);
        assertThatThrownBy(() -> insertSyncedOrganization(acme.accountId(), globex.psaIntegrationId()))
                .as("another account's PSA").isInstanceOf(DataIntegrityViolationException.class);
        insertSyncedOrganization(acme.accountId(), acme.psaIntegrationId());
    }

    @Test
    void rmmDeviceCanOnlyMatchAConfigurationOfItsAccount() {
        long password = jdbc.sql("select id from item where account_id = :a and kind = 'PASSWORD' limit 1")
                .param("a", acme.accountId()).query(Long.class).single();
        long device = jdbc.sql("select id from rmm_device where account_id = :a limit 1")
                .param("a", acme.accountId()).query(Long.class).single();
        assertThatThrownBy(() -> jdbc.sql("""
                update rmm_device set matched_configuration_id = :item, matched_kind = 'CONFIGURATION', matched_at = now()
                where id = :device""").param("item", password).param("device", device).update())
                .isInstanceOf(DataIntegrityViolationException.class);
    }

    @Test
    void accountRolesNeedAnAccountAndSupportHasNone() {
        assertThatThrownBy(() -> jdbc.sql("""
                insert into platform_user (account_id, username, full_name, email, role)
                values (null, 'nobody.manager', 'No Body', 'n@example.com', 'MANAGER')""").update())
                .isInstanceOf(DataIntegrityViolationException.class);
        assertThatThrownBy(() -> jdbc.sql("""
                insert into platform_user (account_id, username, full_name, email, role)
                values (:a, 'acme.support', 'Sup Port', 's@example.com', 'SUPPORT')""").param("a", acme.accountId()).update())
                .isInstanceOf(DataIntegrityViolationException.class);
    }

    @Test
    void everyForeignKeyIsBackedByAnIndexOnItsReferencingColumn() {
        // The parent's id (the first column of every foreign key; account_id only follows for isolation)
        // must lead some index, so that deleting or unmatching parents never scans the child table.
        var unindexed = jdbc.sql("""
                select c.conrelid::regclass || '.' || a.attname
                from pg_constraint c
                join pg_attribute a on a.attrelid = c.conrelid and a.attnum = c.conkey[1]
                where c.contype = 'f' and c.connamespace = 'public'::regnamespace
                  and c.conrelid::regclass::text not like 'act\\_%'
                  and not exists (select 1 from pg_index i where i.indrelid = c.conrelid and i.indkey[0] = c.conkey[1])""")
                .query(String.class).list();
        assertThat(unindexed).isEmpty();
    }

    @Test
    void generatorKeepsSyncedAndPlatformOnlyItemsApart() {
        long synced = fixtures.count("select count(*) from item where account_id = :p and psa_external_id is not null",
                acme.accountId());
        long platformOnly = fixtures.count("select count(*) from item where account_id = :p and psa_external_id is null",
                acme.accountId());
        long platformOnlyInSyncedOrganizations = fixtures.count("""
                select count(*) from item i join organization o on o.id = i.organization_id
                where i.account_id = :p and o.psa_integration_id is not null and i.psa_external_id is null""",
                acme.accountId());
        assertThat(synced).isPositive();
        assertThat(platformOnly).isPositive();
        assertThat(platformOnlyInSyncedOrganizations).isPositive();
        assertThat(fixtures.count("select count(*) from rmm_device where account_id = :p and matched_configuration_id is not null",
                acme.accountId())).isPositive();
    }

    private void insertSyncedOrganization(long accountId, long integrationId) {
        jdbc.sql("""
                insert into organization (account_id, name, psa_integration_id, psa_kind, psa_external_id, psa_linked_at)
                values (:account, 'Happy Frog', :integration, 'PSA', 'HF-' || :integration, now())""")
                .param("account", accountId).param("integration", integrationId).update();
    }

    private long anyOrganization(long accountId) {
        return jdbc.sql("select min(id) from organization where account_id = :a and psa_integration_id is not null")
                .param("a", accountId).query(Long.class).single();
    }

    private long anyItem(long accountId) {
        return jdbc.sql("select min(id) from item where account_id = :a").param("a", accountId).query(Long.class).single();
    }
}
