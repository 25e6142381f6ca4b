package io.psaremoval;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Camunda Modeler's lint, the real one: bpmnlint with its recommended rules and Camunda 7.24 compatibility
 * ({@code src/plugin/test/bpmnlint}, versions pinned by its package-lock), run by Node.js on every model in the
 * repository's {@code processes/}. Not one error, not one warning (fake joins, implicit splits, missing labels,
 * overlapping shapes, elements Camunda 7.24 does not run, ...).
 *
 * <p>Needs {@code node} and {@code npm}, which install the lint from the npm registry into {@code target/bpmnlint}.
 * A machine without them skips this test with the reason printed; in CI ({@code CI=true}, which {@code .ci/run} sets
 * after installing Debian's nodejs and npm) it fails instead, so that CI never passes without having run it.
 */
class ModelLintTest {

    private static final Path LINT = Path.of("test/bpmnlint");
    private static final Path WORK = Path.of("target/bpmnlint");
    private static final Path PROCESSES = Path.of("../../processes");

    @Test
    void everyModelPassesModelersLintWithoutAWarning() throws Exception {
        requireOnPath("node");
        requireOnPath("npm");
        Files.createDirectories(WORK);
        for (String file : List.of("package.json", "package-lock.json", ".bpmnlintrc")) {
            Files.copy(LINT.resolve(file), WORK.resolve(file), StandardCopyOption.REPLACE_EXISTING);
        }
        if (!Files.exists(WORK.resolve("node_modules/bpmnlint/bin/bpmnlint.js"))) {
            Run install = run("npm", "ci", "--no-audit", "--no-fund", "--loglevel=error");
            assertThat(install.exit()).as("npm ci in %s:%n%s", WORK, install.output()).isZero();
        }
        List<String> lint = new ArrayList<>(List.of("node", "node_modules/bpmnlint/bin/bpmnlint.js"));
        try (Stream<Path> models = Files.list(PROCESSES)) {
            models.filter(model -> model.toString().endsWith(".bpmn")).sorted()
                    .forEach(model -> lint.add(model.toAbsolutePath().normalize().toString()));
        }
        assertThat(lint).as("models to lint").hasSizeGreaterThan(2);

        Run result = run(lint.toArray(String[]::new));
        System.out.println("bpmnlint on " + (lint.size() - 2) + " models: exit " + result.exit()
                + (result.output().isBlank() ? ", no problems" : "\n" + result.output()));
        assertThat(result.output()).as("Modeler's lint output").doesNotContain("warning").doesNotContain("error");
        assertThat(result.exit()).as("bpmnlint's exit code:%n%s", result.output()).isZero();
    }

    private record Run(int exit, String output) {
    }

    private static Run run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).directory(WORK.toFile()).redirectErrorStream(true).start();
        byte[] output = process.getInputStream().readAllBytes();
        if (!process.waitFor(5, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new IllegalStateException(String.join(" ", command) + " did not end within 5 minutes");
        }
        return new Run(process.exitValue(), new String(output, StandardCharsets.UTF_8));
    }

    private static void requireOnPath(String tool) {
        String path = System.getenv().getOrDefault("PATH", "");
        boolean found = Stream.of(path.split(java.io.File.pathSeparator))
                .anyMatch(dir -> Files.isExecutable(Path.of(dir, tool)));
        if (found) {
            return;
        }
        String reason = "Modeler's lint needs Node.js: '" + tool + "' is not on the PATH (Debian: apt-get install nodejs npm).";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new IllegalStateException("CI must run Modeler's lint. " + reason);
        }
        System.out.println("Skipped: " + reason);
        Assumptions.abort(reason);
    }
}
