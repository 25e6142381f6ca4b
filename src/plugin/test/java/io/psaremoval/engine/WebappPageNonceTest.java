package io.psaremoval.engine;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.servlet.FilterChain;
import jakarta.servlet.http.HttpServletResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

/**
 * The repair of a webapp page's nonce, as Camunda's filters would write the page: which requests it touches (the
 * pages under the configured application path, nothing else) and what it writes (the header's nonce, the right
 * length, the page's charset). The pages served concurrently by the real webapps: {@code WebappPagesTest}.
 */
class WebappPageNonceTest {

    private static final String PAGE = "<script src=\"/lib/deps.js\" nonce=\"theOtherRequests\"></script>"
            + "<script nonce=\"theOtherRequests\">start()</script>";

    @Test
    void aPageGetsTheNonceOfItsOwnHeaderUnderAnyApplicationPath() throws Exception {
        for (String[] pathAndPage : new String[][] {{"/camunda", "/camunda/app/tasklist/default/"},
                {"/camunda", "/camunda/app/tasklist/default"}, {"/camunda", "/camunda/app/admin/default/setup/"},
                {"/ops/camunda", "/ops/camunda/app/cockpit/default/"}, {"", "/app/welcome/default/"}}) {
            MockHttpServletResponse response = serve(pathAndPage[0], pathAndPage[1], "text/html");

            String page = response.getContentAsString();
            assertThat(page).as(pathAndPage[1]).doesNotContain("theOtherRequests")
                    .contains("<script src=\"/lib/deps.js\" nonce=\"itsOwn\"></script><script nonce=\"itsOwn\">start()</script>");
            assertThat(response.getContentLength()).isEqualTo(page.getBytes(StandardCharsets.ISO_8859_1).length);
            assertThat(response.getContentType()).startsWith("text/html").containsIgnoringCase("charset=ISO-8859-1");
        }
    }

    @Test
    void scriptsStylesAndOtherPathsPassUntouched() throws Exception {
        for (String[] pathAndResource : new String[][] {{"/camunda", "/camunda/app/tasklist/camunda-tasklist-bootstrap.js"},
                {"/camunda", "/camunda/app/tasklist/default/scripts/page.html"}, {"/camunda", "/other/app/tasklist/default/"},
                {"/ops/camunda", "/camunda/app/tasklist/default/"}}) {
            MockHttpServletResponse response = serve(pathAndResource[0], pathAndResource[1], "text/html");

            assertThat(response.getContentAsString()).as(pathAndResource[1]).isEqualTo(PAGE);
        }
        assertThat(serve("/camunda", "/camunda/app/tasklist/default/", "application/json").getContentAsString())
                .as("not a page").isEqualTo(PAGE);
    }

    /** The request through the filter to a chain that writes what Camunda's filters write: header, then the page. */
    private static MockHttpServletResponse serve(String applicationPath, String uri, String contentType) throws Exception {
        MockHttpServletRequest request = new MockHttpServletRequest("GET", uri);
        MockHttpServletResponse response = new MockHttpServletResponse();
        FilterChain camunda = (req, res) -> {
            HttpServletResponse http = (HttpServletResponse) res;
            http.setHeader("Content-Security-Policy", "base-uri 'self';script-src 'nonce-itsOwn' 'strict-dynamic'");
            http.setContentLength(PAGE.length());
            http.setContentType(contentType);
            http.getWriter().append(PAGE);
        };
        new WebappPageNonce.PageNonceFilter(applicationPath).doFilter(request, response, camunda);
        return response;
    }
}
