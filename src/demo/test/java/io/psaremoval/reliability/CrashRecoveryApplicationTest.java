package io.psaremoval.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.psaremoval.test.PlatformFixtures;
import io.psaremoval.test.AccountShape;
import io.psaremoval.test.GeneratedAccount;
import io.psaremoval.removal.RemovalMode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.camunda.bpm.engine.history.HistoricProcessInstance;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * A node is killed (SIGKILL) part-way through a removal, at one point after another, and a fresh node
 * takes over each time; in the end the removal has completed by itself. The kill points are made exact by
 * the test holding a lock that the node's next statement needs: the node is provably inside the step when
 * it dies. The end state is compared with the same removal run uninterrupted on a twin account.
 */
class CrashRecoveryApplicationTest {

    /** Small chunks, one per job (as in the driver's test profile): a removal of many chunks and jobs. */
    private static final String[] ONE_CHUNK_PER_JOB = {"--psa.removal.chunk-rows=40", "--psa.removal.job-time-budget=PT0S"};
    /** Small chunks, jobs of production's length: a killed job has committed chunks the engine never heard of. */
    private static final String[] PRODUCTION_JOBS = {"--psa.removal.chunk-rows=40", "--psa.removal.job-time-budget=PT30S"};

    @TempDir
    static Path dataDirectory;

    static Cluster cluster;
    static PlatformFixtures fixtures;
    static JdbcClient jdbc;
    static int nodes;

    @BeforeAll
    static void cluster() throws Exception {
        cluster = Cluster.start(dataDirectory);
        fixtures = cluster.fixtures();
        jdbc = cluster.jdbc();
    }

    @AfterAll
    static void stop() throws Exception {
        cluster.close();
    }

    /**
     * A hard delete under a cooling-off period (its twin purges at once): killed during the snapshot, while moving its
     * scope out of sight, mid-chunk of the purge after the wait, between chunks and during the RMM notice.
     */
    @Test
    void hardDeleteKilledDuringTheSnapshotOutOfSightMidPurgeBetweenChunksAndDuringTheNoticeCompletesAsIfUninterrupted()
            throws Exception {
        Scenario scenario = new Scenario(RemovalMode.DELETE, ONE_CHUNK_PER_JOB, Duration.ofDays(1));
        Map<Long, Long> itemsBefore = new java.util.HashMap<>();
        scenario.synced.forEach(organization -> itemsBefore.put(organization, itemsOf(organization)));

        // The snapshot is written to the store and read back; recording it key-shares the removal row, which the test
        // holds for update.
        assertThat(scenario.killWhileWaitingOn("during the snapshot: written and verified, not yet recorded",
                "account_backup", "select id from removal where process_instance_id = ? for update", scenario.removal.getId()))
                .contains("insert into account_backup");
        assertThat(snapshotsRecorded(scenario)).as("a snapshot whose step was killed never counts").isZero();
        assertThat(scenario.rowsCounted()).isZero();

        // The removal row may be read and key-shared (the snapshot's record) but not updated: the move out of sight,
        // which locks it first, waits.
        assertThat(scenario.killWhileWaitingOn("moving out of sight: a fresh snapshot is recorded, the step has just"
                        + " started, nothing is out of sight yet", "for no key update", "select id from removal where process_instance_id = ? for no key update",
                scenario.removal.getId()))
                .contains("for no key update");
        assertThat(scenario.rowsCounted()).isZero();
        assertThat(snapshotsRecorded(scenario)).as("the fresh node took a fresh, verified snapshot").isEqualTo(1);
        assertThat(scenario.status()).isEqualTo("CONFIRMED");
        assertThat(fixtures.count("select count(*) from pending_deletion where removal_id = :p", scenario.removalId()))
                .isZero();

        // Counting the chunk's organizations needs a count row that the test is inserting in its open transaction. The
        // fresh node moves the scope out of sight and waits; once it does, a day passes (the removal's purge_after
        // behind the database's clock, its timer due): the node's purge has deleted the first chunk's links,
        // attachments and items, in its own open transaction, when it waits.
        String midChunk = scenario.killWhileWaitingOn("mid-chunk of the purge after the wait: the chunk's rows checked"
                + " against the confirmed scope and deleted in its open transaction, its organizations' count not yet"
                + " written", scenario::letTheCoolingOffPeriodPass, "removal_count",
                "insert into removal_count (removal_id, action, kind, rows) values (?, 'DELETED', 'ORGANIZATION', 0)",
                scenario.removalId());
        assertThat(midChunk).contains("delete from organization").contains("insert into removal_count");
        assertThat(scenario.rowsCounted()).as("the killed chunk counted nothing").isZero();
        assertThat(scenario.synced).as("nothing half-done in the killed chunk: every organization whole or gone")
                .allSatisfy(organization -> assertThat(itemsOf(organization)).isEqualTo(fixtures.count(
                        "select count(*) from organization where id = :p", organization) == 0
                        ? 0L : itemsBefore.get(organization)));

        long before = scenario.rowsCounted();
        String betweenChunks = scenario.killWhileWaitingOn("between chunks: a chunk is committed, the engine has "
                + "not yet recorded the end of its job", "ACT_RU_", "select id_ from act_ru_execution where id_ = ? for update",
                scenario.removal.getId());
        // The engine's bookkeeping of the job: its execution, or a variable of it (the first chunk's job adds some).
        assertThat(betweenChunks).containsIgnoringCase("act_ru_");
        assertThat(scenario.rowsCounted()).as("the chunk of the killed job committed").isGreaterThan(before);

        String notice = scenario.killWhileWaitingOn("during the RMM notice: every chunk is done, the notice is being "
                + "written", "rmm_unmatch_notice", "insert into rmm_unmatch_notice (removal_id, rmm_integration_id, device_count, payload) "
                + "values (?, ?, 0, 'held by the test')", scenario.removalId(), scenario.crashed.rmmIntegrationId());
        assertThat(notice).contains("rmm_unmatch_notice");

        scenario.finishOnAFreshNode("EndEvent_IntegrationDeleted");
        assertThat(fixtures.integrationStatus(scenario.crashed.psaIntegrationId())).isEqualTo("DELETED");
        assertThat(jdbc.sql("""
                select count(*) from rmm_unmatch_notice where removal_id = :removal and payload <> 'held by the test'""")
                .param("removal", scenario.removalId()).query(Long.class).single())
                .as("the RMM is told exactly once").isEqualTo(1);
        assertThat(noticeDevices(scenario.removalId())).isEqualTo(noticeDevices(scenario.twinRemovalId())).isPositive();

        // An Administrator restores the purged scope from its snapshot; the node writing it is killed mid-write (every
        // row recreated in its open transaction, the devices' re-match waiting on the test's lock), and a fresh node
        // restores it all: the account is back exactly as it was before the delete.
        String deleted = fixtures.accountChecksum(scenario.crashed.accountId());
        ProcessInstance restore = scenario.restoreUpToItsWrite();
        String midRestore = scenario.killWhileWaitingOn("mid-restore: every row recreated in its open transaction, the"
                + " devices' re-match waiting", "update rmm_device", "select id from rmm_device where id = ? for update",
                jdbc.sql("select min(rmm_device_id) from removal_unmatched_device where removal_id = :id")
                        .param("id", scenario.removalId()).query(Long.class).single());
        assertThat(midRestore).contains("update rmm_device");
        assertThat(fixtures.accountChecksum(scenario.crashed.accountId())).as("nothing of the killed write stayed")
                .isEqualTo(deleted);
        HistoricProcessInstance restored;
        try (ApplicationNode node = cluster.startNode("crash-restore-" + (++nodes), ONE_CHUNK_PER_JOB)) {
            restored = cluster.awaitEnd(restore.getId(), Duration.ofSeconds(120));
        }
        assertThat(restored.getEndActivityId()).isEqualTo("EndEvent_Restored");
        assertThat(fixtures.accountChecksum(scenario.crashed.accountId())).as("back exactly, ids and all")
                .isEqualTo(scenario.crashedBefore);
        assertThat(fixtures.accountChecksum(scenario.other.accountId())).isEqualTo(scenario.otherBefore);
    }

    @Test
    void disconnectKilledEarlyMidChunkAndBetweenChunksCompletesAsIfUninterrupted() throws Exception {
        Scenario scenario = new Scenario(RemovalMode.DISCONNECT, PRODUCTION_JOBS);

        assertThat(scenario.killWhileWaitingOn("early", "update removal", "select id from removal where process_instance_id = ? for update",
                scenario.removal.getId())).contains("update removal");

        long organization = scenario.synced.get(scenario.synced.size() / 2);
        assertThat(scenario.killWhileWaitingOn("mid-chunk: the chunk's organizations are locked, its synced items about "
                + "to be", "from item", "select id from item where organization_id = ? for update", organization))
                .contains("from item");
        assertThat(fixtures.count("select count(*) from organization where id = :p and psa_integration_id is not null",
                organization)).as("nothing half-done in the killed chunk").isEqualTo(1);

        long before = scenario.rowsCounted();
        // Jobs of production's length: the job takes every chunk left, commits each, then its flush waits.
        assertThat(scenario.killWhileWaitingOn("after the last chunk, before the engine records the job",
                "ACT_RU_EXECUTION", "select id_ from act_ru_execution where id_ = ? for update", scenario.removal.getId()))
                .containsIgnoringCase("act_ru_execution");
        assertThat(scenario.rowsCounted()).isGreaterThan(before);

        scenario.finishOnAFreshNode("EndEvent_IntegrationDisconnected");
        assertThat(fixtures.integrationStatus(scenario.crashed.psaIntegrationId())).isEqualTo("DISCONNECTED");
    }

    /** A removal on one account, the same removal uninterrupted on its twin, and a third account that must not change. */
    private static final class Scenario {
        final RemovalMode mode;
        final String[] nodeSettings;
        final GeneratedAccount crashed;
        final GeneratedAccount twin;
        final GeneratedAccount other;
        final String otherBefore;
        final String crashedBefore;
        final ProcessInstance twinRemoval;
        final ProcessInstance removal;
        final List<Long> synced;

        Scenario(RemovalMode mode, String[] nodeSettings) {
            this(mode, nodeSettings, Duration.ZERO);
        }

        /** With {@code coolingOff} above zero, the removal (not its twin) waits out that period before its purge. */
        Scenario(RemovalMode mode, String[] nodeSettings, Duration coolingOff) {
            this.mode = mode;
            this.nodeSettings = nodeSettings;
            String tag = mode + " " + System.nanoTime();
            crashed = fixtures.create(shape("Crashed " + tag));
            twin = fixtures.create(shape("Twin " + tag));
            other = fixtures.create(shape("Other " + tag));
            otherBefore = fixtures.accountChecksum(other.accountId());
            crashedBefore = fixtures.accountChecksum(crashed.accountId());
            synced = jdbc.sql("select id from organization where psa_integration_id = :psa order by id")
                    .param("psa", crashed.psaIntegrationId()).query(Long.class).list();
            // The uninterrupted run, in the driver: every job executed one after the other.
            twinRemoval = cluster.driver().remove(twin, mode);
            if (!coolingOff.isZero()) {
                cluster.giveCoolingOffPeriod(crashed, coolingOff);
            }
            // Up to the last decision; its first write step waits as a job for a node.
            removal = cluster.driver().decide(crashed, mode);
        }

        /**
         * Holds the lock, starts a fresh node, waits until the node waits on the lock, kills it, releases the lock.
         *
         * @return the statement the node was executing when it was killed
         */
        String killWhileWaitingOn(String point, String waitingIn, String lockSql, Object... parameters) throws Exception {
            return killWhileWaitingOn(point, () -> { }, waitingIn, lockSql, parameters);
        }

        /**
         * The same, with what happens while the node runs before it reaches the lock (it runs with the lock held).
         * {@code waitingIn}: a part of the statement the node waits in, so that no other wait of the node (another's
         * identity sync, say) counts.
         */
        String killWhileWaitingOn(String point, Runnable meanwhile, String waitingIn, String lockSql, Object... parameters)
                throws Exception {
            String name = "crash-" + mode.name().toLowerCase() + "-" + (++nodes);
            try (Cluster.RowLock lock = cluster.lock(lockSql, parameters)) {
                ApplicationNode node = cluster.startNode(name, nodeSettings);
                meanwhile.run();
                String statement = cluster.awaitNodeWaitingOn(name, waitingIn, Duration.ofSeconds(90));
                node.kill();
                System.out.printf("killed %s %s, %,d rows counted, while it ran: %s%n", name, point, rowsCounted(),
                        statement.replaceAll("\\s+", " "));
                return statement;
            }
        }

        void finishOnAFreshNode(String expectedEnd) throws Exception {
            HistoricProcessInstance ended;
            try (ApplicationNode node = cluster.startNode("crash-" + mode.name().toLowerCase() + "-" + (++nodes),
                    nodeSettings)) {
                ended = cluster.awaitEnd(removal.getId(), Duration.ofSeconds(120));
            }
            assertThat(ended.getEndActivityId()).isEqualTo(expectedEnd);
            assertThat(cluster.engine().getRuntimeService().createIncidentQuery().processInstanceId(removal.getId()).count())
                    .isZero();
            assertThat(fixtures.endState(crashed.accountId())).as("same data as the uninterrupted run")
                    .isEqualTo(fixtures.endState(twin.accountId()));
            Map<String, Long> counted = fixtures.removalCounts(removal.getId());
            assertThat(counted).as("every row counted once, as in the uninterrupted run").isNotEmpty()
                    .isEqualTo(fixtures.removalCounts(twinRemoval.getId()));
            assertThat(fixtures.accountChecksum(other.accountId())).as("no other account changed").isEqualTo(otherBefore);
        }

        long removalId() {
            return removalIdOf(removal.getId());
        }

        long twinRemovalId() {
            return removalIdOf(twinRemoval.getId());
        }

        /**
         * An Administrator of the crashed account starts "Restore deleted PSA data", chooses the removal's snapshot and
         * confirms after its check (run here): the write waits as a job for a node.
         */
        ProcessInstance restoreUpToItsWrite() {
            String administrator = fixtures.username(crashed, io.psaremoval.account.Role.ADMINISTRATOR);
            ProcessInstance restore = cluster.startRestore(administrator, removal.getId());
            cluster.driver().runJobs(restore);
            assertThat(cluster.engine().getRuntimeService().getVariable(restore.getId(), "restoreRefusal"))
                    .as("the snapshot's check").isNull();
            cluster.driver().complete(administrator, restore, Map.of("restoreConfirmation", "RESTORE"));
            return restore;
        }

        String status() {
            return jdbc.sql("select status from removal where id = :id").param("id", removalId()).query(String.class)
                    .single();
        }

        /**
         * Waits until a node has moved the scope out of sight (the removal waits for its period), checks that it is
         * out of sight, then lets the period pass: purge_after behind the database's clock, the timer due now.
         */
        void letTheCoolingOffPeriodPass() {
            cluster.awaitPendingDeletion(removal.getId(), Duration.ofSeconds(90));
            assertThat(fixtures.count("select count(*) from listed_organization where psa_integration_id = :p",
                    crashed.psaIntegrationId())).as("out of sight while it waits").isZero();
            assertThat(rowsCounted()).as("nothing purged during the wait").isZero();
            cluster.letTheCoolingOffPeriodPass(removal.getId());
        }

        long rowsCounted() {
            return fixtures.removalCounts(removal.getId()).values().stream().mapToLong(Long::longValue).sum();
        }
    }

    private static AccountShape shape(String name) {
        return new AccountShape(name, "Autotask", 30, 3, 20, 2, 64, 3, 30, true, Duration.ofHours(1));
    }

    private static long snapshotsRecorded(Scenario scenario) {
        return fixtures.count("select count(*) from account_backup where kind = 'SCOPE_SNAPSHOT' and removal_id = :p",
                scenario.removalId());
    }

    private static long itemsOf(long organization) {
        return fixtures.count("select count(*) from item where organization_id = :p", organization);
    }

    private static long removalIdOf(String processInstanceId) {
        return jdbc.sql("select id from removal where process_instance_id = :pid").param("pid", processInstanceId)
                .query(Long.class).single();
    }

    private static long noticeDevices(long removalId) {
        return fixtures.count("select coalesce(sum(device_count), 0) from rmm_unmatch_notice where removal_id = :p", removalId);
    }
}
