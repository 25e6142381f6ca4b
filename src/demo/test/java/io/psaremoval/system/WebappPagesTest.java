package io.psaremoval.system;

import static org.assertj.core.api.Assertions.assertThat;

import io.psaremoval.PlatformTest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The pages of Tasklist, Cockpit, Admin and Welcome carry the nonce of their own Content-Security-Policy header,
 * however many load at once: Camunda's webapps share one nonce between requests, and a page written with another
 * request's nonce stays blank in the browser (every script blocked). Without the plugin's repair, most of these
 * loads came back with a page nonce other than their header's.
 */
@PlatformTest
class WebappPagesTest {

    private static final Pattern HEADER_NONCE = Pattern.compile("'nonce-([^']+)'");
    private static final Pattern PAGE_NONCE = Pattern.compile("nonce=\"([^\"]*)\"");

    @LocalServerPort
    int port;

    @Test
    void everyPageLoadedAtOnceCarriesTheNonceOfItsOwnHeader() {
        // Each app's page, and Tasklist's as Camunda also serves it, without the closing slash.
        List<String> pages = List.of("/camunda/app/tasklist/default/", "/camunda/app/cockpit/default/",
                "/camunda/app/admin/default/", "/camunda/app/welcome/default/", "/camunda/app/tasklist/default");
        ExecutorService threads = Executors.newFixedThreadPool(16);
        HttpClient http = HttpClient.newBuilder().executor(threads).build();
        try {
            List<CompletableFuture<HttpResponse<String>>> loads = new ArrayList<>();
            for (int round = 0; round < 30; round++) {
                for (String page : pages) {
                    loads.add(http.sendAsync(HttpRequest.newBuilder(URI.create("http://localhost:" + port + page))
                                    .timeout(Duration.ofSeconds(30)).build(),
                            HttpResponse.BodyHandlers.ofString()));
                }
            }
            for (CompletableFuture<HttpResponse<String>> load : loads) {
                HttpResponse<String> response = load.orTimeout(60, TimeUnit.SECONDS).join();
                assertThat(response.statusCode()).as(response.uri().toString()).isEqualTo(200);
                Matcher header = HEADER_NONCE.matcher(response.headers().firstValue("Content-Security-Policy").orElse(""));
                assertThat(header.find()).as("a nonce in the header of " + response.uri()).isTrue();
                List<String> inPage = PAGE_NONCE.matcher(response.body()).results().map(nonce -> nonce.group(1)).toList();
                assertThat(inPage).as("the scripts of " + response.uri()).isNotEmpty().containsOnly(header.group(1));
            }
        } finally {
            threads.shutdownNow();
        }
    }
}
