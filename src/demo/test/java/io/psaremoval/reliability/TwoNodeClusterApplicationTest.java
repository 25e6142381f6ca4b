package io.psaremoval.reliability;

import static io.psaremoval.camunda.RemovalVariables.INTEGRATION_DECISION;
import static io.psaremoval.camunda.RemovalVariables.INTEGRATION_ID;
import static org.assertj.core.api.Assertions.assertThat;

import io.psaremoval.test.PlatformFixtures;
import io.psaremoval.account.Role;
import io.psaremoval.test.AccountShape;
import io.psaremoval.test.GeneratedAccount;
import io.psaremoval.removal.RemovalMode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.camunda.bpm.engine.task.Task;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Camunda 7's homogeneous cluster: two nodes of the application, JVMs of their own, on one PostgreSQL, both
 * executing jobs. Twenty removals run on them at once, each exactly once; the same integration asked for on
 * both nodes at the same moment is removed once, and the other request is refused with a clear message.
 */
class TwoNodeClusterApplicationTest {

    /**
     * Chunks of one job each; no node is killed here, so jobs keep production's lock of 5 minutes (a job is never
     * taken over while its node still runs it); one job per acquisition and two threads with a queue of two per
     * node, so that one node can hold at most a few jobs at a time and the other always finds some.
     */
    private static final String[] NODE_SETTINGS = {"--psa.removal.chunk-rows=40", "--psa.removal.job-time-budget=PT0S",
            "--camunda.bpm.job-execution.lock-time-in-millis=300000",
            "--camunda.bpm.job-execution.max-jobs-per-acquisition=1",
            "--camunda.bpm.job-execution.core-pool-size=2", "--camunda.bpm.job-execution.max-pool-size=2",
            "--camunda.bpm.job-execution.queue-capacity=2"};
    private static final Pattern CHUNK_LINE = Pattern.compile(
            "Removal (\\S+): chunk of (\\d+) organizations \\(\\d+ items\\) (?:deleted|disconnected)");

    @TempDir
    static Path dataDirectory;

    static Cluster cluster;
    static PlatformFixtures fixtures;
    static JdbcClient jdbc;
    static ProcessEngine engine;
    static ApplicationNode nodeA;
    static ApplicationNode nodeB;

    record Planned(GeneratedAccount account, RemovalMode mode, ProcessInstance removal) {
    }

    static final List<Planned> planned = new ArrayList<>();
    static final Map<RemovalMode, GeneratedAccount> twins = new HashMap<>();
    static final Map<RemovalMode, ProcessInstance> twinRemovals = new HashMap<>();
    static GeneratedAccount contested;

    @BeforeAll
    static void twentyRemovalsWaitingForTwoNodes() throws Exception {
        cluster = Cluster.start(dataDirectory);
        fixtures = cluster.fixtures();
        jdbc = cluster.jdbc();
        engine = cluster.engine();
        for (RemovalMode mode : RemovalMode.values()) {
            twins.put(mode, fixtures.create(shape("Twin " + mode)));
            twinRemovals.put(mode, cluster.driver().remove(twins.get(mode), mode));
        }
        for (int i = 0; i < 20; i++) {
            RemovalMode mode = i % 2 == 0 ? RemovalMode.DELETE : RemovalMode.DISCONNECT;
            GeneratedAccount account = fixtures.create(shape("Concurrent " + i));
            // Each waits at its first write step: nothing runs until the nodes are up.
            planned.add(new Planned(account, mode, cluster.driver().decide(account, mode)));
        }
        contested = fixtures.create(shape("Contested"));
        // The first write step of a removal starts by moving its removal row to RUNNING. Holding those rows, the
        // test lets no job get past that point until each node is inside one: both nodes have then run jobs,
        // whichever started first, and neither can take every job (see NODE_SETTINGS).
        try (Cluster.RowLock held = cluster.lock("select id from removal where status in ('PENDING', 'CONFIRMED') for update")) {
            CompletableFuture<ApplicationNode> a = CompletableFuture.supplyAsync(() -> start("node-a"));
            CompletableFuture<ApplicationNode> b = CompletableFuture.supplyAsync(() -> start("node-b"));
            nodeA = a.join();
            nodeB = b.join();
            cluster.awaitNodeWaitingOn("node-a", "update removal", Duration.ofSeconds(120));
            cluster.awaitNodeWaitingOn("node-b", "update removal", Duration.ofSeconds(120));
        }
    }

    @AfterAll
    static void stop() throws Exception {
        cluster.close();
    }

    @Test
    void twentyConcurrentRemovalsEachCompleteExactlyOnce() throws Exception {
        for (Planned removal : planned) {
            String end = cluster.awaitEnd(removal.removal().getId(), Duration.ofSeconds(180)).getEndActivityId();
            assertThat(end).isEqualTo(removal.mode() == RemovalMode.DELETE ? "EndEvent_IntegrationDeleted"
                    : "EndEvent_IntegrationDisconnected");
        }
        String logs = nodeA.log() + nodeB.log();
        Map<String, Integer> organizationsPerRemoval = new HashMap<>();
        Matcher chunk = CHUNK_LINE.matcher(logs);
        while (chunk.find()) {
            organizationsPerRemoval.merge(chunk.group(1), Integer.parseInt(chunk.group(2)), Integer::sum);
        }
        for (Planned removal : planned) {
            GeneratedAccount twin = twins.get(removal.mode());
            assertThat(fixtures.endState(removal.account().accountId())).isEqualTo(fixtures.endState(twin.accountId()));
            assertThat(fixtures.removalCounts(removal.removal().getId())).as("every row counted once")
                    .isEqualTo(fixtures.removalCounts(twinRemovals.get(removal.mode()).getId()));
            String businessKey = jdbc.sql("select business_key from removal where process_instance_id = :pid")
                    .param("pid", removal.removal().getId()).query(String.class).single();
            assertThat(organizationsPerRemoval.get(businessKey)).as("no chunk of %s ran twice to completion", businessKey)
                    .isEqualTo(12);
        }

        Map<String, Long> jobsPerNode = new HashMap<>();
        jdbc.sql("select hostname_, count(*) from act_hi_job_log where job_state_ = 2 group by hostname_")
                .query((rs, n) -> jobsPerNode.put(rs.getString(1), rs.getLong(2))).list();
        long failedJobs = jdbc.sql("select count(*) from act_hi_job_log where job_state_ = 1").query(Long.class).single();
        long optimisticLocking = countOccurrences(logs, "OptimisticLockingException");
        System.out.printf("%nTWO NODES: successful jobs per node %s, failed job runs %d, incidents %d, "
                + "optimistic-locking log lines %d%n%n", jobsPerNode, failedJobs,
                engine.getRuntimeService().createIncidentQuery().count(), optimisticLocking);
        assertThat(jobsPerNode.getOrDefault("node-a", 0L)).as("node-a ran jobs").isPositive();
        assertThat(jobsPerNode.getOrDefault("node-b", 0L)).as("node-b ran jobs").isPositive();
        assertThat(failedJobs).as("no job failed, for optimistic locking or anything else").isZero();
        assertThat(engine.getRuntimeService().createIncidentQuery().count()).isZero();
    }

    /**
     * With both nodes running: a deletion waits out its cooling-off period out of sight, its timer fires and it is
     * purged once, ending as its twin (purged at once) did; then an Administrator restores it, the check and the
     * write on whichever node takes them, and the account is back exactly.
     */
    @Test
    void aPendingDeletionIsPurgedOnceAndRestoredOnceWhileTwoNodesRun() {
        GeneratedAccount account = fixtures.create(shape("Cooling off"));
        String before = fixtures.accountChecksum(account.accountId());
        cluster.giveCoolingOffPeriod(account, Duration.ofDays(1));
        ProcessInstance removal = cluster.decideWhileNodesRun(account, RemovalMode.DELETE);
        cluster.awaitPendingDeletion(removal.getId(), Duration.ofSeconds(120));
        assertThat(fixtures.count("select count(*) from listed_organization where psa_integration_id = :p",
                account.psaIntegrationId())).as("out of sight while it waits").isZero();
        assertThat(fixtures.accountChecksum(account.accountId())).as("nothing purged while it waits").isEqualTo(before);

        cluster.letTheCoolingOffPeriodPass(removal.getId());

        assertThat(cluster.awaitEnd(removal.getId(), Duration.ofSeconds(180)).getEndActivityId())
                .isEqualTo("EndEvent_IntegrationDeleted");
        assertThat(fixtures.endState(account.accountId())).isEqualTo(fixtures.endState(twins.get(RemovalMode.DELETE)
                .accountId()));
        assertThat(fixtures.removalCounts(removal.getId())).as("every row purged and counted once")
                .isEqualTo(fixtures.removalCounts(twinRemovals.get(RemovalMode.DELETE).getId()));

        String administrator = fixtures.username(account, Role.ADMINISTRATOR);
        ProcessInstance restore = cluster.startRestore(administrator, removal.getId());
        cluster.await("the snapshot checked on a node", () -> engine.getTaskService().createTaskQuery()
                .processInstanceId(restore.getId()).taskDefinitionKey("UserTask_ConfirmRestore").count() == 1,
                Duration.ofSeconds(120));
        cluster.driver().complete(administrator, restore, Map.of("restoreConfirmation", "RESTORE"));

        assertThat(cluster.awaitEnd(restore.getId(), Duration.ofSeconds(180)).getEndActivityId())
                .isEqualTo("EndEvent_Restored");
        assertThat(fixtures.accountChecksum(account.accountId())).as("back exactly, ids and all").isEqualTo(before);
        assertThat(jdbc.sql("""
                select count(*) from rmm_unmatch_notice where event = 'devices-rematched'
                  and removal_id = (select id from removal where process_instance_id = :pid)""")
                .param("pid", removal.getId()).query(Long.class).single()).as("the RMM told once").isOne();
    }

    @Test
    void theSameIntegrationAskedForOnBothNodesAtOnceIsRemovedOnce() throws Exception {
        EngineRest manager = new EngineRest(nodeA.baseUri(), fixtures.username(contested, Role.MANAGER),
                PlatformFixtures.PASSWORD);
        EngineRest administrator = new EngineRest(nodeB.baseUri(), fixtures.username(contested, Role.ADMINISTRATOR),
                PlatformFixtures.PASSWORD);
        String first = manager.startRemoval("Moving to HaloPSA");
        String second = administrator.startRemoval("Moving to HaloPSA");
        String firstTask = manager.openTask(first);
        String secondTask = administrator.openTask(second);
        Map<String, Object> choice = Map.of(INTEGRATION_ID, String.valueOf(contested.psaIntegrationId()),
                INTEGRATION_DECISION, "REMOVE");

        CountDownLatch together = new CountDownLatch(1);
        CompletableFuture<EngineRest.Response> onA = CompletableFuture.supplyAsync(() -> {
            await(together);
            return manager.complete(firstTask, choice);
        });
        CompletableFuture<EngineRest.Response> onB = CompletableFuture.supplyAsync(() -> {
            await(together);
            return administrator.complete(secondTask, choice);
        });
        together.countDown();
        EngineRest.Response onNodeA = onA.join();
        EngineRest.Response onNodeB = onB.join();

        // Either both choices are accepted and the reservation (a job) refuses the later one, which then ends
        // "Integration unavailable"; or one reservation commits before the other choice is checked, and that
        // choice is refused at the form, its task left open. Both are right; exactly one removal goes on.
        String winner;
        String loser;
        String reason;
        if (onNodeA.status() == 204 && onNodeB.status() == 204) {
            List<String> waiting = new ArrayList<>();
            List<String> refused = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (waiting.size() + refused.size() < 2 && System.nanoTime() < deadline) {
                waiting.clear();
                refused.clear();
                for (String removal : List.of(first, second)) {
                    if (waitsAt(removal, "UserTask_ChooseRemovalMode")) {
                        waiting.add(removal);
                    } else if (engine.getHistoryService().createHistoricProcessInstanceQuery().processInstanceId(removal)
                            .finished().count() == 1) {
                        refused.add(removal);
                    }
                }
                ApplicationNode.sleep(200);
            }
            assertThat(waiting).as("exactly one removal goes on").hasSize(1);
            assertThat(refused).as("the other is refused").hasSize(1);
            winner = waiting.get(0);
            loser = refused.get(0);
            assertThat(engine.getHistoryService().createHistoricProcessInstanceQuery().processInstanceId(loser)
                    .singleResult().getEndActivityId()).isEqualTo("EndEvent_IntegrationUnavailable");
            reason = (String) engine.getHistoryService().createHistoricVariableInstanceQuery().processInstanceId(loser)
                    .variableName("unavailableReason").singleResult().getValue();
            System.out.println("Both choices were accepted; the second reservation was refused: " + reason);
        } else {
            assertThat(List.of(onNodeA.status(), onNodeB.status())).as("one choice accepted, one refused at the form")
                    .containsExactlyInAnyOrder(204, 400);
            boolean aWon = onNodeA.status() == 204;
            winner = aWon ? first : second;
            loser = aWon ? second : first;
            reason = (aWon ? onNodeB : onNodeA).message();
            String accepted = winner;
            cluster.await("the accepted removal waits for its mode", () -> waitsAt(accepted, "UserTask_ChooseRemovalMode"),
                    Duration.ofSeconds(60));
            assertThat(waitsAt(loser, "UserTask_ChooseIntegration")).as("the refused choice's task stays open").isTrue();
            System.out.println("The second choice was refused at the form: " + reason);
        }
        String winnerKey = jdbc.sql("select business_key from removal where process_instance_id = :pid")
                .param("pid", winner).query(String.class).single();
        assertThat(reason).contains("is already being removed").contains(winnerKey);
        assertThat(fixtures.integrationStatus(contested.psaIntegrationId())).isEqualTo("REMOVING");
        assertThat(fixtures.count("select count(*) from removal where integration_id = :p and status in ('PENDING', 'RUNNING')",
                contested.psaIntegrationId())).isEqualTo(1);
    }

    private static boolean waitsAt(String processInstanceId, String taskDefinitionKey) {
        Task task = engine.getTaskService().createTaskQuery().processInstanceId(processInstanceId).singleResult();
        return task != null && task.getTaskDefinitionKey().equals(taskDefinitionKey);
    }

    private static ApplicationNode start(String name) {
        try {
            return cluster.startNode(name, NODE_SETTINGS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static AccountShape shape(String name) {
        return new AccountShape(name + " " + System.nanoTime(), "ConnectWise Manage", 12, 2, 15, 1, 64, 2, 10, true,
                Duration.ofHours(1));
    }

    private static long countOccurrences(String text, String word) {
        return Pattern.compile(Pattern.quote(word)).matcher(text).results().count();
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
