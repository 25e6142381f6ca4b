package io.psaremoval.system;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.psaremoval.test.PlatformFixtures;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.http.HttpEntity;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;

/** The engine's REST API as a test user calls it (HTTP basic, the test password), for the REST tests of this package. */
final class EngineRestCalls {

    private static final ObjectMapper json = new ObjectMapper();

    private final TestRestTemplate rest;

    EngineRestCalls(TestRestTemplate rest) {
        this.rest = rest;
    }

    /** Starts a removal as the user; returns its process instance id. */
    String start(String user) {
        ResponseEntity<String> response = post(user, "/engine-rest/process-definition/key/RemovePsaIntegration/start",
                "{\"variables\": {\"removalReason\": {\"value\": \"Moving to HaloPSA\"}}}");
        assertThat(response.getStatusCode()).as(response.getBody()).isEqualTo(HttpStatus.OK);
        return read(response.getBody()).get("id").asText();
    }

    /** The id of the removal's one open task that the user sees. */
    String openTask(String user, String processInstanceId) {
        JsonNode tasks = get(user, "/engine-rest/task?processInstanceId=" + processInstanceId);
        assertThat(tasks).as(tasks.toString()).hasSize(1);
        return tasks.get(0).get("id").asText();
    }

    /** A query as clients send it: paged (unbounded queries are refused). */
    JsonNode get(String user, String path) {
        String paged = path + (path.contains("?") ? "&" : "?") + "firstResult=0&maxResults=100";
        ResponseEntity<String> response = rest.withBasicAuth(user, PlatformFixtures.PASSWORD).getForEntity(paged, String.class);
        assertThat(response.getStatusCode()).as(path + " " + response.getBody()).isEqualTo(HttpStatus.OK);
        return read(response.getBody());
    }

    ResponseEntity<String> post(String user, String path, String body) {
        return rest.withBasicAuth(user, PlatformFixtures.PASSWORD).postForEntity(path, json(body), String.class);
    }

    static HttpEntity<String> json(String body) {
        HttpHeaders headers = new HttpHeaders();
        headers.setContentType(MediaType.APPLICATION_JSON);
        return new HttpEntity<>(body, headers);
    }

    /** The body of completing "Choose the PSA integration" with this integration id (any text, as a form sends it). */
    static String chooseIntegration(Object integrationId) {
        return """
                {"variables": {"integrationId": {"value": "%s"}, "integrationDecision": {"value": "REMOVE"}}}"""
                .formatted(integrationId);
    }

    static String message(ResponseEntity<String> response) {
        return read(response.getBody()).path("message").asText();
    }

    static JsonNode read(String body) {
        try {
            return json.readTree(body);
        } catch (Exception e) {
            throw new IllegalStateException(body, e);
        }
    }
}
