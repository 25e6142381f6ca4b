package io.psaremoval.benchmark;

import io.psaremoval.test.PlatformFixtures;
import io.psaremoval.test.AccountShape;
import io.psaremoval.test.GeneratedAccount;
import io.psaremoval.test.PlatformDataGenerator;
import io.psaremoval.test.RemovalDriver;
import io.psaremoval.removal.RemovalMode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryType;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.camunda.bpm.engine.ManagementService;
import org.camunda.bpm.engine.runtime.Job;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Measures a removal through the engine against the same removal as plain set-based SQL in one
 * transaction (the baseline, the physical limit of this database) on an account of the same shape,
 * while a concurrent writer keeps updating a third account. Checks that both leave the same data.
 */
@Component
public class RemovalBenchmarkRunner {

    record Result(RemovalMode mode, long items, long rows, double baselineSeconds, double processSeconds,
            long longestChunkMillis, long chunks, long longestJobMillis, long peakHeapMegabytes,
            long peakLiveHeapMegabytes, long jobs, long historyRows, long longestWriterWaitMillis, long writerUpdates,
            boolean identical) {

        void print() {
            System.out.printf("%nREMOVAL BENCHMARK: %s, %,d items (%,d rows written), %d cores%n", mode, items, rows,
                    Runtime.getRuntime().availableProcessors());
            System.out.printf("  baseline (raw SQL, one transaction) %8.1f s  %,10.0f rows/s%n", baselineSeconds,
                    rows / baselineSeconds);
            System.out.printf("  process (engine, chunked jobs)      %8.1f s  %,10.0f rows/s%n", processSeconds,
                    rows / processSeconds);
            System.out.printf("  ratio process / baseline            %8.2f%n", processSeconds / baselineSeconds);
            System.out.printf("  longest chunk transaction           %8d ms (of %d chunks)%n", longestChunkMillis, chunks);
            System.out.printf("  longest job                         %8d ms%n", longestJobMillis);
            System.out.printf("  peak heap used, garbage included    %8d MB above the start%n", peakHeapMegabytes);
            System.out.printf("  peak live heap (after each GC)      %8d MB above the start%n", peakLiveHeapMegabytes);
            System.out.printf("  jobs / history rows of the removal  %8d / %d%n", jobs, historyRows);
            System.out.printf("  concurrent writer: longest wait     %8d ms over %,d updates%n", longestWriterWaitMillis,
                    writerUpdates);
            System.out.printf("  same end state as the baseline      %8s%n%n", identical ? "yes" : "NO");
        }
    }

    private final PlatformDataGenerator generator;
    private final PlatformFixtures fixtures;
    private final RemovalDriver driver;
    private final ManagementService management;
    private final JdbcClient jdbc;
    private final DataSource dataSource;
    private final TransactionTemplate transaction;

    RemovalBenchmarkRunner(PlatformDataGenerator generator, PlatformFixtures fixtures, RemovalDriver driver,
            ManagementService management, JdbcClient jdbc, DataSource dataSource, TransactionTemplate transaction) {
        this.generator = generator;
        this.fixtures = fixtures;
        this.driver = driver;
        this.management = management;
        this.jdbc = jdbc;
        this.dataSource = dataSource;
        this.transaction = transaction;
    }

    Result run(RemovalMode mode, long items, int organizations) throws Exception {
        long tag = System.nanoTime();
        GeneratedAccount baseline = generator.generate(shape("Baseline " + tag, organizations, items));
        GeneratedAccount measured = fixtures.create(shape("Measured " + tag, organizations, items));
        GeneratedAccount other = generator.generate(shape("Other " + tag, organizations, items));
        generator.analyze();
        String otherBefore = fixtures.accountChecksum(other.accountId());

        long baselineStart = System.nanoTime();
        transaction.executeWithoutResult(status -> rawRemoval(mode, baseline.psaIntegrationId()));
        double baselineSeconds = (System.nanoTime() - baselineStart) / 1e9;

        ProcessInstance removal = driver.decide(measured, mode);
        long historyBefore = historyRows(removal.getId());

        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong longestWait = new AtomicLong();
        AtomicLong updates = new AtomicLong();
        Thread writer = new Thread(() -> keepWriting(other.accountId(), running, longestWait, updates), "concurrent-writer");
        AtomicLong peakHeap = new AtomicLong();
        AtomicLong peakLiveHeap = new AtomicLong();
        Runtime runtime = Runtime.getRuntime();
        System.gc();
        long heapBefore = runtime.totalMemory() - runtime.freeMemory();
        long liveHeapBefore = liveHeap();
        Thread sampler = new Thread(() -> {
            while (running.get()) {
                peakHeap.accumulateAndGet(runtime.totalMemory() - runtime.freeMemory(), Math::max);
                peakLiveHeap.accumulateAndGet(liveHeap(), Math::max);
                sleep(20);
            }
        }, "heap-sampler");
        writer.start();
        sampler.start();
        long longestJob = 0;
        long jobs = 0;
        long processStart = System.nanoTime();
        for (Job job = nextJob(removal); job != null; job = nextJob(removal)) {
            long jobStart = System.nanoTime();
            management.executeJob(job.getId());
            longestJob = Math.max(longestJob, (System.nanoTime() - jobStart) / 1_000_000);
            jobs++;
        }
        double processSeconds = (System.nanoTime() - processStart) / 1e9;
        running.set(false);
        writer.join();
        sampler.join();

        long rows = fixtures.removalCounts(removal.getId()).values().stream().mapToLong(Long::longValue).sum();
        String baselineState = fixtures.endState(baseline.accountId());
        String measuredState = fixtures.endState(measured.accountId());
        boolean identical = baselineState.equals(measuredState);
        if (!identical) {
            System.out.println("END STATES DIFFER\n  baseline " + baselineState + "\n  measured " + measuredState);
        }
        boolean otherUntouched = checksumWithoutWriter(other.accountId(), otherBefore);
        Map<String, Object> chunks = jdbc.sql("select chunks_done, longest_chunk_ms from removal where process_instance_id = :pid")
                .param("pid", removal.getId()).query().singleRow();
        return new Result(mode, items, rows, baselineSeconds, processSeconds,
                ((Number) chunks.get("longest_chunk_ms")).longValue(), ((Number) chunks.get("chunks_done")).longValue(),
                longestJob, Math.max(0, peakHeap.get() - heapBefore) / (1024 * 1024),
                Math.max(0, peakLiveHeap.get() - liveHeapBefore) / (1024 * 1024), jobs,
                historyRows(removal.getId()) - historyBefore, longestWait.get(), updates.get(), identical && otherUntouched);
    }

    /**
     * The heap in use just after the most recent garbage collection, over all heap pools: what the JVM keeps
     * alive, without the garbage that waits for the next collection.
     */
    private static long liveHeap() {
        return ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(pool -> pool.getType() == MemoryType.HEAP && pool.getCollectionUsage() != null)
                .mapToLong(pool -> pool.getCollectionUsage().getUsed())
                .sum();
    }

    private static AccountShape shape(String name, int organizations, long items) {
        return AccountShape.ofSize(name, organizations, items);
    }

    /** The same removal as plain SQL: every statement for the whole scope at once, children first. */
    private void rawRemoval(RemovalMode mode, long psa) {
        String organizations = "select id from organization where psa_integration_id = " + psa;
        String items = "select id from item where organization_id in (" + organizations + ")";
        // Each statement in the form PostgreSQL runs fastest: joins, and an OR split into two statements.
        List<String> statements = mode == RemovalMode.DELETE ? List.of(
                "update rmm_device set matched_configuration_id = null, matched_kind = null, matched_at = null"
                        + " where matched_configuration_id in (" + items + ")",
                "delete from related_item r using item i, organization o where r.source_item_id = i.id"
                        + " and i.organization_id = o.id and o.psa_integration_id = " + psa,
                "delete from related_item r using item i, organization o where r.target_item_id = i.id"
                        + " and i.organization_id = o.id and o.psa_integration_id = " + psa,
                "delete from attachment a using organization o where a.organization_id = o.id"
                        + " and o.psa_integration_id = " + psa,
                "delete from attachment a using item i, organization o where a.item_id = i.id"
                        + " and i.organization_id = o.id and o.psa_integration_id = " + psa,
                "delete from item where organization_id in (" + organizations + ")",
                "delete from organization where psa_integration_id = " + psa)
                : List.of("update item set psa_external_id = null where organization_id in (" + organizations
                        + ") and psa_external_id is not null",
                "update organization set psa_integration_id = null, psa_kind = null, psa_external_id = null,"
                        + " psa_linked_at = null where psa_integration_id = " + psa);
        statements.forEach(sql -> jdbc.sql(sql).update());
        jdbc.sql("update integration set status = :status where id = :id")
                .param("status", mode == RemovalMode.DELETE ? "DELETED" : "DISCONNECTED").param("id", psa).update();
    }

    /** The other account changed only where the concurrent writer touched it (the items' updated_at). */
    private boolean checksumWithoutWriter(long accountId, String before) {
        jdbc.sql("update item set updated_at = created_at where account_id = :a").param("a", accountId).update();
        return fixtures.accountChecksum(accountId).equals(before);
    }

    /** Updates random items of the other account, one short transaction each, timing each. */
    private void keepWriting(long accountId, AtomicBoolean running, AtomicLong longestWait, AtomicLong updates) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement ids = connection.prepareStatement("select min(id), max(id) from item where account_id = ?");
             PreparedStatement update = connection.prepareStatement(
                     "update item set updated_at = clock_timestamp() where id = ? and account_id = ?")) {
            ids.setLong(1, accountId);
            long min;
            long max;
            try (var range = ids.executeQuery()) {
                range.next();
                min = range.getLong(1);
                max = range.getLong(2);
            }
            connection.setAutoCommit(true);
            while (running.get()) {
                long start = System.nanoTime();
                update.setLong(1, ThreadLocalRandom.current().nextLong(min, max + 1));
                update.setLong(2, accountId);
                update.executeUpdate();
                longestWait.accumulateAndGet((System.nanoTime() - start) / 1_000_000, Math::max);
                updates.incrementAndGet();
                sleep(5);
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private long historyRows(String processInstanceId) {
        return jdbc.sql("""
                select (select count(*) from act_hi_actinst where proc_inst_id_ = :pid)
                     + (select count(*) from act_hi_varinst where proc_inst_id_ = :pid)
                     + (select count(*) from act_hi_detail where proc_inst_id_ = :pid)
                     + (select count(*) from act_hi_job_log where process_instance_id_ = :pid)""")
                .param("pid", processInstanceId).query(Long.class).single();
    }

    private Job nextJob(ProcessInstance removal) {
        return management.createJobQuery().processInstanceId(removal.getId()).messages().listPage(0, 1).stream()
                .findFirst().orElse(null);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
