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
import java.util.List;
import java.util.concurrent.TimeUnit;
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
     * @param arguments further Spring properties, e.g. {@code --psa.removal.chunk-rows=40}
     */
    static ApplicationNode start(String name, String jdbcUrl, String... arguments) throws IOException {
        int port = freePort();
        Path log = Path.of("target", "nodes", name + ".log").toAbsolutePath();
        Files.createDirectories(log.getParent());
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx384m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-cp", applicationClasspath(),
                "io.psaremoval.PsaIntegrationRemovalApplication",
                "--spring.profiles.active=prod",
                "--server.port=" + port,
                // The node's name shows in pg_stat_activity (tests wait on it) and in the engine's job log.
                "--spring.datasource.url=" + jdbcUrl + "?ApplicationName=" + name,
                "--spring.datasource.username=postgres",
                "--spring.datasource.password=",
                "--camunda.bpm.generic-properties.properties.hostname=" + name,
                "--camunda.bpm.job-execution.enabled=true",
                // A killed node's jobs are taken over once their lock expires: seconds here, not the default 5 minutes.
                "--camunda.bpm.job-execution.lock-time-in-millis=8000",
                "--camunda.bpm.job-execution.wait-time-in-millis=300",
                "--camunda.bpm.job-execution.max-wait=1000",
                "--psa.identity.sync-interval=PT5S",
                "--logging.level.root=WARN",
                "--logging.level.io.psaremoval=INFO",
                "--logging.level.org.camunda.bpm.engine.jobexecutor=INFO",
                "--logging.level.org.camunda.bpm.engine.context=ERROR"));
        command.addAll(Arrays.asList(arguments));
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
        List<String> lines = Files.readAllLines(log);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
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
