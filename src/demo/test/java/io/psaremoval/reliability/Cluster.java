package io.psaremoval.reliability;

import io.psaremoval.test.PlatformFixtures;
import io.psaremoval.demo.DemoApplication;
import io.psaremoval.test.GeneratedAccount;
import io.psaremoval.test.RemovalTestSupport;
import io.psaremoval.removal.RemovalMode;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import io.psaremoval.test.RemovalDriver;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.history.HistoricProcessInstance;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * One PostgreSQL that the test can stop and start, the nodes of the application running on it as JVMs of
 * their own, and a driver: the application in the test's JVM with its job executor off, which seeds accounts
 * and plays the people who start removals and complete tasks (another node of the same cluster, as far as
 * the engine is concerned). Asynchronous steps run only on the nodes.
 */
final class Cluster implements AutoCloseable {

    static final String DATABASE = "psa";

    private final Path dataDirectory;
    private final int postgresPort;
    private EmbeddedPostgres postgres;
    private final ConfigurableApplicationContext driverContext;
    private final List<ApplicationNode> nodes = new ArrayList<>();

    private Cluster(Path dataDirectory, String... driverArguments) throws IOException, SQLException {
        this.dataDirectory = dataDirectory;
        this.postgresPort = ApplicationNode.freePort();
        startPostgres();
        try (Connection connection = postgres.getPostgresDatabase().getConnection()) {
            connection.createStatement().execute("create database " + DATABASE);
        }
        List<String> arguments = new ArrayList<>(List.of(
                "--spring.datasource.url=" + jdbcUrl() + "?ApplicationName=driver",
                "--spring.datasource.username=postgres", "--spring.datasource.password=",
                "--server.port=0", "--logging.level.root=WARN",
                // Whoever starts first creates the operator: the same password on every node.
                "--psa.operator.password=" + ApplicationNode.OPERATOR_PASSWORD,
                "--camunda.bpm.generic-properties.properties.hostname=driver"));
        arguments.addAll(List.of(driverArguments));
        this.driverContext = new SpringApplicationBuilder(DemoApplication.class, RemovalTestSupport.class).profiles("test")
                .run(arguments.toArray(String[]::new));
    }

    /** A cluster whose driver uses the given Spring properties (the nodes get theirs at {@link #startNode}). */
    static Cluster start(Path dataDirectory, String... driverArguments) throws IOException, SQLException {
        return new Cluster(dataDirectory, driverArguments);
    }

    String jdbcUrl() {
        return "jdbc:postgresql://localhost:" + postgresPort + "/" + DATABASE;
    }

    ApplicationNode startNode(String name, String... arguments) throws IOException {
        ApplicationNode node = ApplicationNode.start(name, jdbcUrl(), arguments);
        nodes.add(node);
        return node;
    }

    PlatformFixtures fixtures() {
        return driverContext.getBean(PlatformFixtures.class);
    }

    RemovalDriver driver() {
        return driverContext.getBean(RemovalDriver.class);
    }

    ProcessEngine engine() {
        return driverContext.getBean(ProcessEngine.class);
    }

    JdbcClient jdbc() {
        return driverContext.getBean(JdbcClient.class);
    }

    /**
     * An outage: PostgreSQL stops the way an operator's fast shutdown stops it (every connection is cut), stays
     * down for the given time, and starts again on the same data and port.
     */
    void outage(Duration down) throws IOException {
        postgres.close();
        postgres = null;
        ApplicationNode.sleep(down.toMillis());
        startPostgres();
    }

    private void startPostgres() throws IOException {
        postgres = EmbeddedPostgres.builder()
                .setDataDirectory(dataDirectory)
                .setCleanDataDirectory(false)
                .setPort(postgresPort)
                .setRegisterShutdownHook(false)
                .setServerConfig("max_connections", "300")
                // The outage test's locks are prepared transactions (see lockThroughOutages).
                .setServerConfig("max_prepared_transactions", "20")
                .start();
    }

    /**
     * A transaction of the test's own that locks rows with the given statement (a SELECT ... FOR UPDATE or an
     * uncommitted INSERT), so that a node's transaction that needs them waits exactly there. Closing it rolls back.
     */
    RowLock lock(String sql, Object... parameters) throws SQLException {
        Connection connection = connect();
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            connection.setAutoCommit(false);
            bind(statement, parameters).execute();
        } catch (SQLException | RuntimeException e) {
            connection.close();
            throw e;
        }
        return new RowLock(connection, null);
    }

    /**
     * The same lock, held by a prepared transaction (two-phase commit): it belongs to no connection and outlives a
     * restart of PostgreSQL, so an {@link #outage} cuts the node's waiting transaction, never the lock. (A fast shutdown
     * ends the backends in no set order: a lock held by a connection can be freed an instant before its waiter ends,
     * and the waiter commit; seen once in CI.)
     * <p>
     * Lock with FOR UPDATE, which waits for every other lock on the row and lets none join it: PostgreSQL 17.6 stops
     * honouring a prepared transaction's row lock that shares its row with another transaction's (a multixact, say FOR
     * NO KEY UPDATE beside a key share) as soon as that other transaction ends (measured here, with a killed node's
     * backend that still held a key share on the row).
     */
    RowLock lockThroughOutages(String sql, Object... parameters) throws SQLException {
        String name = "test-lock-" + System.nanoTime();
        try (Connection connection = connect(); Statement transaction = connection.createStatement();
                PreparedStatement statement = connection.prepareStatement(sql)) {
            transaction.execute("begin");
            bind(statement, parameters).execute();
            transaction.execute("prepare transaction '" + name + "'");
        }
        return new RowLock(null, name);
    }

    private static PreparedStatement bind(PreparedStatement statement, Object... parameters) throws SQLException {
        for (int i = 0; i < parameters.length; i++) {
            statement.setObject(i + 1, parameters[i]);
        }
        return statement;
    }

    private Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl() + "?ApplicationName=test-lock", "postgres", "");
    }

    /** Waits until a connection of the node waits for a lock (held by {@link #lock}), and returns its query. */
    String awaitNodeWaitingOn(String node, Duration timeout) {
        return awaitNodeWaitingOn(node, "", timeout);
    }

    /**
     * Waits until a connection of the node waits for a lock in a statement that contains the given text (so
     * that, say, a node waiting for another's identity sync does not count), and returns its query.
     */
    String awaitNodeWaitingOn(String node, String statementContaining, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            for (String query : queriesWaitingOnLocks(node)) {
                if (query.contains(statementContaining)) {
                    return query;
                }
            }
            ApplicationNode.sleep(100);
        }
        throw new IllegalStateException("Node " + node + " never waited on the test's lock within " + timeout);
    }

    boolean nodeWaitsOnLock(String node) {
        return !queriesWaitingOnLocks(node).isEmpty();
    }

    private List<String> queriesWaitingOnLocks(String node) {
        return jdbc().sql("""
                select query from pg_stat_activity
                where application_name = :node and wait_event_type = 'Lock' and state = 'active'""")
                .param("node", node).query(String.class).list();
    }

    /**
     * A manager's removal up to the last decision while nodes run: the asynchronous steps on the way are the nodes'
     * to run; the driver waits until the removal waits for a person again.
     */
    ProcessInstance decideWhileNodesRun(GeneratedAccount account, RemovalMode mode) {
        return driver().decide(account, mode, removal -> await("removal " + removal.getId() + " waits for a person",
                () -> engine().getTaskService().createTaskQuery().processInstanceId(removal.getId()).count() > 0,
                Duration.ofSeconds(60)));
    }

    /** The account's hard deletes wait out this cooling-off period before their purge (its removal policy). */
    void giveCoolingOffPeriod(GeneratedAccount account, Duration period) {
        jdbc().sql("insert into removal_policy (account_id, deletion_approval_required, changed_by, cooling_off)"
                        + " values (:a, false, 'test', make_interval(secs => :s))")
                .param("a", account.accountId()).param("s", period.toSeconds()).update();
    }

    /** Waits until a node has moved the removal's scope out of sight and the removal waits out its period. */
    void awaitPendingDeletion(String processInstanceId, Duration timeout) {
        await("removal " + processInstanceId + " out of sight, waiting", () -> "PENDING_DELETION".equals(jdbc()
                .sql("select status from removal where process_instance_id = :pid").param("pid", processInstanceId)
                .query(String.class).single()) && engine().getManagementService().createJobQuery()
                .processInstanceId(processInstanceId).timers().count() == 1, timeout);
    }

    /** The removal's cooling-off period passes: its purge_after behind the database's clock, its timer due now. */
    void letTheCoolingOffPeriodPass(String processInstanceId) {
        jdbc().sql("update removal set purge_after = now() - interval '1 second' where process_instance_id = :pid")
                .param("pid", processInstanceId).update();
        String timer = engine().getManagementService().createJobQuery().processInstanceId(processInstanceId).timers()
                .singleResult().getId();
        engine().getManagementService().setJobDuedate(timer, new java.util.Date());
    }

    /**
     * An Administrator starts "Restore deleted PSA data" and chooses the snapshot of the removal (the process instance
     * given): the snapshot's check is then a job, for a node or the test to run.
     */
    ProcessInstance startRestore(String administrator, String removalProcessInstanceId) {
        ProcessInstance restore = driver().asUser(administrator, () -> engine().getRuntimeService()
                .startProcessInstanceByKey("RestoreDeletedPsaData", Map.of("restoreReason", "Deleted by mistake")));
        long snapshot = jdbc().sql("select id from account_backup where kind = 'SCOPE_SNAPSHOT' and removed_at is null"
                        + " and removal_id = (select id from removal where process_instance_id = :pid)")
                .param("pid", removalProcessInstanceId).query(Long.class).single();
        driver().complete(administrator, restore, Map.of("snapshotId", String.valueOf(snapshot),
                "restoreDecision", "RESTORE"));
        return restore;
    }

    /** Waits until the condition holds. */
    void await(String what, BooleanSupplier condition, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("Not within " + timeout + ": " + what);
            }
            ApplicationNode.sleep(200);
        }
    }

    /** Waits until the process instance has ended, and returns its history. */
    HistoricProcessInstance awaitEnd(String processInstanceId, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            HistoricProcessInstance instance = engine().getHistoryService().createHistoricProcessInstanceQuery()
                    .processInstanceId(processInstanceId).finished().singleResult();
            if (instance != null) {
                return instance;
            }
            ApplicationNode.sleep(200);
        }
        throw new IllegalStateException("Removal " + processInstanceId + " did not end within " + timeout + "\n"
                + describe(processInstanceId));
    }

    /**
     * What a removal and the nodes are doing, for a test's failure message: the removal's status, its jobs (retries,
     * due date, lock), and per node whether it lives, its sessions in PostgreSQL and its last log entries.
     */
    String describe(String processInstanceId) {
        try {
            return state(processInstanceId);
        } catch (RuntimeException unreadable) {
            return "(the state could not be read: " + unreadable + ")";
        }
    }

    private String state(String processInstanceId) {
        StringBuilder state = new StringBuilder();
        state.append("removal: ").append(jdbc().sql("select status from removal where process_instance_id = :pid")
                .param("pid", processInstanceId).query(String.class).optional().orElse("(no row)"));
        state.append(", ended: ").append(engine().getHistoryService().createHistoricProcessInstanceQuery()
                .processInstanceId(processInstanceId).finished().count() > 0);
        state.append("\njobs: ").append(jdbc().sql("""
                select failed_act_id_, retries_, duedate_, lock_owner_, lock_exp_time_, now() as now from act_ru_job
                where process_instance_id_ = :pid""").param("pid", processInstanceId).query().listOfRows());
        state.append("\nthe test's locks: ").append(jdbc().sql("select gid from pg_prepared_xacts").query(String.class).list());
        for (ApplicationNode node : nodes) {
            state.append("\nnode ").append(node.name()).append(node.isAlive() ? " alive" : " DEAD")
                    .append(", sessions: ").append(jdbc().sql("""
                            select state, wait_event_type, wait_event, left(query, 80) as query from pg_stat_activity
                            where application_name = :node""").param("node", node.name()).query().listOfRows())
                    .append("\n").append(node.lastLogEntries(15));
        }
        return state.toString();
    }

    @Override
    public void close() throws Exception {
        for (ApplicationNode node : nodes) {
            node.close();
        }
        driverContext.close();
        if (postgres != null) {
            postgres.close();
        }
    }

    /** A lock of the test's, held by its connection or by a prepared transaction, until {@link #close()} rolls it back. */
    final class RowLock implements AutoCloseable {
        private final Connection connection;
        private final String preparedTransaction;
        private boolean closed;

        private RowLock(Connection connection, String preparedTransaction) {
            this.connection = connection;
            this.preparedTransaction = preparedTransaction;
        }

        @Override
        public void close() throws SQLException {
            if (closed) {
                return;
            }
            if (preparedTransaction != null) {
                try (Connection rollback = connect(); Statement statement = rollback.createStatement()) {
                    statement.execute("rollback prepared '" + preparedTransaction + "'");
                }
            } else {
                try {
                    connection.rollback();
                } catch (SQLException afterOutage) {
                    // The connection died with the server: its transaction is gone anyway.
                } finally {
                    connection.close();
                }
            }
            closed = true;
        }
    }
}
