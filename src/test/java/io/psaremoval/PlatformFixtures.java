package io.psaremoval;

import io.psaremoval.account.Role;
import io.psaremoval.demo.AccountShape;
import io.psaremoval.demo.GeneratedAccount;
import io.psaremoval.demo.PlatformDataGenerator;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/** Small generated accounts with unique names, and checksums of their data, for tests. */
@Component
public class PlatformFixtures {

    private static final AtomicInteger sequence = new AtomicInteger();

    private final PlatformDataGenerator generator;
    private final JdbcClient jdbc;

    PlatformFixtures(PlatformDataGenerator generator, JdbcClient jdbc) {
        this.generator = generator;
        this.jdbc = jdbc;
    }

    /** A small account: 12 synced and 3 stand-alone organizations with 14 items each, a fresh backup, bulk delete on. */
    public static AccountShape smallAccount() {
        return new AccountShape("Test " + System.nanoTime() + "-" + sequence.incrementAndGet(), "ConnectWise Manage",
                12, 3, 14, 2, 64, 3, 40, true, Duration.ofHours(1));
    }

    public GeneratedAccount create(AccountShape shape) {
        return generator.generate(shape);
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

    public String integrationName(long integrationId) {
        return jdbc.sql("select name from integration where id = :id").param("id", integrationId).query(String.class).single();
    }

    public long count(String sql, long parameter) {
        return jdbc.sql(sql).param("p", parameter).query(Long.class).single();
    }
}
