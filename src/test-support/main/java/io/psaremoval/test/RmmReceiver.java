package io.psaremoval.test;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An RMM's webhook on this machine, for tests: it keeps every request it receives (idempotency key, timestamp,
 * signature, body) and answers 202, or 503 for as many requests as it is told to refuse. The application must be
 * allowed to call it ({@code psa.rmm.require-https=false}, {@code psa.rmm.allow-private-addresses=true}).
 */
public final class RmmReceiver implements AutoCloseable {

    /** One request as it arrived. */
    public record Received(String idempotencyKey, String timestamp, String signature, String body) {
    }

    private final HttpServer server;
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final AtomicInteger refusalsLeft = new AtomicInteger();

    private RmmReceiver(HttpServer server) {
        this.server = server;
    }

    /** Listens on a free port of localhost. */
    public static RmmReceiver start() {
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress("localhost", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        RmmReceiver receiver = new RmmReceiver(server);
        server.createContext("/hooks/unmatched", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            receiver.received.add(new Received(exchange.getRequestHeaders().getFirst("Idempotency-Key"),
                    exchange.getRequestHeaders().getFirst("X-PSA-Timestamp"),
                    exchange.getRequestHeaders().getFirst("X-PSA-Signature"), new String(body, StandardCharsets.UTF_8)));
            exchange.sendResponseHeaders(receiver.refusalsLeft.getAndDecrement() > 0 ? 503 : 202, -1);
            exchange.close();
        });
        server.start();
        return receiver;
    }

    public String url() {
        return "http://localhost:" + server.getAddress().getPort() + "/hooks/unmatched";
    }

    /** What arrived so far, in order. */
    public List<Received> received() {
        return received;
    }

    /** Answers the next {@code count} requests with 503 ({@link Integer#MAX_VALUE}: every one). */
    public void refuseNext(int count) {
        refusalsLeft.set(count);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
