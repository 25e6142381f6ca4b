package io.psaremoval.rmm;

import java.io.IOException;
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
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The default {@link RmmConnector}: a generic webhook. Each notice is POSTed as JSON with
 * <ul>
 * <li>{@code Idempotency-Key} and {@code X-PSA-Notice-Id}: the notice's id, the same on every attempt;</li>
 * <li>{@code X-PSA-Timestamp}: seconds since the epoch at sending;</li>
 * <li>{@code X-PSA-Signature}: {@code v1=} and the hex HMAC-SHA256, keyed with the endpoint's secret, of
 * {@code <timestamp>.<body>}. A receiver recomputes it and refuses a timestamp too old (a replay).</li>
 * </ul>
 * Any 2xx is delivered; anything else, or no answer within 10 seconds, is not.
 */
public class WebhookRmmConnector implements RmmConnector {

    public static final String SIGNATURE_HEADER = "X-PSA-Signature";
    public static final String TIMESTAMP_HEADER = "X-PSA-Timestamp";

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Clock clock;

    public WebhookRmmConnector(Clock clock) {
        this.clock = clock;
    }

    @Override
    public Delivery deliver(RmmEndpoint endpoint, RmmNotice notice) {
        String timestamp = String.valueOf(clock.instant().getEpochSecond());
        HttpRequest request = HttpRequest.newBuilder(URI.create(endpoint.url()))
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .header("Idempotency-Key", String.valueOf(notice.id()))
                .header("X-PSA-Notice-Id", String.valueOf(notice.id()))
                .header(TIMESTAMP_HEADER, timestamp)
                .header(SIGNATURE_HEADER, "v1=" + sign(endpoint.secret(), timestamp, notice.payload()))
                .POST(HttpRequest.BodyPublishers.ofString(notice.payload(), StandardCharsets.UTF_8))
                .build();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            boolean delivered = response.statusCode() / 100 == 2;
            String body = response.body() == null ? "" : response.body().strip();
            return new Delivery(delivered, response.statusCode(),
                    (delivered ? "accepted" : "refused") + (body.isEmpty() ? "" : ": " + abbreviate(body)));
        } catch (IOException e) {
            return new Delivery(false, null, "no answer: " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : " " + abbreviate(e.getMessage())));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Delivery(false, null, "interrupted");
        }
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

    private static String abbreviate(String text) {
        return text.length() <= 200 ? text : text.substring(0, 200) + "…";
    }
}
