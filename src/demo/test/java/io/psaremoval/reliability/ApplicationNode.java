package io.psaremoval.reliability;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * The application as an operator runs it: a JVM of its own (the prod profile, main classes and runtime
 * libraries only, no test code), on a PostgreSQL given by URL, with the job executor on. Its output goes to
 * {@code target/nodes/<name>.log}. {@link #kill()} is a SIGKILL: no shutdown hook, no rollback by the JVM.
 */
final class ApplicationNode implements AutoCloseable {

    static final String OPERATOR_PASSWORD = "cluster-operator-password-1";

    private final String name;
    private final int port;
    private final Process process;
    private final Path log;

    private ApplicationNode(String name, int port, Process process, Path log) {
        this.name = name;
        this.port = port;
        this.process = process;
        this.log = log;
    }

    /**
     * Starts a node and waits until it answers HTTP.
     *
     * @param jdbcUrl   the shared database, without parameters
     * @param arguments further Spring properties, e.g. {@code --psa.removal.chunk-rows=40}; they replace the defaults
     */
    static ApplicationNode start(String name, String jdbcUrl, String... arguments) throws IOException {
        int port = freePort();
        Path log = Path.of("target", "nodes", name + ".log").toAbsolutePath();
        Files.createDirectories(log.getParent());
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("spring.profiles.active", "prod");
        settings.put("server.port", String.valueOf(port));
        // The node's name shows in pg_stat_activity (tests wait on it) and in the engine's job log.
        settings.put("spring.datasource.url", jdbcUrl + "?ApplicationName=" + name);
        settings.put("spring.datasource.username", "postgres");
        settings.put("spring.datasource.password", "");
        settings.put("camunda.bpm.generic-properties.properties.hostname", name);
        settings.put("camunda.bpm.job-execution.enabled", "true");
        // A killed node's jobs are taken over once their lock expires: seconds here, not the default 5 minutes.
        settings.put("camunda.bpm.job-execution.lock-time-in-millis", "8000");
        settings.put("camunda.bpm.job-execution.wait-time-in-millis", "300");
        settings.put("camunda.bpm.job-execution.max-wait", "1000");
        settings.put("psa.identity.sync-interval", "PT5S");
        // One snapshot store and export folder for every node and the test's own engine, as a cluster shares them, in
        // the build's folder (not the application's .data).
        settings.put("psa.backup.snapshot-directory", Path.of("target", "test-snapshots").toAbsolutePath().toString());
        settings.put("psa.backup.directory", Path.of("target", "test-backups").toAbsolutePath().toString());
        // Deletes purge at once, unless a test gives an account a cooling-off period of its own.
        settings.put("psa.removal.cooling-off-period", "PT0S");
        settings.put("logging.level.root", "WARN");
        settings.put("logging.level.io.psaremoval", "INFO");
        settings.put("logging.level.org.camunda.bpm.engine.jobexecutor", "INFO");
        settings.put("logging.level.org.camunda.bpm.engine.context", "ERROR");
        // The caller's settings replace these (Spring would join a property given twice with a comma).
        for (String argument : arguments) {
            int equals = argument.indexOf('=');
            if (!argument.startsWith("--") || equals < 0) {
                throw new IllegalArgumentException("Expected --name=value, not " + argument);
            }
            settings.put(argument.substring(2, equals), argument.substring(equals + 1));
        }
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx384m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-cp", applicationClasspath(),
                "io.psaremoval.demo.DemoApplication"));
        settings.forEach((key, value) -> command.add("--" + key + "=" + value));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put("PSA_OPERATOR_PASSWORD", OPERATOR_PASSWORD);
        ApplicationNode node = new ApplicationNode(name, port, builder.start(), log);
        node.awaitHttp(Duration.ofSeconds(120));
        return node;
    }

    String name() {
        return name;
    }

    URI baseUri() {
        return URI.create("http://localhost:" + port);
    }

    /** SIGKILL, and waits until the process is gone. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("Node " + name + " did not die");
        }
    }

    String log() throws IOException {
        return Files.readString(log);
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** The node's last log lines that start with a time stamp (stack traces left out), for a test's failure message. */
    String lastLogEntries(int count) {
        try {
            return lastLines(count, line -> line.startsWith("20"));
        } catch (IOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                kill();
            }
        }
    }

    private void awaitHttp(Duration timeout) throws IOException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Node " + name + " exited with " + process.exitValue() + ":\n" + tail());
            }
            try {
                // 401 without credentials: the engine's REST API is up behind its authentication.
                http.send(HttpRequest.newBuilder(baseUri().resolve("/engine-rest/engine")).build(),
                        HttpResponse.BodyHandlers.discarding());
                return;
            } catch (IOException notYet) {
                sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new IllegalStateException("Node " + name + " did not start within " + timeout + ":\n" + tail());
    }

    private String tail() throws IOException {
        return lastLines(40, line -> true);
    }

    private String lastLines(int count, Predicate<String> kept) throws IOException {
        List<String> lines = Files.readAllLines(log).stream().filter(kept).toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - count), lines.size()));
    }

    /** The test's classpath without the test classes and test-only libraries: the application as it ships. */
    private static String applicationClasspath() {
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        return Arrays.stream(classpath.split(File.pathSeparator))
                .filter(entry -> !entry.endsWith("test-classes"))
                .filter(entry -> !entry.contains("selenium") && !entry.contains("junit") && !entry.contains("assertj")
                        && !entry.contains("mockito") && !entry.contains("process-test-coverage"))
                .collect(Collectors.joining(File.pathSeparator));
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
