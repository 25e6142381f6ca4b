package io.psaremoval.test;

import io.psaremoval.account.PlatformUserRepository;
import io.psaremoval.account.Role;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Generates platform accounts of any size with set-based SQL (one INSERT ... SELECT per table and slice),
 * so that a million items take seconds. Used by the demo seed, the tests and the benchmarks.
 *
 * <p>Every account gets a PSA integration, synced organizations (every tenth one existed before the
 * PSA linked it), stand-alone organizations, items of the seven kinds (configurations, contacts and
 * locations mostly synced from the PSA, the rest only in the platform), attachments with bytes,
 * related items inside organizations and across synced and stand-alone ones, an RMM integration with
 * devices matched to configurations of both, one user per account role, and optionally an export.
 *
 * <p>Each statement commits on its own (the items are written by several connections at once, which
 * must see the committed organizations): call it outside a transaction. A failure leaves a partial
 * account behind.
 */
public class PlatformDataGenerator {

    private static final Logger log = LoggerFactory.getLogger(PlatformDataGenerator.class);
    private static final int WRITERS = Math.max(2, Math.min(4, Runtime.getRuntime().availableProcessors()));

    private final JdbcClient jdbc;
    private final PlatformUserRepository users;

    public PlatformDataGenerator(JdbcClient jdbc, PlatformUserRepository users) {
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

    public GeneratedAccount generate(AccountShape shape) {
        long started = System.nanoTime();
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        OffsetDateTime psaConnectedAt = now.minusDays(200);

        long accountId = jdbc.sql("""
                insert into account (name, bulk_delete_enabled, created_at) values (:name, :bulk, :created) returning id""")
                .param("name", shape.name()).param("bulk", shape.bulkDeleteEnabled()).param("created", now.minusDays(900))
                .query(Long.class).single();
        long psaId = insertIntegration(accountId, "PSA", shape.psaProvider(), psaConnectedAt);
        long rmmId = insertIntegration(accountId, "RMM", "Datto RMM", now.minusDays(150));

        // Synced organizations: every tenth was created in the platform long before the PSA linked it.
        timed("synced organizations", () -> jdbc.sql("""
                insert into organization (account_id, name, psa_integration_id, psa_kind, psa_external_id,
                                          psa_linked_at, created_at)
                select :account, :prefix || ' Customer ' || lpad(g::text, 5, '0'), :psa, 'PSA', 'CO-' || g,
                       :linked, case when g % 10 = 0 then :linked - interval '400 days' else :linked end
                from generate_series(1, :count) g""")
                .param("account", accountId).param("prefix", shape.name()).param("psa", psaId)
                .param("linked", psaConnectedAt).param("count", shape.syncedOrganizations())
                .update());
        timed("stand-alone organizations", () -> jdbc.sql("""
                insert into organization (account_id, name, created_at)
                select :account, :prefix || ' Internal ' || lpad(g::text, 4, '0'), :created
                from generate_series(1, :count) g""")
                .param("account", accountId).param("prefix", shape.name())
                .param("created", now.minusDays(800)).param("count", shape.standaloneOrganizations())
                .update());

        // Items, written in slices of organizations by several connections at once. Kinds 0-2
        // (configuration, contact, location) come from the PSA in synced organizations, except every
        // fifth, which was added by hand; kinds 3-6 only ever exist in the platform.
        long items = timed("items", () -> inSlices(accountId, slice -> jdbc.sql("""
                insert into item (account_id, organization_id, kind, name, psa_external_id, body)
                select o.account_id, o.id, kinds.kind[1 + g % 7], kinds.label[1 + g % 7] || ' ' || g,
                       case when o.psa_integration_id is not null and g % 7 < 3 and g % 5 <> 0
                            then o.psa_external_id || '-' || g end,
                       md5(o.id || ':' || g)
                from organization o
                cross join generate_series(1, :perOrganization) g
                cross join (select array['CONFIGURATION', 'CONTACT', 'LOCATION', 'PASSWORD', 'DOMAIN', 'DOCUMENT',
                                         'FLEXIBLE_ASSET'] as kind,
                                   array['Configuration', 'Contact', 'Location', 'Password', 'Domain', 'Document',
                                         'Flexible asset'] as label) kinds
                where o.account_id = :account and o.id % :slices = :slice""")
                .param("account", accountId).param("perOrganization", shape.itemsPerOrganization())
                .param("slices", WRITERS).param("slice", slice)
                .update()));

        // The statements below look items up per organization: the planner needs to know the new rows.
        jdbc.sql("analyze item").update();

        // Attachments: on the organization's first documents, or on the organization itself.
        long attachments = timed("attachments", () -> jdbc.sql("""
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
                .update());

        // Related items: the first items of every organization, each linked to the next.
        long related = timed("related items", () -> jdbc.sql("""
                insert into related_item (account_id, source_item_id, target_item_id, note)
                select o.account_id, first.id, first.next_id, 'runs on'
                from organization o
                cross join lateral (
                    select id, lead(id) over (order by id) as next_id
                    from (select id from item where organization_id = o.id order by id limit :perOrganization + 1) firsts
                ) first
                where o.account_id = :account and first.next_id is not null""")
                .param("account", accountId).param("perOrganization", shape.relatedItemsPerOrganization())
                .update());
        // Links across organizations: the n-th stand-alone organization's first document points at the
        // first configuration of the n-th synced organization, and that configuration's neighbour back.
        related += timed("links across organizations", () -> jdbc.sql("""
                with standalone as (
                    select id, row_number() over (order by id) as n from organization
                    where account_id = :account and psa_integration_id is null),
                synced as (
                    select id, row_number() over (order by id) as n from organization
                    where account_id = :account and psa_integration_id is not null),
                pairs as (
                    select (select id from item where organization_id = s.id and kind = 'DOCUMENT' order by id limit 1) as document,
                           (select id from item where organization_id = c.id and kind = 'CONFIGURATION' order by id limit 1) as configuration,
                           (select id from item where organization_id = c.id and kind = 'CONTACT' order by id limit 1) as contact
                    from standalone s join synced c on c.n = s.n)
                insert into related_item (account_id, source_item_id, target_item_id, note)
                select :account, source, target, 'documented in'
                from pairs, lateral (values (document, configuration), (contact, document)) as link(source, target)
                where source is not null and target is not null""")
                .param("account", accountId)
                .update());

        // RMM devices: two in three matched to a configuration (synced or stand-alone), the rest unmatched.
        long devices = timed("RMM devices", () -> jdbc.sql("""
                with configurations as (
                    select id, row_number() over (order by organization_id, id) as n
                    from (select id, organization_id from item where account_id = :account and kind = 'CONFIGURATION'
                          order by organization_id, id limit :devices) firsts)
                insert into rmm_device (account_id, rmm_integration_id, external_id, hostname,
                                        matched_configuration_id, matched_kind, matched_at)
                select :account, :rmm, 'DEV-' || g, 'host-' || g,
                       c.id, case when c.id is not null then 'CONFIGURATION' end, case when c.id is not null then :now end
                from generate_series(1, :devices) g
                left join configurations c on g % 3 <> 0 and c.n = g""")
                .param("account", accountId).param("rmm", rmmId).param("devices", shape.rmmDevices())
                .param("now", now)
                .update());

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

    /** Runs the statement once per slice of organizations, the slices at the same time on their own connections. */
    private long inSlices(long accountId, java.util.function.IntToLongFunction slice) {
        ExecutorService writers = Executors.newFixedThreadPool(WRITERS);
        try {
            List<Future<Long>> results = new ArrayList<>();
            for (int i = 0; i < WRITERS; i++) {
                int index = i;
                results.add(writers.submit(() -> slice.applyAsLong(index)));
            }
            long rows = 0;
            for (Future<Long> result : results) {
                rows += result.get();
            }
            return rows;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Generation of account " + accountId + " interrupted", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("Generation of account " + accountId + " failed: " + e.getCause().getMessage(),
                    e.getCause());
        } finally {
            writers.shutdownNow();
        }
    }

    /** Runs one generating statement and logs how long it took (DEBUG), for tuning. */
    private long timed(String step, LongSupplier statement) {
        long start = System.nanoTime();
        long rows = statement.getAsLong();
        log.debug("  {}: {} rows in {} ms", step, rows, (System.nanoTime() - start) / 1_000_000);
        return rows;
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
