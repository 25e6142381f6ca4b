package io.psaremoval.removal;

import io.psaremoval.test.RemovalDriver;
import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import io.psaremoval.test.PlatformFixtures;
import io.psaremoval.PlatformTest;
import io.psaremoval.test.AccountShape;
import io.psaremoval.test.GeneratedAccount;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * Removals of small accounts back to back, alternately deleted and disconnected: every one ends as it should, without
 * an incident, and the connection pool and the heap are where they were. Eighty in {@code mvn verify}; a longer soak
 * with {@code -Dsoak.removals=1000} (a checkpoint every quarter of them).
 */
@PlatformTest
class SoakTest {

    private static final int REMOVALS = Integer.getInteger("soak.removals", 80);
    private static final int CHECKPOINT = Math.max(1, REMOVALS / 4);

    @Autowired
    PlatformFixtures fixtures;
    @Autowired
    RemovalDriver driver;
    @Autowired
    RuntimeService runtime;
    @Autowired
    HistoryService history;
    @Autowired
    DataSource dataSource;

    record Checkpoint(int removals, long seconds, long heapAfterGcMegabytes, int activeConnections, int idleConnections,
            int totalConnections, int threadsAwaitingConnection) {
    }

    @Test
    void twoHundredRemovalsBackToBack() {
        HikariPoolMXBean pool = ((HikariDataSource) dataSource).getHikariPoolMXBean();
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        List<Checkpoint> checkpoints = new ArrayList<>();
        long incidentsBefore = runtime.createIncidentQuery().count();
        long started = System.nanoTime();
        for (int i = 1; i <= REMOVALS; i++) {
            RemovalMode mode = i % 2 == 0 ? RemovalMode.DELETE : RemovalMode.DISCONNECT;
            GeneratedAccount account = fixtures.create(new AccountShape("Soak " + System.nanoTime() + " " + i,
                    "HaloPSA", 5, 1, 10, 1, 32, 1, 3, true, Duration.ofHours(1)));
            ProcessInstance removal = driver.remove(account, mode);
            assertThat(history.createHistoricProcessInstanceQuery().processInstanceId(removal.getId()).singleResult()
                    .getEndActivityId()).as("removal %d", i).isEqualTo(mode == RemovalMode.DELETE
                    ? "EndEvent_IntegrationDeleted" : "EndEvent_IntegrationDisconnected");
            if (i % CHECKPOINT == 0) {
                System.gc();
                checkpoints.add(new Checkpoint(i, (System.nanoTime() - started) / 1_000_000_000,
                        memory.getHeapMemoryUsage().getUsed() / (1024 * 1024), pool.getActiveConnections(),
                        pool.getIdleConnections(), pool.getTotalConnections(), pool.getThreadsAwaitingConnection()));
            }
        }
        System.out.printf("%nSOAK: %d removals back to back%n  removals  seconds  heap after GC (MB)  connections "
                + "active/idle/total  waiting%n", REMOVALS);
        checkpoints.forEach(c -> System.out.printf("  %8d  %7d  %18d  %7d/%d/%d  %15d%n", c.removals(), c.seconds(),
                c.heapAfterGcMegabytes(), c.activeConnections(), c.idleConnections(), c.totalConnections(),
                c.threadsAwaitingConnection()));
        System.out.println();

        assertThat(runtime.createIncidentQuery().count()).as("no incident of the soak's removals").isEqualTo(incidentsBefore);
        for (Checkpoint checkpoint : checkpoints) {
            assertThat(checkpoint.activeConnections()).as("no connection leaks").isZero();
            assertThat(checkpoint.threadsAwaitingConnection()).isZero();
        }
        long growth = checkpoints.get(checkpoints.size() - 1).heapAfterGcMegabytes() - checkpoints.get(0).heapAfterGcMegabytes();
        assertThat(growth).as("heap after GC from removal %d to %d", CHECKPOINT, REMOVALS).isLessThan(32);
    }
}
