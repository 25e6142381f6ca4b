package io.psaremoval.reliability;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/** Camunda's REST API of one node, called as one user with HTTP basic authentication, as Tasklist's users could. */
final class EngineRest {

    private static final ObjectMapper json = new ObjectMapper();
    private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    record Response(int status, JsonNode body) {
        String message() {
            return body.path("message").asText();
        }
    }

    private final URI base;
    private final String authorization;

    EngineRest(URI nodeBase, String user, String password) {
        this.base = nodeBase.resolve("/engine-rest/");
        this.authorization = "Basic " + Base64.getEncoder()
                .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    Response get(String path) {
        return send(HttpRequest.newBuilder(base.resolve(path)).GET());
    }

    Response post(String path, Object body) {
        return send(HttpRequest.newBuilder(base.resolve(path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(write(body))));
    }

    Response put(String path, Object body) {
        return send(HttpRequest.newBuilder(base.resolve(path))
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(write(body))));
    }

    /** Starts a removal; returns the process instance id. */
    String startRemoval(String reason) {
        Response started = post("process-definition/key/RemovePsaIntegration/start",
                Map.of("variables", variables(Map.of("removalReason", reason))));
        if (started.status() != 200) {
            throw new IllegalStateException("Start refused: " + started);
        }
        return started.body().path("id").asText();
    }

    /** The id of the removal's one open task, or null. */
    String openTask(String processInstanceId) {
        // Queries name their page size: the engine refuses unbounded ones (queryMaxResultsLimit).
        JsonNode tasks = get("task?processInstanceId=" + processInstanceId + "&firstResult=0&maxResults=10").body();
        return tasks.isArray() && tasks.size() == 1 ? tasks.get(0).path("id").asText() : null;
    }

    Response complete(String taskId, Map<String, Object> variables) {
        return post("task/" + taskId + "/complete", Map.of("variables", variables(variables)));
    }

    /** Camunda's variable format: every value typed by the JSON it has (strings stay strings). */
    static Map<String, Object> variables(Map<String, Object> values) {
        Map<String, Object> variables = new LinkedHashMap<>();
        values.forEach((name, value) -> variables.put(name, Map.of("value", value)));
        return variables;
    }

    private Response send(HttpRequest.Builder request) {
        try {
            HttpResponse<String> response = http.send(request.header("Authorization", authorization)
                    .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
            String body = response.body();
            return new Response(response.statusCode(), body == null || body.isBlank() ? json.createObjectNode()
                    : json.readTree(body));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String write(Object body) {
        try {
            return json.writeValueAsString(body);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
