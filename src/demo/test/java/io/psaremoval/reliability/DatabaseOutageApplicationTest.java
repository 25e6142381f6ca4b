package io.psaremoval.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.psaremoval.test.PlatformFixtures;
import io.psaremoval.test.AccountShape;
import io.psaremoval.test.GeneratedAccount;
import io.psaremoval.removal.RemovalMode;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.camunda.bpm.engine.runtime.Incident;
import org.camunda.bpm.engine.runtime.Job;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * PostgreSQL stops in the middle of a chunk (a fast shutdown: every connection is cut) and starts again. The
 * node's job fails, is retried on the configured back-off, and the removal completes as if nothing happened.
 * An outage that outlasts every retry leaves an incident, and a retry by the operator over REST (what Cockpit's
 * "retry" calls) completes the removal.
 */
class DatabaseOutageApplicationTest {

    private static final Duration BACK_OFF = Duration.ofSeconds(4);
    private static final Duration OUTAGE = Duration.ofSeconds(2);
    private static final String[] NODE_SETTINGS = {"--psa.removal.chunk-rows=40", "--psa.removal.job-time-budget=PT0S",
            "--psa.removal.job-retry-cycle=R3/PT" + BACK_OFF.toSeconds() + "S",
            // Waiting this long for a connection bridges a short outage.
            "--spring.datasource.hikari.connection-timeout=20000"};

    @TempDir
    static Path dataDirectory;

    static Cluster cluster;
    static PlatformFixtures fixtures;
    static JdbcClient jdbc;
    static ApplicationNode node;
    static GeneratedAccount twin;
    static ProcessInstance twinRemoval;

    @BeforeAll
    static void clusterOfOneNode() throws Exception {
        cluster = Cluster.start(dataDirectory);
        fixtures = cluster.fixtures();
        jdbc = cluster.jdbc();
        twin = fixtures.create(shape("Twin"));
        twinRemoval = cluster.driver().remove(twin, RemovalMode.DELETE);
        node = cluster.startNode("outage-node", NODE_SETTINGS);
    }

    @AfterAll
    static void stop() throws Exception {
        cluster.close();
    }

    /**
     * The deletion waits out a cooling-off period (its twin purged at once): an outage during the wait changes nothing;
     * one mid-chunk of the purge after it heals by itself. Then its restore is cut mid-write: the write rolls back whole,
     * is retried after the back-off, and the account is back exactly.
     */
    @Test
    void aShortOutageMidChunkHealsByItselfAfterTheBackOff() throws Exception {
        GeneratedAccount account = fixtures.create(shape("Short outage"));
        GeneratedAccount other = fixtures.create(shape("Other"));
        String otherBefore = fixtures.accountChecksum(other.accountId());
        long organization = syncedOrganizations(account).get(5);
        long items = itemsOf(organization);
        String before = fixtures.accountChecksum(account.accountId());
        cluster.giveCoolingOffPeriod(account, Duration.ofDays(1));
        ProcessInstance removal = cluster.decideWhileNodesRun(account, RemovalMode.DELETE);
        cluster.awaitPendingDeletion(removal.getId(), Duration.ofSeconds(60));
        cluster.outage(OUTAGE); // during the wait: nothing runs, nothing is lost
        assertThat(fixtures.count("select count(*) from listed_organization where psa_integration_id = :p",
                account.psaIntegrationId())).as("still out of sight after the outage").isZero();
        assertThat(itemsOf(organization)).isEqualTo(items);
        // The lock is taken before the period passes, so the node's purge waits on it whenever the job comes.
        try (Cluster.RowLock lock = cluster.lockThroughOutages("select id from attachment where organization_id = ? for update",
                organization)) {
            cluster.letTheCoolingOffPeriodPass(removal.getId());
            assertThat(cluster.awaitNodeWaitingOn(node.name(), "from attachment", Duration.ofSeconds(60)))
                    .contains("from attachment");
            cluster.outage(OUTAGE);
        }
        assertThat(itemsOf(organization)).as("the chunk cut by the outage left nothing half-done").isEqualTo(items);

        assertThat(cluster.awaitEnd(removal.getId(), Duration.ofSeconds(120)).getEndActivityId())
                .isEqualTo("EndEvent_IntegrationDeleted");
        List<Map<String, Object>> failures = jobLog(removal.getId(), 1);
        assertThat(failures).as("the job failed once, during the outage").hasSize(1);
        Timestamp failedAt = (Timestamp) failures.get(0).get("timestamp_");
        Map<String, Object> retried = jdbc.sql("""
                select timestamp_ from act_hi_job_log where job_id_ = :job and job_state_ = 2""")
                .param("job", failures.get(0).get("job_id_")).query().singleRow();
        Duration waited = Duration.between(failedAt.toInstant(), ((Timestamp) retried.get("timestamp_")).toInstant());
        System.out.printf("%nSHORT OUTAGE: job failed with \"%s\", %d retries left, retried %,d ms later%n%n",
                failures.get(0).get("job_exception_msg_"), failures.get(0).get("job_retries_"), waited.toMillis());
        assertThat(waited).as("retried after the configured back-off, not at once")
                .isGreaterThanOrEqualTo(BACK_OFF.minusMillis(500));
        assertThat(cluster.engine().getRuntimeService().createIncidentQuery().count()).isZero();
        assertSameOutcomeAsTheTwin(account, removal);
        assertThat(fixtures.accountChecksum(other.accountId())).isEqualTo(otherBefore);

        String administrator = fixtures.username(account, io.psaremoval.account.Role.ADMINISTRATOR);
        ProcessInstance restore = cluster.startRestore(administrator, removal.getId());
        cluster.await("the snapshot checked on the node", () -> cluster.engine().getTaskService().createTaskQuery()
                .processInstanceId(restore.getId()).taskDefinitionKey("UserTask_ConfirmRestore").count() == 1,
                Duration.ofSeconds(60));
        long device = jdbc.sql("select min(rmm_device_id) from removal_unmatched_device"
                + " where removal_id = (select id from removal where process_instance_id = :pid)")
                .param("pid", removal.getId()).query(Long.class).single();
        // Every row recreated in the write's open transaction, the devices' re-match waiting on the test's lock.
        try (Cluster.RowLock lock = cluster.lockThroughOutages("select id from rmm_device where id = ? for update", device)) {
            cluster.driver().complete(administrator, restore, Map.of("restoreConfirmation", "RESTORE"));
            assertThat(cluster.awaitNodeWaitingOn(node.name(), "update rmm_device", Duration.ofSeconds(60)))
                    .contains("update rmm_device");
            cluster.outage(OUTAGE);
        }
        assertThat(cluster.awaitEnd(restore.getId(), Duration.ofSeconds(120)).getEndActivityId())
                .isEqualTo("EndEvent_Restored");
        assertThat(jobLog(restore.getId(), 1)).as("the write failed once, during the outage").hasSize(1);
        assertThat(fixtures.accountChecksum(account.accountId())).as("back exactly, ids and all").isEqualTo(before);
        assertThat(cluster.engine().getRuntimeService().createIncidentQuery().count()).isZero();
    }

    @Test
    void anOutageThatOutlastsEveryRetryRaisesAnIncidentAndTheOperatorsRetryCompletesTheRemoval() throws Exception {
        GeneratedAccount account = fixtures.create(shape("Long outage"));
        // The database goes down at every attempt: the test holds the attachments of the first organization in scope
        // (from before the last decision, through every restart), so each attempt of the node waits inside its first
        // chunk, and PostgreSQL stops under it.
        long organization = syncedOrganizations(account).get(0);
        long items = itemsOf(organization);
        int outages = 0;
        ProcessInstance removal;
        try (Cluster.RowLock lock = cluster.lockThroughOutages("select id from attachment where organization_id = ? for update",
                organization)) {
            removal = cluster.decideWhileNodesRun(account, RemovalMode.DELETE);
            while (!awaitAttemptOrIncident(removal.getId())) {
                assertThat(outages).as("an incident after the retries of R3").isLessThan(8);
                cluster.outage(OUTAGE);
                outages++;
                printRetries(removal.getId(), outages);
            }
        }
        assertThat(itemsOf(organization)).as("every cut chunk rolled back whole").isEqualTo(items);
        Incident incident = cluster.engine().getRuntimeService().createIncidentQuery().processInstanceId(removal.getId())
                .singleResult();
        EngineRest operator = new EngineRest(node.baseUri(), "operator", ApplicationNode.OPERATOR_PASSWORD);
        EngineRest.Response incidents = operator.get("incident?processInstanceId=" + removal.getId()
                + "&firstResult=0&maxResults=10");
        System.out.printf("%nLONG OUTAGE: %d outages, incident in Cockpit: %s%n%n", outages, incidents.body());
        assertThat(incidents.status()).isEqualTo(200);
        assertThat(incidents.body()).hasSize(1);
        assertThat(incidents.body().get(0).path("incidentType").asText()).isEqualTo("failedJob");
        assertThat(incidents.body().get(0).path("activityId").asText()).isEqualTo("Task_HardDeleteIntegration");
        // The requester's and the operators' tasks say what happened in words, not the engine's "persistence layer".
        String instance = removal.getId();
        cluster.await("the stuck removal's tasks", () -> stuckFailure(instance) != null, Duration.ofSeconds(30));
        String failure = stuckFailure(instance);
        String requesters = jdbc.sql("""
                select t.description_ from act_ru_task t join removal_stuck_notice n on n.requester_task_id = t.id_
                join removal r on r.id = n.removal_id where r.process_instance_id = :pid""")
                .param("pid", instance).query(String.class).single();
        System.out.printf("the stuck removal's tasks say: %s%nthe requester's: %s%n", failure, requesters);
        assertThat(failure).contains("database").doesNotContain("persistence layer").contains(": ");
        String databasesOwnMessage = failure.substring(failure.indexOf(": ") + 2);
        assertThat(requesters).as("the words, not the database's own message").contains("database")
                .doesNotContain("persistence layer").doesNotContain(databasesOwnMessage);

        EngineRest.Response retry = operator.put("job/" + incident.getConfiguration() + "/retries", Map.of("retries", 1));
        assertThat(retry.status()).isEqualTo(204);
        assertThat(cluster.awaitEnd(removal.getId(), Duration.ofSeconds(120)).getEndActivityId())
                .isEqualTo("EndEvent_IntegrationDeleted");
        assertThat(cluster.engine().getRuntimeService().createIncidentQuery().count()).isZero();
        assertSameOutcomeAsTheTwin(account, removal);
    }

    /** @return true when the removal has an incident, false when the node's next attempt waits inside a chunk */
    private static boolean awaitAttemptOrIncident(String processInstanceId) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            if (hasIncident(processInstanceId)) {
                return true;
            }
            if (cluster.nodeWaitsOnLock(node.name())) {
                return false;
            }
            ApplicationNode.sleep(200);
        }
        throw new IllegalStateException("Neither another attempt nor an incident within 60 s\n"
                + cluster.describe(processInstanceId));
    }

    /** The failure a stuck removal's tasks name, or null before the node has opened them. */
    private static String stuckFailure(String processInstanceId) {
        return jdbc.sql("""
                select n.failure from removal_stuck_notice n join removal r on r.id = n.removal_id
                where r.process_instance_id = :pid""").param("pid", processInstanceId).query(String.class)
                .optional().orElse(null);
    }

    private static boolean hasIncident(String processInstanceId) {
        return cluster.engine().getRuntimeService().createIncidentQuery().processInstanceId(processInstanceId).count() > 0;
    }

    private static void printRetries(String processInstanceId, int outages) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (jobLog(processInstanceId, 1).size() < outages && System.nanoTime() < deadline) {
            ApplicationNode.sleep(200);
        }
        Job job = cluster.engine().getManagementService().createJobQuery().processInstanceId(processInstanceId).singleResult();
        System.out.printf("outage %d: %d failures recorded, %d retries left, next attempt at %s%n", outages,
                jobLog(processInstanceId, 1).size(), job.getRetries(), job.getDuedate());
    }

    private static void assertSameOutcomeAsTheTwin(GeneratedAccount account, ProcessInstance removal) {
        assertThat(fixtures.endState(account.accountId())).isEqualTo(fixtures.endState(twin.accountId()));
        assertThat(fixtures.removalCounts(removal.getId())).isEqualTo(fixtures.removalCounts(twinRemoval.getId()));
        assertThat(jdbc.sql("""
                select count(*) from rmm_unmatch_notice n join removal r on r.id = n.removal_id
                where r.process_instance_id = :pid""").param("pid", removal.getId()).query(Long.class).single())
                .isEqualTo(1);
    }

    /** The job log entries of the removal in one state (1 failed, 2 successful). */
    private static List<Map<String, Object>> jobLog(String processInstanceId, int state) {
        return jdbc.sql("""
                select job_id_, timestamp_, job_retries_, job_exception_msg_ from act_hi_job_log
                where process_instance_id_ = :pid and job_state_ = :state order by timestamp_""")
                .param("pid", processInstanceId).param("state", state).query().listOfRows();
    }

    private static List<Long> syncedOrganizations(GeneratedAccount account) {
        return jdbc.sql("select id from organization where psa_integration_id = :psa order by id")
                .param("psa", account.psaIntegrationId()).query(Long.class).list();
    }

    private static long itemsOf(long organization) {
        return fixtures.count("select count(*) from item where organization_id = :p", organization);
    }

    private static AccountShape shape(String name) {
        return new AccountShape(name + " " + System.nanoTime(), "Kaseya BMS", 20, 2, 20, 2, 64, 3, 20, true,
                Duration.ofHours(1));
    }
}
