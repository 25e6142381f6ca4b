package io.psaremoval.schema;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.psaremoval.PlatformTest;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

/**
 * V20 records what each hard delete deleted, organization by organization, and fills the record in for the deletes that
 * ended before it. A restore trusts that record, so the backfill must claim only what it can know: a delete that
 * finished with one snapshot, of the round it was confirmed under last, with as many organizations counted deleted as
 * that round held. Run on a database of its own, migrated to V19, given such removals, then migrated on.
 */
@PlatformTest
class DeletedOrganizationsBackfillTest {

    private static final OffsetDateTime ENDED = OffsetDateTime.of(2026, 1, 2, 3, 4, 5, 0, ZoneOffset.UTC);

    @Autowired
    DataSource dataSource;
    @Autowired
    JdbcClient jdbc;

    record Recorded(long removalId, long organizationId, int scopeRound, OffsetDateTime deletedAt) {
    }

    @Test
    void onlyDeletesFinishedWithOneSnapshotOfTheirLastRoundAndEveryOrganizationCountedAreRecorded() {
        String database = "v20_backfill_" + System.nanoTime();
        SingleConnectionDataSource scratch = null;
        try {
            jdbc.sql("create database " + database).update();
            scratch = scratchDatabase(database);
            migrate(scratch, "19");
            JdbcClient db = JdbcClient.create(scratch);
            long account = db.sql("insert into account (name) values ('Backfill') returning id").query(Long.class).single();
            long finished = delete(db, account, "finished", "DELETED", 2, List.of(2), 3);
            delete(db, account, "two-snapshots", "DELETED", 2, List.of(1, 2), 3);
            delete(db, account, "stopped-part-way", "DELETED", 1, List.of(1), 2);
            delete(db, account, "cancelled-after-chunks", "CANCELLED", 1, List.of(1), 3);
            delete(db, account, "snapshot-of-an-older-round", "DELETED", 2, List.of(1), 3);

            migrate(scratch, "20");

            List<Recorded> recorded = db.sql("""
                    select removal_id, organization_id, scope_round, deleted_at from removal_deleted_organization
                    order by removal_id, organization_id""").query(Recorded.class).list();
            assertThat(recorded).as("the finished delete's last round, every organization of it, when it ended")
                    .containsExactly(new Recorded(finished, 20_001, 2, ENDED), new Recorded(finished, 20_002, 2, ENDED),
                            new Recorded(finished, 20_003, 2, ENDED));
        } finally {
            if (scratch != null) {
                scratch.destroy();
            }
            jdbc.sql("drop database if exists " + database + " with (force)").update();
        }
    }

    /**
     * A hard delete as V19 recorded it: scope rounds 1 to {@code lastRound} of three organizations each (round r holds
     * organizations r0001 to r0003), a verified snapshot of each round in {@code snapshotRounds}, and {@code counted}
     * organizations counted deleted.
     */
    private static long delete(JdbcClient db, long account, String key, String status, int lastRound,
            List<Integer> snapshotRounds, int counted) {
        long removal = db.sql("""
                insert into removal (process_instance_id, business_key, requested_by, requester_role, account_id, status,
                                     mode, chosen_mode, confirmed_by, confirmed_at, ended_at)
                values (:key, :key, 'admin', 'ADMINISTRATOR', :account, :status, 'DELETE', 'DELETE', 'admin', :ended,
                        :ended)
                returning id""")
                .param("key", key).param("account", account).param("status", status).param("ended", ENDED)
                .query(Long.class).single();
        for (int round = 1; round <= lastRound; round++) {
            db.sql("""
                    insert into removal_scope_round (removal_id, round, organizations, delete_checksum, disconnect_checksum)
                    values (:removal, :round, 3, 'checksum', 'checksum')""")
                    .param("removal", removal).param("round", round).update();
            db.sql("""
                    insert into removal_scope (removal_id, round, organization_id, delete_rows, delete_fingerprint,
                                               disconnect_rows, disconnect_fingerprint)
                    select :removal, :round, :round * 10000 + g, 1, 1, 1, 1 from generate_series(1, 3) g""")
                    .param("removal", removal).param("round", round).update();
        }
        db.sql("update removal set scope_round = :round where id = :removal")
                .param("round", lastRound).param("removal", removal).update();
        for (int round : snapshotRounds) {
            db.sql("""
                    insert into account_backup (account_id, kind, requested_by, location, sha256, removal_id, scope_round,
                                                verified_at, expires_at)
                    values (:account, 'SCOPE_SNAPSHOT', 'admin', 'snapshot.zip', 'sha', :removal, :round, now(),
                            now() + interval '30 days')""")
                    .param("account", account).param("removal", removal).param("round", round).update();
        }
        db.sql("insert into removal_count (removal_id, action, kind, rows) values (:removal, 'DELETED', 'ORGANIZATION', :rows)")
                .param("removal", removal).param("rows", counted).update();
        return removal;
    }

    private static void migrate(DataSource database, String version) {
        PlatformSchemaMigration.configure(database).target(version).load().migrate();
    }

    private SingleConnectionDataSource scratchDatabase(String database) {
        HikariDataSource platform = (HikariDataSource) dataSource;
        String current = jdbc.sql("select current_database()").query(String.class).single();
        // The database is the URL's path: "jdbc:postgresql://host:port/<database>[?parameters]".
        String url = platform.getJdbcUrl().replaceFirst("/" + Pattern.quote(current) + "(?=\\?|$)",
                "/" + database);
        return new SingleConnectionDataSource(url, platform.getUsername(), platform.getPassword(), true);
    }
}
