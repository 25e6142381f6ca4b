package io.psaremoval.removal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.psaremoval.PlatformTest;
import io.psaremoval.backup.BackupProperties;
import io.psaremoval.backup.BackupService;
import io.psaremoval.integration.Integrations;
import io.psaremoval.test.GeneratedAccount;
import io.psaremoval.test.PlatformFixtures;
import io.psaremoval.test.RemovalDriver;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
import javax.sql.DataSource;
import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.ManagementService;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.PlatformTransactionManager;

/**
 * A host may bring its own platform data adapter; whatever it is, a hard delete's chunk commits only with every
 * organization it deleted on record under the chunk's scope round, since that record is all a restore takes back.
 */
@PlatformTest
class DeletedOrganizationsOnRecordTest {

    @Autowired
    PlatformFixtures fixtures;
    @Autowired
    RemovalDriver driver;
    @Autowired
    JdbcClient jdbc;
    @Autowired
    DataSource dataSource;
    @Autowired
    ManagementService management;
    @Autowired
    HistoryService history;
    @Autowired
    RemovalService removalService;
    @Autowired
    RemovalRepository removals;
    @Autowired
    Integrations integrations;
    @Autowired
    RemovalRules rules;
    @Autowired
    RemovalSettings settings;
    @Autowired
    ScopeContract scope;
    @Autowired
    PlatformTransactionManager transactions;
    @Autowired
    BackupService backups;
    @Autowired
    BackupProperties backupProperties;

    /** The platform's adapter, with something done after each chunk it deletes, in the chunk's transaction. */
    class AfterEachChunk extends JdbcPlatformData {

        private final LongConsumer then;

        AfterEachChunk(LongConsumer then) {
            super(jdbc, dataSource, true);
            this.then = then;
        }

        @Override
        public int hardDelete(long removalId, int scopeRound, long psaIntegrationId, List<Long> organizations,
                ScopeGuard guard) {
            int deleted = super.hardDelete(removalId, scopeRound, psaIntegrationId, organizations, guard);
            then.accept(removalId);
            return deleted;
        }
    }

    /**
     * Two runs of the same delete at once (a job taken over after its lock expired): the second waits for the first's
     * chunk, then finds its organizations gone and on record, not its own doing, and goes on; neither fails.
     */
    @Test
    void twoRunsOfTheSameDeleteAtOnceTakeTurnsAndNeitherFails() throws Exception {
        GeneratedAccount account = fixtures.create();
        ProcessInstance removal = driver.decide(account, RemovalMode.DELETE);
        management.executeJob(management.createJobQuery().processInstanceId(removal.getId()).singleResult().getId());
        long removalId = removalService.get(removal.getId()).id();
        CountDownLatch deleted = new CountDownLatch(1);
        CountDownLatch commit = new CountDownLatch(1);
        AfterEachChunk held = new AfterEachChunk(ofRemoval -> { // holds its first chunk open until the test lets it commit
            deleted.countDown();
            try {
                commit.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        DataRemovalService first = new DataRemovalService(removalService, removals, integrations, held, rules,
                settings, scope, transactions, backups, backupProperties);
        DataRemovalService second = new DataRemovalService(removalService, removals, integrations,
                new JdbcPlatformData(jdbc, dataSource, true), rules, settings, scope, transactions, backups,
                backupProperties);
        ExecutorService two = Executors.newFixedThreadPool(2);
        try {
            Future<DataRemovalService.Progress> firstRun = two.submit(() -> first.hardDelete(removal.getId()));
            assertThat(deleted.await(60, TimeUnit.SECONDS)).as("the first run deleted its first chunk").isTrue();
            Future<DataRemovalService.Progress> secondRun = two.submit(() -> second.hardDelete(removal.getId()));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (jdbc.sql("select count(*) from pg_locks where not granted").query(Long.class).single() == 0) {
                assertThat(System.nanoTime()).as("the second run waits for the first's chunk").isLessThan(deadline);
                Thread.sleep(20);
            }
            commit.countDown();

            assertThat(firstRun.get(60, TimeUnit.SECONDS).scopeChanged()).isFalse();
            assertThat(secondRun.get(60, TimeUnit.SECONDS).scopeChanged()).as("neither run failed").isFalse();
        } finally {
            commit.countDown();
            two.shutdownNow();
        }
        driver.runJobs(removal);
        assertThat(history.createHistoricProcessInstanceQuery().processInstanceId(removal.getId()).singleResult()
                .getEndActivityId()).isEqualTo("EndEvent_IntegrationDeleted");
        assertThat(jdbc.sql("select count(*) from organization where psa_integration_id = :psa")
                .param("psa", account.psaIntegrationId()).query(Long.class).single()).isZero();
        assertThat(jdbc.sql("select count(*) from removal_deleted_organization where removal_id = :id")
                .param("id", removalId).query(Long.class).single())
                .as("every organization on record once").isEqualTo(removals.counts(removalId).get("DELETED").get("ORGANIZATION"));
    }

    @Test
    void aChunkThatLeavesWhatItDeletedOffTheRecordDeletesNothing() {
        GeneratedAccount account = fixtures.create();
        ProcessInstance removal = driver.decide(account, RemovalMode.DELETE);
        management.executeJob(management.createJobQuery().processInstanceId(removal.getId()).singleResult().getId());
        long removalId = removalService.get(removal.getId()).id();
        String before = fixtures.accountChecksum(account.accountId());
        DataRemovalService withForgetfulAdapter = new DataRemovalService(removalService, removals, integrations,
                new AfterEachChunk(ofRemoval -> jdbc.sql("delete from removal_deleted_organization where removal_id = :removal")
                        .param("removal", ofRemoval).update()), // loses its record of what it deleted
                rules, settings, scope, transactions, backups, backupProperties);

        assertThatThrownBy(() -> withForgetfulAdapter.hardDelete(removal.getId()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("AfterEachChunk) deleted")
                .hasMessageContaining("but put 0 on record under its scope round 1")
                .hasMessageContaining("the chunk is rolled back and nothing of it is deleted");

        assertThat(fixtures.accountChecksum(account.accountId())).as("nothing deleted").isEqualTo(before);
        assertThat(removals.total(removalId, "DELETED")).as("nothing counted").isZero();
        assertThat(jdbc.sql("select count(*) from removal_deleted_organization where removal_id = :id")
                .param("id", removalId).query(Long.class).single()).isZero();

        // The platform's own adapter, in the process's job, then deletes with every organization on record.
        driver.runJobs(removal);
        assertThat(history.createHistoricProcessInstanceQuery().processInstanceId(removal.getId()).singleResult()
                .getEndActivityId()).isEqualTo("EndEvent_IntegrationDeleted");
        assertThat(jdbc.sql("select count(*) from removal_deleted_organization where removal_id = :id and scope_round = 1")
                .param("id", removalId).query(Long.class).single())
                .isEqualTo(removals.counts(removalId).get("DELETED").get("ORGANIZATION"));
    }
}
