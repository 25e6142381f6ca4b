package io.psaremoval.system;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.psaremoval.test.PlatformFixtures;
import java.io.IOException;
import java.net.CookieManager;
import java.net.CookiePolicy;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

/**
 * The engine's API as one caller reaches it, by either door: {@code /engine-rest} with HTTP Basic, or the API
 * behind Tasklist and Cockpit ({@code /camunda/api/engine/engine/default}) with a signed-in webapp session and its
 * CSRF token, as the browser sends them. {@link #anonymous} has no credentials at all.
 */
final class EngineApi {

    enum Door {
        ENGINE_REST("/engine-rest/"), TASKLIST_API("/camunda/api/engine/engine/default/");

        final String prefix;

        Door(String prefix) {
            this.prefix = prefix;
        }
    }

    record Response(int status, String body) {
        JsonNode json() {
            try {
                return new ObjectMapper().readTree(body);
            } catch (IOException e) {
                throw new IllegalStateException("Not JSON: " + body, e);
            }
        }

        String message() {
            return body == null || body.isBlank() ? "" : json().path("message").asText();
        }

        @Override
        public String toString() {
            return status + " " + (body == null ? "" : body.length() > 300 ? body.substring(0, 300) + "..." : body);
        }
    }

    private final URI base;
    private final Door door;
    private final String user;
    private final HttpClient http;
    private final String basicAuthorization;
    private String csrfToken;

    private EngineApi(URI base, Door door, String user, String password) {
        this.base = base;
        this.door = door;
        this.user = user;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
                .cookieHandler(new CookieManager(null, CookiePolicy.ACCEPT_ALL)).build();
        this.basicAuthorization = user == null ? null : "Basic " + Base64.getEncoder()
                .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /** The user, signed in at the given door (for the webapps' API: into Tasklist, or Cockpit if Tasklist refuses). */
    static EngineApi as(int port, Door door, String user) {
        EngineApi api = new EngineApi(URI.create("http://localhost:" + port), door, user, PlatformFixtures.PASSWORD);
        if (door == Door.TASKLIST_API) {
            api.signIntoWebapps();
        }
        return api;
    }

    /** The engine administrator of the test profile, at {@code /engine-rest}. */
    static EngineApi asOperator(int port) {
        return new EngineApi(URI.create("http://localhost:" + port), Door.ENGINE_REST, "operator", "test-operator-password");
    }

    static EngineApi anonymous(int port, Door door) {
        EngineApi api = new EngineApi(URI.create("http://localhost:" + port), door, null, null);
        if (door == Door.TASKLIST_API) {
            api.refreshCsrfToken();
        }
        return api;
    }

    String user() {
        return user == null ? "anonymous" : user;
    }

    Door door() {
        return door;
    }

    Response get(String path) {
        return send("GET", path, null, "application/json");
    }

    /** A GET that accepts any answer, as for a stack trace (served as text). */
    Response getAnything(String path) {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(door.prefix + path)).timeout(Duration.ofSeconds(30))
                .GET().header("Accept", "*/*");
        authorize(request);
        return exchange(request);
    }

    Response post(String path, String jsonBody) {
        return send("POST", path, jsonBody, "application/json");
    }

    Response send(String method, String path, String body, String contentType) {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(door.prefix + path))
                .timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (body != null) {
            request.header("Content-Type", contentType);
        }
        request.header("Accept", "application/json");
        authorize(request);
        return exchange(request);
    }

    private void authorize(HttpRequest.Builder request) {
        if (door == Door.ENGINE_REST && basicAuthorization != null) {
            request.header("Authorization", basicAuthorization);
        }
        if (door == Door.TASKLIST_API && csrfToken != null) {
            request.header("X-XSRF-TOKEN", csrfToken);
        }
    }

    private Response exchange(HttpRequest.Builder request) {
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            response.headers().firstValue("X-XSRF-TOKEN").ifPresent(token -> csrfToken = token);
            return new Response(response.statusCode(), response.body());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void refreshCsrfToken() {
        exchange(HttpRequest.newBuilder(base.resolve("/camunda/api/admin/auth/user/default")).GET());
    }

    private void signIntoWebapps() {
        refreshCsrfToken();
        for (String app : new String[] {"tasklist", "cockpit"}) {
            String form = "username=" + URLEncoder.encode(user, StandardCharsets.UTF_8) + "&password="
                    + URLEncoder.encode(PlatformFixtures.PASSWORD, StandardCharsets.UTF_8);
            HttpRequest.Builder login = HttpRequest.newBuilder(base.resolve("/camunda/api/admin/auth/user/default/login/" + app))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(form));
            authorize(login);
            Response signedIn = exchange(login);
            if (signedIn.status() == 200) {
                refreshCsrfToken(); // the session is new after signing in, and so is its token
                return;
            }
        }
        throw new IllegalStateException(user + " could sign into neither Tasklist nor Cockpit");
    }
}
