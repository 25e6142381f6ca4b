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

    record Result(RemovalMode mode, long items, long rows, double floorSeconds, List<String> chunkPlan,
            double baselineSeconds, double processSeconds, double snapshotSeconds, long snapshotBytes,
            long longestChunkMillis, long chunks, long longestJobMillis, long peakHeapMegabytes,
            long peakLiveHeapMegabytes, long jobs, long historyRows, long longestWriterWaitMillis, long writerUpdates,
            boolean identical, Restored restored, CoolingOff coolingOff) {

        void print() {
            System.out.printf("%nREMOVAL BENCHMARK: %s, %,d items (%,d rows written), %d cores%n", mode, items, rows,
                    Runtime.getRuntime().availableProcessors());
            System.out.printf("  floor (copies without indexes, keys, triggers) %8.2f s%n", floorSeconds);
            System.out.printf("  baseline (raw SQL, one transaction) %8.1f s  %,10.0f rows/s  (%.1fx the floor)%n",
                    baselineSeconds, rows / baselineSeconds, baselineSeconds / floorSeconds);
            System.out.printf("  process (engine, chunked jobs)      %8.1f s  %,10.0f rows/s%n", processSeconds,
                    rows / processSeconds);
            if (mode == RemovalMode.DELETE) {
                double deleteSeconds = processSeconds - snapshotSeconds - coolingOff.processSeconds();
                System.out.printf("  of which the verified snapshot      %8.1f s  (%,d bytes; %.2fx the delete's %.1f s,"
                        + " target at most 1x)%n", snapshotSeconds, snapshotBytes, snapshotSeconds / deleteSeconds,
                        deleteSeconds);
                coolingOff.print(deleteSeconds, baselineSeconds, floorSeconds);
            }
            System.out.printf("  ratio process / baseline            %8.2f%n", processSeconds / baselineSeconds);
            System.out.printf("  ratio process / floor               %8.2f%n", processSeconds / floorSeconds);
            System.out.printf("  longest chunk transaction           %8d ms (of %d chunks)%n", longestChunkMillis, chunks);
            System.out.printf("  longest job                         %8d ms%n", longestJobMillis);
            System.out.printf("  peak heap used, garbage included    %8d MB above the start%n", peakHeapMegabytes);
            System.out.printf("  peak live heap (after each GC)      %8d MB above the start%n", peakLiveHeapMegabytes);
            System.out.printf("  jobs / history rows of the removal  %8d / %d%n", jobs, historyRows);
            System.out.printf("  concurrent writer: longest wait     %8d ms over %,d updates%n", longestWriterWaitMillis,
                    writerUpdates);
            System.out.printf("  same end state as the baseline      %8s%n", identical ? "yes" : "NO");
            if (restored != null) {
                restored.print();
            }
            System.out.println("  where one chunk's time goes (EXPLAIN ANALYZE, BUFFERS, rolled back):");
            chunkPlan.forEach(line -> System.out.println("    " + line));
            System.out.println();
        }
    }

    /**
     * The cooling-off period around the process's delete (the wait itself not counted): the move out of sight (the
     * delete's rules, the scope compared with the confirmed one, the organizations listed in {@code pending_deletion})
     * against raw SQL listing the same organizations of the twin account, and a raw cancel (the same rows removed);
     * the purge is the process's delete after the wait, timed against the raw delete and the floor.
     */
    record CoolingOff(long organizations, double processSeconds, double rawSeconds, double rawCancelSeconds,
            boolean hidden) {

        void print(double purgeSeconds, double rawDeleteSeconds, double floorSeconds) {
            System.out.printf("  cooling-off (the wait not counted):%n");
            System.out.printf("    move out of sight, process          %8.2f s  (%,d organizations; rules, scope compared,"
                    + " listed)%n", processSeconds, organizations);
            System.out.printf("    move out of sight, raw SQL          %8.3f s  (%.0fx: the process's is the scope"
                    + " comparison)%n", rawSeconds, processSeconds / rawSeconds);
            System.out.printf("    cancel (back in sight), raw SQL     %8.3f s%n", rawCancelSeconds);
            System.out.printf("    purge after the wait, process       %8.1f s  (%.2fx raw delete, %.1fx the floor)%n",
                    purgeSeconds, purgeSeconds / rawDeleteSeconds, purgeSeconds / floorSeconds);
            System.out.printf("    scope out of sight while it waited  %8s%n", hidden ? "yes" : "NO");
        }
    }

    /**
     * The delete undone from its verified snapshot ({@code RestoreService}, the restore process's two steps without the
     * engine around them) against raw SQL recreating the same rows from copies taken before the raw delete.
     */
    record Restored(long rows, double rawSeconds, double checkSeconds, double writeSeconds, long peakLiveHeapMegabytes,
            boolean accountBackExactly, boolean sameAsRaw) {

        boolean identical() {
            return accountBackExactly && sameAsRaw;
        }

        void print() {
            System.out.printf("  restore from the snapshot, %,d rows recreated:%n", rows);
            System.out.printf("    raw SQL (insert from copies, one transaction)   %8.1f s%n", rawSeconds);
            System.out.printf("    check (read back, verify, stage, collisions)   %8.1f s%n", checkSeconds);
            System.out.printf("    write (the same again, recreate, re-match)     %8.1f s  (%.2fx raw; with the check %.2fx)%n",
                    writeSeconds, writeSeconds / rawSeconds, (checkSeconds + writeSeconds) / rawSeconds);
            System.out.printf("    peak live heap during the restore            %8d MB above the start%n", peakLiveHeapMegabytes);
            System.out.printf("    account back exactly (every column, ids)     %8s%n", accountBackExactly ? "yes" : "NO");
            System.out.printf("    same end state as raw SQL's restore          %8s%n", sameAsRaw ? "yes" : "NO");
        }
    }

    private final PlatformDataGenerator generator;
    private final PlatformFixtures fixtures;
    private final RemovalDriver driver;
    private final ManagementService management;
    private final JdbcClient jdbc;
    private final DataSource dataSource;
    private final TransactionTemplate transaction;
    private final io.psaremoval.restore.RestoreService restores;

    RemovalBenchmarkRunner(PlatformDataGenerator generator, PlatformFixtures fixtures, RemovalDriver driver,
            ManagementService management, JdbcClient jdbc, DataSource dataSource, TransactionTemplate transaction,
            io.psaremoval.restore.RestoreService restores) {
        this.restores = restores;
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
        GeneratedAccount floorAccount = generator.generate(shape("Floor " + tag, organizations, items));
        generator.analyze();
        String otherBefore = fixtures.accountChecksum(other.accountId());
        double floorSeconds = floor(mode, floorAccount);
        List<String> chunkPlan = chunkPlan(mode, baseline.psaIntegrationId());

        if (mode == RemovalMode.DELETE) {
            copyScope(baseline.psaIntegrationId()); // for raw SQL's restore, later
        }
        String measuredBefore = fixtures.accountChecksum(measured.accountId());
        if (mode == RemovalMode.DELETE) { // the measured deletion waits out a cooling-off period before its purge
            jdbc.sql("insert into removal_policy (account_id, deletion_approval_required, changed_by, cooling_off)"
                    + " values (:a, false, 'benchmark', interval '1 day')").param("a", measured.accountId()).update();
        }
        ProcessInstance removal = driver.decide(measured, mode);
        double rawMoveOutSeconds = 0;
        double rawCancelSeconds = 0;
        if (mode == RemovalMode.DELETE) { // raw SQL's move out of sight and cancel, on the twin account
            long removalId = jdbc.sql("select id from removal where process_instance_id = :pid")
                    .param("pid", removal.getId()).query(Long.class).single();
            long moveStart = System.nanoTime();
            transaction.executeWithoutResult(status -> jdbc.sql("""
                    insert into pending_deletion (organization_id, account_id, removal_id)
                    select id, account_id, :removal from organization where psa_integration_id = :psa""")
                    .param("removal", removalId).param("psa", baseline.psaIntegrationId()).update());
            rawMoveOutSeconds = (System.nanoTime() - moveStart) / 1e9;
            long cancelStart = System.nanoTime();
            transaction.executeWithoutResult(status -> jdbc.sql(
                    "delete from pending_deletion where organization_id in (select id from organization where psa_integration_id = :psa)")
                    .param("psa", baseline.psaIntegrationId()).update());
            rawCancelSeconds = (System.nanoTime() - cancelStart) / 1e9;
        }
        long baselineStart = System.nanoTime();
        transaction.executeWithoutResult(status -> rawRemoval(mode, baseline.psaIntegrationId()));
        double baselineSeconds = (System.nanoTime() - baselineStart) / 1e9;

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
        long snapshotNanos = 0;
        // The delete's first job after the decisions is the snapshot (a disconnect takes none).
        String snapshotJob = management.createJobQuery().processInstanceId(removal.getId())
                .activityId("Task_TakeScopeSnapshot").list().stream().map(Job::getId).findFirst().orElse(null);
        long moveOutNanos = 0;
        long waitNanos = 0;
        boolean hidden = true;
        long processStart = System.nanoTime();
        for (Job job = nextJob(removal); job != null; job = nextJob(removal)) {
            long jobStart = System.nanoTime();
            boolean snapshot = job.getId().equals(snapshotJob);
            boolean moveOut = management.createJobQuery().processInstanceId(removal.getId())
                    .activityId("Task_MoveOutOfSight").list().stream().map(Job::getId).toList().contains(job.getId());
            management.executeJob(job.getId());
            long took = System.nanoTime() - jobStart;
            if (snapshot) {
                snapshotNanos += took;
            }
            if (moveOut) {
                moveOutNanos += took;
            }
            longestJob = Math.max(longestJob, took / 1_000_000);
            jobs++;
            if (nextJob(removal) == null && mode == RemovalMode.DELETE && moveOutNanos > 0 && waitNanos == 0) {
                // Out of sight, waiting: a day passes (purge_after behind the database's clock), the timer fires.
                long waitStart = System.nanoTime();
                hidden = fixtures.count("select count(*) from listed_organization where psa_integration_id = :p",
                        measured.psaIntegrationId()) == 0;
                jdbc.sql("update removal set purge_after = now() - interval '1 second' where process_instance_id = :pid")
                        .param("pid", removal.getId()).update();
                String timer = management.createJobQuery().processInstanceId(removal.getId()).timers().singleResult().getId();
                waitNanos = System.nanoTime() - waitStart;
                long timerStart = System.nanoTime();
                management.executeJob(timer);
                waitNanos -= System.nanoTime() - timerStart; // the timer's own job counts; the bookkeeping here does not
            }
        }
        double processSeconds = (System.nanoTime() - processStart - waitNanos) / 1e9;
        long organizationsMoved = mode == RemovalMode.DELETE ? jdbc.sql(
                "select count(*) from removal_scope where removal_id = (select id from removal where process_instance_id = :pid)")
                .param("pid", removal.getId()).query(Long.class).single() : 0;
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
        long snapshotBytes = jdbc.sql("select coalesce(sum(size_bytes), 0) from account_backup where kind = 'SCOPE_SNAPSHOT'"
                        + " and removal_id = (select id from removal where process_instance_id = :pid)")
                .param("pid", removal.getId()).query(Long.class).single();
        Restored restored = mode == RemovalMode.DELETE ? restore(baseline, measured, measuredBefore, removal) : null;
        return new Result(mode, items, rows, floorSeconds, chunkPlan, baselineSeconds, processSeconds,
                snapshotNanos / 1e9, snapshotBytes,
                ((Number) chunks.get("longest_chunk_ms")).longValue(), ((Number) chunks.get("chunks_done")).longValue(),
                longestJob, Math.max(0, peakHeap.get() - heapBefore) / (1024 * 1024),
                Math.max(0, peakLiveHeap.get() - liveHeapBefore) / (1024 * 1024), jobs,
                historyRows(removal.getId()) - historyBefore, longestWait.get(), updates.get(), identical && otherUntouched,
                restored, new CoolingOff(organizationsMoved, moveOutNanos / 1e9, rawMoveOutSeconds, rawCancelSeconds, hidden));
    }

    /** Copies of the rows a delete of the integration removes (and its matched devices), kept for raw SQL's restore. */
    private void copyScope(long psa) {
        String organizations = "select id from organization where psa_integration_id = " + psa;
        String items = "select id from item where organization_id in (" + organizations + ")";
        Map<String, String> scope = new java.util.LinkedHashMap<>();
        scope.put("organization", "select * from organization where psa_integration_id = " + psa);
        scope.put("item", "select * from item where organization_id in (" + organizations + ")");
        scope.put("attachment", "select * from attachment where organization_id in (" + organizations + ") union"
                + " select * from attachment where item_id in (" + items + ")");
        scope.put("related_item", "select * from related_item where source_item_id in (" + items + ") union"
                + " select * from related_item where target_item_id in (" + items + ")");
        scope.put("rmm_device", "select * from rmm_device where matched_configuration_id in (" + items + ")");
        scope.forEach((table, select) -> {
            jdbc.sql("drop table if exists bench_restore_" + table).update();
            jdbc.sql("create unlogged table bench_restore_" + table + " as " + select).update();
        });
    }

    /**
     * Undoes both deletes: raw SQL's from its copies, timed; the process's from its verified snapshot through the
     * restore's check and write, timed, with the live heap sampled. Then both accounts are compared.
     */
    private Restored restore(GeneratedAccount baseline, GeneratedAccount measured, String measuredBefore,
            ProcessInstance removal) throws InterruptedException {
        long rawStart = System.nanoTime();
        transaction.executeWithoutResult(status -> {
            for (String table : List.of("organization", "item", "attachment", "related_item")) {
                jdbc.sql("insert into " + table + " overriding system value select * from bench_restore_" + table).update();
            }
            jdbc.sql("""
                    update rmm_device d set matched_configuration_id = s.matched_configuration_id,
                                            matched_kind = s.matched_kind, matched_at = s.matched_at
                    from bench_restore_rmm_device s where d.id = s.id and d.matched_configuration_id is null""").update();
            jdbc.sql("update integration set status = 'PAUSED' where id = :id").param("id", baseline.psaIntegrationId())
                    .update();
        });
        double rawSeconds = (System.nanoTime() - rawStart) / 1e9;
        for (String table : TABLES) {
            jdbc.sql("drop table bench_restore_" + table).update();
        }

        String administrator = fixtures.username(measured, io.psaremoval.account.Role.ADMINISTRATOR);
        String pid = "benchmark-restore-" + System.nanoTime();
        long snapshot = jdbc.sql("""
                select id from account_backup where kind = 'SCOPE_SNAPSHOT'
                  and removal_id = (select id from removal where process_instance_id = :pid)""")
                .param("pid", removal.getId()).query(Long.class).single();
        restores.register(pid, pid, administrator, "benchmark");
        restores.choose(pid, snapshot, administrator);
        AtomicBoolean sampling = new AtomicBoolean(true);
        AtomicLong peakLiveHeap = new AtomicLong();
        System.gc();
        long liveHeapBefore = liveHeap();
        Thread sampler = new Thread(() -> {
            while (sampling.get()) {
                peakLiveHeap.accumulateAndGet(liveHeap(), Math::max);
                sleep(20);
            }
        }, "restore-heap-sampler");
        sampler.start();
        long checkStart = System.nanoTime();
        io.psaremoval.restore.RestoreService.Inspection inspection = restores.inspect(pid);
        double checkSeconds = (System.nanoTime() - checkStart) / 1e9;
        if (!inspection.restorable()) {
            throw new IllegalStateException("The benchmark's snapshot is refused: " + inspection.refusal());
        }
        restores.confirm(pid, administrator);
        long writeStart = System.nanoTime();
        io.psaremoval.restore.RestoreService.Outcome outcome = restores.restore(pid);
        double writeSeconds = (System.nanoTime() - writeStart) / 1e9;
        sampling.set(false);
        sampler.join();
        boolean backExactly = fixtures.accountChecksum(measured.accountId()).equals(measuredBefore);
        boolean sameAsRaw = fixtures.endState(baseline.accountId()).equals(fixtures.endState(measured.accountId()));
        return new Restored(outcome.rows(), rawSeconds, checkSeconds, writeSeconds,
                Math.max(0, peakLiveHeap.get() - liveHeapBefore) / (1024 * 1024), backExactly, sameAsRaw);
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

    /**
     * The same removal as plain SQL in its best form: every statement for the whole scope at once, children first, the
     * items of a delete with the keys that point at them checked once, set-based, as the process does.
     */
    private void rawRemoval(RemovalMode mode, long psa) {
        List<String> statements = removalStatements(mode, psa, "");
        if (mode == RemovalMode.DELETE) {
            statements = withSetBasedReferenceChecks(statements, psa);
        }
        statements.forEach(sql -> jdbc.sql(sql).update());
        jdbc.sql("update integration set status = :status where id = :id")
                .param("status", mode == RemovalMode.DELETE ? "DELETED" : "DISCONNECTED").param("id", psa).update();
    }

    /**
     * The removal's statements over the whole scope, children first, each in the form PostgreSQL runs fastest (joins,
     * an OR split into two statements), on the platform's tables or on copies named with the suffix.
     */
    private static List<String> removalStatements(RemovalMode mode, long psa, String suffix) {
        String organization = "organization" + suffix;
        String item = "item" + suffix;
        String organizations = "select id from " + organization + " where psa_integration_id = " + psa;
        String items = "select id from " + item + " where organization_id in (" + organizations + ")";
        return mode == RemovalMode.DELETE ? List.of(
                "update rmm_device" + suffix + " set matched_configuration_id = null, matched_kind = null, matched_at = null"
                        + " where matched_configuration_id in (" + items + ")",
                "delete from related_item" + suffix + " r using " + item + " i, " + organization + " o"
                        + " where r.source_item_id = i.id and i.organization_id = o.id and o.psa_integration_id = " + psa,
                "delete from related_item" + suffix + " r using " + item + " i, " + organization + " o"
                        + " where r.target_item_id = i.id and i.organization_id = o.id and o.psa_integration_id = " + psa,
                "delete from attachment" + suffix + " a using " + organization + " o where a.organization_id = o.id"
                        + " and o.psa_integration_id = " + psa,
                "delete from attachment" + suffix + " a using " + item + " i, " + organization + " o where a.item_id = i.id"
                        + " and i.organization_id = o.id and o.psa_integration_id = " + psa,
                "delete from " + item + " where organization_id in (" + organizations + ")",
                "delete from " + organization + " where psa_integration_id = " + psa)
                : List.of("update " + item + " set psa_external_id = null where organization_id in (" + organizations
                        + ") and psa_external_id is not null",
                "update " + organization + " set psa_integration_id = null, psa_kind = null, psa_external_id = null,"
                        + " psa_linked_at = null where psa_integration_id = " + psa);
    }

    /**
     * The delete's statements with the item delete run in replica mode (PostgreSQL's per-row foreign-key checks skipped)
     * and every key that points at item checked once for all the deleted ids, as {@code ItemDeletion} does per chunk
     * (here by a join with a table of the ids, there with an array of them).
     */
    private static List<String> withSetBasedReferenceChecks(List<String> statements, long psa) {
        List<String> best = new java.util.ArrayList<>();
        best.add("create temporary table gone_item on commit drop as select id from item where organization_id in"
                + " (select id from organization where psa_integration_id = " + psa + ")");
        best.add("analyze gone_item");
        for (String sql : statements) {
            if (!sql.startsWith("delete from item ")) {
                best.add(sql);
                continue;
            }
            best.add("set local session_replication_role = replica");
            best.add(sql);
            best.add("set local session_replication_role = origin");
            best.add("""
                    do $$ begin
                        if exists (select 1 from attachment a join gone_item g on g.id = a.item_id)
                           or exists (select 1 from related_item r join gone_item g on g.id = r.source_item_id)
                           or exists (select 1 from related_item r join gone_item g on g.id = r.target_item_id)
                           or exists (select 1 from rmm_device d join gone_item g on g.id = d.matched_configuration_id)
                        then raise exception 'a reference to a deleted item is left';
                        end if;
                    end $$""");
        }
        return best;
    }

    private static final List<String> TABLES = List.of("organization", "item", "attachment", "related_item", "rmm_device");

    /**
     * The machine's floor: the same statements on copies of the account's rows in tables without indexes, keys or
     * triggers (no foreign-key checks, no index maintenance), timed in one transaction. The copies go afterwards.
     */
    private double floor(RemovalMode mode, GeneratedAccount account) {
        String suffix = "_floor_" + account.accountId();
        for (String table : TABLES) {
            jdbc.sql("create table " + table + suffix + " as select * from " + table + " where account_id = "
                    + account.accountId()).update();
            jdbc.sql("analyze " + table + suffix).update();
        }
        try {
            long start = System.nanoTime();
            transaction.executeWithoutResult(status -> removalStatements(mode, account.psaIntegrationId(), suffix)
                    .forEach(sql -> jdbc.sql(sql).update()));
            return (System.nanoTime() - start) / 1e9;
        } finally {
            TABLES.forEach(table -> jdbc.sql("drop table " + table + suffix).update());
        }
    }

    /**
     * One production-sized chunk of the baseline account (whole organizations, up to 10,000 items) run under
     * {@code EXPLAIN (ANALYZE, BUFFERS)} and rolled back: per statement its time, and the foreign-key trigger
     * calls and their time, which is where a delete's time goes.
     */
    private List<String> chunkPlan(RemovalMode mode, long psa) {
        List<String> lines = new java.util.ArrayList<>();
        transaction.executeWithoutResult(status -> {
            List<Long> chunk = jdbc.sql("""
                    select id from (select o.id, sum(count(i.id)) over (order by o.id) as running
                                    from organization o left join item i on i.organization_id = o.id
                                    where o.psa_integration_id = :psa group by o.id) c
                    where running <= 10000 order by id""").param("psa", psa).query(Long.class).list();
            String organizations = chunk.isEmpty() ? "0" : chunk.stream().map(String::valueOf)
                    .collect(java.util.stream.Collectors.joining(","));
            jdbc.sql("create temporary table chunk_item on commit drop as select id from item where organization_id in ("
                    + organizations + ")").update();
            for (String sql : removalStatements(mode, psa, "")) {
                String chunkSql = sql
                        .replace("select id from organization where psa_integration_id = " + psa,
                                "select id from organization where id in (" + organizations + ")")
                        .replace("o.psa_integration_id = " + psa, "o.id in (" + organizations + ")")
                        .replace("where psa_integration_id = " + psa, "where id in (" + organizations + ")");
                boolean items = chunkSql.startsWith("delete from item ");
                if (items) {
                    lines.add("(in replica mode, as the process runs it: no per-row key checks)");
                    jdbc.sql("set local session_replication_role = replica").update();
                }
                explain(chunkSql, lines);
                if (items) {
                    jdbc.sql("set local session_replication_role = origin").update();
                    explain("""
                            select exists (select 1 from attachment where item_id in (select id from chunk_item))
                                or exists (select 1 from related_item where source_item_id in (select id from chunk_item))
                                or exists (select 1 from related_item where target_item_id in (select id from chunk_item))
                                or exists (select 1 from rmm_device where matched_configuration_id in (select id from chunk_item))""",
                            lines);
                }
            }
            status.setRollbackOnly();
        });
        return lines;
    }

    /** The statement's first line, its time, its top node's buffers and its trigger calls under EXPLAIN ANALYZE. */
    private void explain(String sql, List<String> lines) {
        String oneLine = sql.strip().replaceAll("\\s+", " ");
        lines.add(oneLine.length() > 100 ? oneLine.substring(0, 100) + "…" : oneLine);
        boolean[] buffersShown = {false};
        jdbc.sql("explain (analyze, buffers) " + sql).query(String.class).list().stream()
                .filter(line -> line.startsWith("Trigger") || line.startsWith("Execution Time")
                        || line.startsWith("Planning Time")
                        || (line.strip().startsWith("Buffers:") && !buffersShown[0] && (buffersShown[0] = true)))
                .forEach(line -> lines.add("  " + line.strip()));
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
