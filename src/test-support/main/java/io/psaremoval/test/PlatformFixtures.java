package io.psaremoval.test;

import io.psaremoval.engine.IdentityMirror;
import io.psaremoval.account.PlatformUserRepository;
import io.psaremoval.account.Role;
import io.psaremoval.test.AccountShape;
import io.psaremoval.test.GeneratedAccount;
import io.psaremoval.test.PlatformDataGenerator;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.jdbc.core.simple.JdbcClient;

/** Small generated accounts with unique names, and checksums of their data, for tests. */
public class PlatformFixtures {

    private static final AtomicInteger sequence = new AtomicInteger();

    /** Every test user's password. */
    public static final String PASSWORD = "test-password-1";

    private final PlatformDataGenerator generator;
    private final JdbcClient jdbc;
    private final PlatformUserRepository users;
    private final IdentityMirror identity;

    public PlatformFixtures(PlatformDataGenerator generator, JdbcClient jdbc, PlatformUserRepository users,
            IdentityMirror identity) {
        this.generator = generator;
        this.jdbc = jdbc;
        this.users = users;
        this.identity = identity;
    }

    /** A small account: 12 synced and 3 stand-alone organizations with 14 items each, a fresh backup, bulk delete on. */
    public static AccountShape smallAccount() {
        return new AccountShape("Test " + System.nanoTime() + "-" + sequence.incrementAndGet(), "ConnectWise Manage",
                12, 3, 14, 2, 64, 3, 40, true, Duration.ofHours(1));
    }

    /** Generates the account and makes its users (and the platform's support agent and auditor) engine users. */
    public GeneratedAccount create(AccountShape shape) {
        GeneratedAccount account = generator.generate(shape);
        ensureStaff("support", Role.SUPPORT);
        ensureStaff("auditor", Role.AUDITOR);
        users.findAll().stream()
                .filter(user -> user.accountId() == null || user.accountId() == account.accountId())
                .forEach(user -> identity.mirror(user, PASSWORD));
        return account;
    }

    private void ensureStaff(String username, Role role) {
        if (users.findActiveByUsername(username).isEmpty()) {
            users.create(null, username, username, username + "@example.com", role);
        }
    }

    /** A support agent of their own (the shared "support" user stays as it is), mirrored into the engine. */
    public String createSupportAgent() {
        String username = "support-" + sequence.incrementAndGet() + "-" + System.nanoTime();
        users.create(null, username, "Support Agent", username + "@example.com", Role.SUPPORT);
        identity.mirror(users.findActiveByUsername(username).orElseThrow(), PASSWORD);
        return username;
    }

    /** Another user of the account with the role (say, a second Administrator), mirrored into the engine. */
    public String createUser(GeneratedAccount account, Role role) {
        String username = username(account, role) + "-" + sequence.incrementAndGet();
        users.create(account.accountId(), username, "Second " + role.label() + " " + sequence.get(),
                username + "@example.com", role);
        identity.mirror(users.findActiveByUsername(username).orElseThrow(), PASSWORD);
        return username;
    }

    public GeneratedAccount create() {
        return create(smallAccount());
    }

    public String username(GeneratedAccount account, Role role) {
        String name = jdbc.sql("select name from account where id = :id").param("id", account.accountId())
                .query(String.class).single();
        return PlatformDataGenerator.username(name, role);
    }

    /** Checksum of all the data an account holds, every column (integrations aside: their status is asserted on its own). */
    public String accountChecksum(long accountId) {
        return jdbc.sql("""
                select md5(concat_ws('|',
                    (select string_agg(t::text, ',' order by t.id) from account t where t.id = :a),
                    (select string_agg(t::text, ',' order by t.id) from organization t where t.account_id = :a),
                    (select string_agg(t::text, ',' order by t.id) from item t where t.account_id = :a),
                    (select string_agg(t::text, ',' order by t.id) from attachment t where t.account_id = :a),
                    (select string_agg(t::text, ',' order by t.id) from related_item t where t.account_id = :a),
                    (select string_agg(t::text, ',' order by t.id) from rmm_device t where t.account_id = :a)))""")
                .param("a", accountId).query(String.class).single();
    }

    /**
     * What an account holds, without ids and without its name: equal for two accounts generated with one shape
     * and treated alike, so that a removal can be compared with the same removal done another way.
     */
    public String endState(long accountId) {
        String accountName = jdbc.sql("select name from account where id = :a").param("a", accountId)
                .query(String.class).single();
        return jdbc.sql("""
                select concat_ws(' | ',
                  (select md5(string_agg(replace(name, :name, '') || coalesce(psa_external_id, '-'), ',' order by name)) from organization where account_id = :a),
                  (select md5(string_agg(x, ',' order by x)) from (select replace(o.name, :name, '') || '/' || i.kind || '/' || i.name
                       || '/' || coalesce(i.psa_external_id, '-') as x from item i join organization o on o.id = i.organization_id
                       where i.account_id = :a) items),
                  (select count(*)::text from attachment where account_id = :a),
                  (select count(*)::text from related_item where account_id = :a),
                  (select md5(string_agg(x, ',' order by x)) from (select d.external_id || '/' || coalesce(i.name, '-') as x
                       from rmm_device d left join item i on i.id = d.matched_configuration_id where d.account_id = :a) devices),
                  (select string_agg(kind || ':' || status, ',' order by kind) from integration where account_id = :a))""")
                .param("a", accountId).param("name", accountName).query(String.class).single();
    }

    /** What a removal counted, per action and kind, e.g. {@code DELETED ITEM/CONFIGURATION=120}. */
    public Map<String, Long> removalCounts(String processInstanceId) {
        Map<String, Long> counts = new TreeMap<>();
        jdbc.sql("""
                select c.action || ' ' || c.kind as key, c.rows from removal_count c join removal r on r.id = c.removal_id
                where r.process_instance_id = :pid""").param("pid", processInstanceId)
                .query((rs, n) -> counts.put(rs.getString(1), rs.getLong(2))).list();
        return counts;
    }

    public String integrationStatus(long integrationId) {
        return jdbc.sql("select status from integration where id = :id").param("id", integrationId).query(String.class).single();
    }

    /** The id of the removal record of a process instance of the removal. */
    public long removalId(String processInstanceId) {
        return jdbc.sql("select id from removal where process_instance_id = :pid").param("pid", processInstanceId)
                .query(Long.class).single();
    }

    /** A deletion's cooling-off period is over: its purge_after behind the database's clock, which the purge obeys. */
    public void purgeDueNow(String processInstanceId) {
        jdbc.sql("update removal set purge_after = now() - interval '1 second' where process_instance_id = :pid"
                + " and status = 'PENDING_DELETION'").param("pid", processInstanceId).update();
    }

    public String integrationName(long integrationId) {
        return jdbc.sql("select name from integration where id = :id").param("id", integrationId).query(String.class).single();
    }

    public long count(String sql, long parameter) {
        return jdbc.sql(sql).param("p", parameter).query(Long.class).single();
    }

    /**
     * A removal's record with no process behind it, under round 1 of its scope (as a delete always runs under a
     * confirmed round): for tests that call the platform adapter's writes directly.
     */
    public long removalRecordUnderRoundOne(String requestedBy) {
        long removal = jdbc.sql("""
                insert into removal (process_instance_id, business_key, requested_by, requester_role)
                values (:id, :id, :by, 'MANAGER') returning id""")
                .param("id", requestedBy + "-" + System.nanoTime()).param("by", requestedBy).query(Long.class).single();
        jdbc.sql("""
                insert into removal_scope_round (removal_id, round, organizations, delete_checksum, disconnect_checksum)
                values (:id, 1, 0, '', '')""").param("id", removal).update();
        jdbc.sql("update removal set scope_round = 1 where id = :id").param("id", removal).update();
        return removal;
    }
}
