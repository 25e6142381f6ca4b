package io.psaremoval.rmm;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The default {@link RmmConnector}: a generic webhook. Each notice is POSTed as JSON with
 * <ul>
 * <li>{@code Idempotency-Key} and {@code X-PSA-Notice-Id}: the notice's id, the same on every attempt;</li>
 * <li>{@code X-PSA-Timestamp}: seconds since the epoch at sending;</li>
 * <li>{@code X-PSA-Signature}: {@code v1=} and the hex HMAC-SHA256, keyed with the endpoint's secret, of
 * {@code <timestamp>.<body>}. A receiver recomputes it, compares in constant time ({@code MessageDigest.isEqual}),
 * refuses a timestamp more than 5 minutes off (a replay) and drops an idempotency key it has seen.</li>
 * </ul>
 * Any 2xx is delivered; anything else, or no whole answer within 15 seconds, is not. Redirects are not followed. The
 * URL is checked against the {@link RmmEndpointPolicy} before every delivery.
 */
public class WebhookRmmConnector implements RmmConnector {

    public static final String SIGNATURE_HEADER = "X-PSA-Signature";
    public static final String TIMESTAMP_HEADER = "X-PSA-Timestamp";

    /** How long one delivery may take, answer included. */
    static final Duration DEADLINE = Duration.ofSeconds(15);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NEVER).build();
    private final Clock clock;
    private final RmmEndpointPolicy policy;

    public WebhookRmmConnector(Clock clock, RmmEndpointPolicy policy) {
        this.clock = clock;
        this.policy = policy;
    }

    /**
     * Only the HTTP status is kept of an answer, never its body, and only a category of a failure: what an endpoint
     * answers is not shown to the account's users, so that the webhook can not be used to read another system.
     */
    @Override
    public Delivery deliver(RmmEndpoint endpoint, RmmNotice notice) {
        try {
            URI target = policy.check(endpoint.url());
            String timestamp = String.valueOf(clock.instant().getEpochSecond());
            HttpRequest request = HttpRequest.newBuilder(target)
                    .timeout(DEADLINE)
                    .header("Content-Type", "application/json")
                    .header("Idempotency-Key", String.valueOf(notice.id()))
                    .header("X-PSA-Notice-Id", String.valueOf(notice.id()))
                    .header(TIMESTAMP_HEADER, timestamp)
                    .header(SIGNATURE_HEADER, "v1=" + sign(endpoint.secret(), timestamp, notice.payload()))
                    .POST(HttpRequest.BodyPublishers.ofString(notice.payload(), StandardCharsets.UTF_8))
                    .build();
            CompletableFuture<HttpResponse<Void>> sent = http.sendAsync(request, HttpResponse.BodyHandlers.discarding());
            HttpResponse<Void> response;
            try {
                response = sent.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                sent.cancel(true);
                return new Delivery(false, null, "no answer within " + DEADLINE.toSeconds() + " s");
            }
            boolean delivered = response.statusCode() / 100 == 2;
            return new Delivery(delivered, response.statusCode(), delivered ? "accepted" : "refused");
        } catch (RmmEndpointPolicy.RefusedEndpointException e) {
            return new Delivery(false, null, "not sent: " + e.getMessage());
        } catch (ExecutionException e) {
            return new Delivery(false, null, "no answer: " + category(e.getCause()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Delivery(false, null, "interrupted");
        } catch (RuntimeException e) {
            return new Delivery(false, null, "not sent: " + e.getClass().getSimpleName());
        }
    }

    private static String category(Throwable failure) {
        if (failure instanceof java.net.ConnectException) {
            return "the connection was refused or could not be made";
        }
        if (failure instanceof java.net.http.HttpTimeoutException) {
            return "timed out";
        }
        if (failure instanceof javax.net.ssl.SSLException) {
            return "the TLS handshake failed";
        }
        if (failure instanceof java.io.IOException) {
            return "the connection failed";
        }
        return failure == null ? "unknown" : failure.getClass().getSimpleName();
    }

    /** The signature a receiver recomputes: hex HMAC-SHA256 of {@code <timestamp>.<body>} with the shared secret. */
    public static String sign(String secret, String timestamp, String body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal((timestamp + "." + body).getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HMAC-SHA256 is not available", e);
        }
    }

}
