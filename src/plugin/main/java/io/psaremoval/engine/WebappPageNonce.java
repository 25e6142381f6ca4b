package io.psaremoval.engine;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.Charset;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.camunda.bpm.spring.boot.starter.property.CamundaBpmProperties;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.util.ContentCachingResponseWrapper;

/**
 * Tasklist, Cockpit and Admin pages that never stay blank. Camunda 7.24's webapps keep the nonce of a page's
 * Content-Security-Policy in an attribute of the servlet context, which every request shares: its
 * {@code HttpHeaderSecurityFilter} writes a fresh nonce there for each request it answers (API calls included), and
 * its {@code ProcessEnginesFilter} reads it back while writing the page. A request that comes in between gives the
 * page another request's nonce than its own header carries, and the browser then blocks every script of the page: it
 * stays blank until reloaded. Measured on this application: 37 of 40 loads of Tasklist's page at once had a page
 * nonce other than their header's; with several people at work (each Tasklist refreshes its list every 10 seconds)
 * any page load can overlap another request. This filter wraps the webapps' pages only
 * ({@code <application-path>/app/<app>/<engine>}, with or without the slash, and its {@code setup/}) and writes the
 * nonce of the response's own header into the page; every other request passes untouched.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass(name = "org.camunda.bpm.webapp.impl.engine.ProcessEnginesFilter")
public class WebappPageNonce {

    /** Before Camunda's webapp filters, so that the page they write passes through here whole. */
    static final int ORDER = Ordered.HIGHEST_PRECEDENCE + 60;

    @Bean
    FilterRegistrationBean<PageNonceFilter> pageNonceFilter(CamundaBpmProperties camunda) {
        // Camunda's own reading of the path: a leading slash added, a trailing one dropped ("/" becomes "").
        String applicationPath = camunda.getWebapp().getApplicationPath();
        FilterRegistrationBean<PageNonceFilter> registration = new FilterRegistrationBean<>(new PageNonceFilter(applicationPath));
        registration.setName("webapp-page-nonce");
        registration.addUrlPatterns(applicationPath + "/app/*");
        registration.setOrder(ORDER);
        return registration;
    }

    static final class PageNonceFilter extends OncePerRequestFilter {

        private static final Pattern HEADER_NONCE = Pattern.compile("'nonce-([^']+)'");
        private static final Pattern PAGE_NONCE = Pattern.compile("nonce=\"[^\"]*\"");

        private final Pattern page;

        PageNonceFilter(String applicationPath) {
            // As Camunda's ProcessEnginesFilter serves a page: /app/<app>/<engine>, with or without the slash, and setup/.
            this.page = Pattern.compile(Pattern.quote(applicationPath) + "/app/[\\w-]+/[\\w-]+(/(setup/)?)?");
        }

        @Override
        protected boolean shouldNotFilter(HttpServletRequest request) {
            return !page.matcher(request.getRequestURI().substring(request.getContextPath().length())).matches();
        }

        @Override
        protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
                throws ServletException, IOException {
            ContentCachingResponseWrapper written = new ContentCachingResponseWrapper(response);
            chain.doFilter(request, written);
            byte[] repaired = withOwnNonce(written);
            if (repaired == null) {
                written.copyBodyToResponse();
                return;
            }
            written.resetBuffer();
            response.setCharacterEncoding(written.getCharacterEncoding());
            response.setContentLength(repaired.length);
            response.getOutputStream().write(repaired);
        }

        /** The page with every nonce attribute set to the nonce of its own header; null when there is nothing to set. */
        private static byte[] withOwnNonce(ContentCachingResponseWrapper written) {
            String policy = written.getHeader("Content-Security-Policy");
            String type = written.getContentType();
            Matcher nonce = policy == null ? null : HEADER_NONCE.matcher(policy);
            if (nonce == null || !nonce.find() || type == null || !type.startsWith("text/html")) {
                return null;
            }
            Charset charset = Charset.forName(written.getCharacterEncoding());
            String page = new String(written.getContentAsByteArray(), charset);
            return PAGE_NONCE.matcher(page).replaceAll(Matcher.quoteReplacement("nonce=\"" + nonce.group(1) + "\""))
                    .getBytes(charset);
        }
    }
}
