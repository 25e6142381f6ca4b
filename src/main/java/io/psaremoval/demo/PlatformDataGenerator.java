package io.psaremoval.demo;

import io.psaremoval.account.PlatformUserRepository;
import io.psaremoval.account.Role;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/**
 * Generates platform accounts of any size with set-based SQL (one INSERT ... SELECT per table), so
 * that a million items take seconds. Used by the demo seed, the tests and the benchmarks.
 *
 * <p>Every account gets a PSA integration, synced organizations (every tenth one existed before the
 * PSA linked it), stand-alone organizations, items of the seven kinds (configurations, contacts and
 * locations mostly synced from the PSA, the rest only in the platform), attachments with bytes,
 * related items inside organizations and across synced and stand-alone ones, an RMM integration with
 * devices matched to configurations of both, one user per account role, and optionally an export.
 */
@Component
public class PlatformDataGenerator {

    private static final Logger log = LoggerFactory.getLogger(PlatformDataGenerator.class);

    private final JdbcClient jdbc;
    private final PlatformUserRepository users;

    PlatformDataGenerator(JdbcClient jdbc, PlatformUserRepository users) {
        this.jdbc = jdbc;
        this.users = users;
    }

    /** The user name prefix of an account: "Acme IT" → "acmeit". */
    public static String slug(String accountName) {
        return accountName.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
    }

    /** The user name of an account's demo user of one role, e.g. {@code acmeit.manager}. */
    public static String username(String accountName, Role role) {
        return slug(accountName) + "." + role.name().toLowerCase(Locale.ROOT).replace("_", "");
    }

    @Transactional
    public GeneratedAccount generate(AccountShape shape) {
        long started = System.nanoTime();
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        OffsetDateTime psaConnectedAt = now.minusDays(200);

        long accountId = jdbc.sql("""
                insert into account (name, bulk_delete_enabled, created_at) values (:name, :bulk, :created) returning id""")
                .param("name", shape.name())
                .param("bulk", shape.bulkDeleteEnabled())
                .param("created", now.minusDays(900))
                .query(Long.class).single();
        long psaId = insertIntegration(accountId, "PSA", shape.psaProvider(), psaConnectedAt);
        long rmmId = insertIntegration(accountId, "RMM", "Datto RMM", now.minusDays(150));

        // Synced organizations: every tenth was created in the platform long before the PSA linked it.
        jdbc.sql("""
                insert into organization (account_id, name, psa_integration_id, psa_kind, psa_external_id,
                                          psa_linked_at, created_at)
                select :account, :prefix || ' Customer ' || lpad(g::text, 5, '0'), :psa, 'PSA', 'CO-' || g,
                       :linked, case when g % 10 = 0 then :linked - interval '400 days' else :linked end
                from generate_series(1, :count) g""")
                .param("account", accountId).param("prefix", shape.name()).param("psa", psaId)
                .param("linked", psaConnectedAt).param("count", shape.syncedOrganizations())
                .update();
        jdbc.sql("""
                insert into organization (account_id, name, created_at)
                select :account, :prefix || ' Internal ' || lpad(g::text, 4, '0'), :created
                from generate_series(1, :count) g""")
                .param("account", accountId).param("prefix", shape.name())
                .param("created", now.minusDays(800)).param("count", shape.standaloneOrganizations())
                .update();

        // Items: kinds 0-2 (configuration, contact, location) come from the PSA in synced organizations,
        // except every fifth, which was added by hand; kinds 3-6 only ever exist in the platform.
        long items = jdbc.sql("""
                insert into item (account_id, organization_id, kind, name, psa_external_id, body)
                select o.account_id, o.id, k.kind, initcap(replace(k.kind, '_', ' ')) || ' ' || g,
                       case when o.psa_integration_id is not null and g % 7 < 3 and g % 5 <> 0
                            then o.psa_external_id || '-' || g end,
                       md5(o.id || ':' || g)
                from organization o
                cross join generate_series(1, :perOrganization) g
                cross join lateral (select (array['CONFIGURATION', 'CONTACT', 'LOCATION', 'PASSWORD', 'DOMAIN',
                                                  'DOCUMENT', 'FLEXIBLE_ASSET'])[1 + g % 7] as kind) k
                where o.account_id = :account""")
                .param("account", accountId).param("perOrganization", shape.itemsPerOrganization())
                .update();

        // Attachments: on the organization's first documents, or on the organization itself.
        long attachments = jdbc.sql("""
                insert into attachment (account_id, organization_id, item_id, file_name, content_type, content)
                select o.account_id, o.id,
                       (select i.id from item i where i.organization_id = o.id and i.kind = 'DOCUMENT'
                        order by i.id offset g - 1 limit 1),
                       'scan-' || o.id || '-' || g || '.pdf', 'application/pdf',
                       substring(convert_to(repeat(md5(o.id || ':' || g), :bytes / 32 + 1), 'UTF8') from 1 for :bytes)
                from organization o cross join generate_series(1, :perOrganization) g
                where o.account_id = :account""")
                .param("account", accountId).param("perOrganization", shape.attachmentsPerOrganization())
                .param("bytes", shape.attachmentBytes())
                .update();

        long related = jdbc.sql("""
                insert into related_item (account_id, source_item_id, target_item_id, note)
                select :account, id, next_id, 'runs on'
                from (select id, lead(id) over (partition by organization_id order by id) as next_id,
                             row_number() over (partition by organization_id order by id) as position
                      from item where account_id = :account) neighbours
                where next_id is not null and position <= :perOrganization""")
                .param("account", accountId).param("perOrganization", shape.relatedItemsPerOrganization())
                .update();
        // Links across organizations: stand-alone documents that point at synced configurations and back.
        related += jdbc.sql("""
                with standalone as (
                    select i.id, row_number() over (order by i.id) as n
                    from item i join organization o on o.id = i.organization_id
                    where i.account_id = :account and o.psa_integration_id is null and i.kind = 'DOCUMENT'),
                synced as (
                    select i.id, row_number() over (order by i.id) as n
                    from item i join organization o on o.id = i.organization_id
                    where i.account_id = :account and o.psa_integration_id is not null and i.kind = 'CONFIGURATION')
                insert into related_item (account_id, source_item_id, target_item_id, note)
                select :account, case when s.n % 2 = 0 then s.id else c.id end,
                       case when s.n % 2 = 0 then c.id else s.id end, 'documented in'
                from standalone s join synced c on c.n = s.n * 7""")
                .param("account", accountId)
                .update();

        // RMM devices: two in three matched to a configuration (synced or stand-alone), the rest unmatched.
        long devices = jdbc.sql("""
                with configurations as (
                    select id, row_number() over (order by organization_id, id) as n
                    from item where account_id = :account and kind = 'CONFIGURATION')
                insert into rmm_device (account_id, rmm_integration_id, external_id, hostname,
                                        matched_configuration_id, matched_kind, matched_at)
                select :account, :rmm, 'DEV-' || g, 'host-' || g,
                       c.id, case when c.id is not null then 'CONFIGURATION' end, case when c.id is not null then :now end
                from generate_series(1, :devices) g
                left join configurations c on g % 3 <> 0 and c.n = g""")
                .param("account", accountId).param("rmm", rmmId).param("devices", shape.rmmDevices())
                .param("now", now)
                .update();

        for (Role role : Role.values()) {
            if (role.isAccountRole()) {
                String username = username(shape.name(), role);
                users.create(accountId, username, shape.name() + " " + role.label(), username + "@example.com", role);
            }
        }
        if (shape.lastBackupAge() != null) {
            jdbc.sql("""
                    insert into account_backup (account_id, kind, requested_by, completed_at, note)
                    values (:account, 'PLATFORM_EXPORT', 'scheduled-export', :completed, 'Nightly export')""")
                    .param("account", accountId).param("completed", now.minus(shape.lastBackupAge()))
                    .update();
        }
        long organizations = (long) shape.syncedOrganizations() + shape.standaloneOrganizations();
        GeneratedAccount generated = new GeneratedAccount(accountId, psaId, rmmId, organizations, items, attachments,
                related, devices, Duration.ofNanos(System.nanoTime() - started));
        log.info("Generated account '{}' (id {}): {} organizations, {} items, {} attachments, {} related items, "
                        + "{} RMM devices in {} ms", shape.name(), accountId, organizations, items, attachments, related,
                devices, generated.elapsed().toMillis());
        return generated;
    }

    /** Refreshes the planner's statistics after a large generation. */
    public void analyze() {
        jdbc.sql("analyze organization, item, attachment, related_item, rmm_device").update();
    }

    private long insertIntegration(long accountId, String kind, String provider, OffsetDateTime createdAt) {
        return jdbc.sql("""
                insert into integration (account_id, kind, provider, name, created_at, updated_at, last_synced_at)
                values (:account, :kind, :provider, :name, :created, :created, now()) returning id""")
                .param("account", accountId).param("kind", kind).param("provider", provider)
                .param("name", provider).param("created", createdAt)
                .query(Long.class).single();
    }
}
