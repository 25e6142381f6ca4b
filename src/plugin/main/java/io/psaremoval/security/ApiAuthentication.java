package io.psaremoval.security;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.identity.Group;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * The plugin's own API ({@code /api/*}: the audit, the RMM endpoints, the accounts' removal policies) asks every request for the caller's engine
 * credentials, HTTP Basic, as scripts and other systems send them; without valid ones it answers 401. It sends no
 * browser challenge, so the audit page shows its own sign-in form rather than the browser's dialog.
 *
 * <p>The audit page signs in once: {@code POST /api/audit/session} with the user name and password checks them and
 * keeps the user in the server's HTTP session (a new session id at each sign-in; the cookie is the container's,
 * HttpOnly), {@code DELETE} signs out. The page keeps no password. A session reads the audit ({@code GET} and
 * {@code HEAD} under {@code /api/audit/}) and nothing else: what changes something (an RMM endpoint) always needs the
 * credentials in the request, so a page of another site cannot make a signed-in browser change it.
 * Each endpoint then decides who may use it from the caller's groups.
 */
@Configuration(proxyBeanMethods = false)
class ApiAuthentication {

    @Bean
    FilterRegistrationBean<BasicAuthenticationFilter> psaApiAuthentication(IdentityService identityService) {
        FilterRegistrationBean<BasicAuthenticationFilter> registration =
                new FilterRegistrationBean<>(new BasicAuthenticationFilter(identityService));
        registration.setName("psa-api-authentication");
        registration.addUrlPatterns("/api/audit/*", "/api/rmm-integrations/*", "/api/accounts/*");
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 100);
        return registration;
    }

    static class BasicAuthenticationFilter extends OncePerRequestFilter {

        static final String SESSION_PATH = "/api/audit/session";
        static final String SESSION_USER = "io.psaremoval.audit.user";
        private static final ObjectMapper JSON = new ObjectMapper();

        private final IdentityService identityService;

        BasicAuthenticationFilter(IdentityService identityService) {
            this.identityService = identityService;
        }

        /** A host's own endpoint under {@code /api/accounts/} is the host's to secure. */
        @Override
        protected boolean shouldNotFilter(HttpServletRequest request) {
            return PluginPaths.isTheHosts(request);
        }

        @Override
        protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
                throws ServletException, IOException {
            if (request.getRequestURI().equals(request.getContextPath() + SESSION_PATH)) {
                session(request, response);
                return;
            }
            String header = request.getHeader("Authorization");
            String user = null;
            if (header != null && header.regionMatches(true, 0, "Basic ", 0, 6)) {
                String decoded;
                try {
                    decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
                } catch (IllegalArgumentException notBase64) {
                    decoded = "";
                }
                int colon = decoded.indexOf(':');
                if (colon > 0 && identityService.checkPassword(decoded.substring(0, colon), decoded.substring(colon + 1))) {
                    user = decoded.substring(0, colon);
                }
            }
            boolean reads = request.getMethod().equals("GET") || request.getMethod().equals("HEAD");
            if (user == null && header == null && reads && request.getRequestURI().startsWith(request.getContextPath() + "/api/audit/")) {
                HttpSession session = request.getSession(false);
                user = session == null ? null : (String) session.getAttribute(SESSION_USER);
            }
            if (user == null) {
                response.sendError(HttpServletResponse.SC_UNAUTHORIZED, "Sign in with your user name and password.");
                return;
            }
            List<String> groups = identityService.createGroupQuery().groupMember(user).list().stream()
                    .map(Group::getId).toList();
            identityService.setAuthentication(user, groups);
            try {
                chain.doFilter(request, response);
            } finally {
                identityService.clearAuthentication();
            }
        }

        /** Signs the audit page in (POST, JSON user name and password) or out (DELETE). */
        private void session(HttpServletRequest request, HttpServletResponse response) throws IOException {
            if (request.getMethod().equals("DELETE")) {
                HttpSession session = request.getSession(false);
                if (session != null) {
                    session.removeAttribute(SESSION_USER);
                }
                response.setStatus(HttpServletResponse.SC_NO_CONTENT);
                return;
            }
            if (!request.getMethod().equals("POST")) {
                response.sendError(HttpServletResponse.SC_METHOD_NOT_ALLOWED, "POST signs in, DELETE signs out.");
                return;
            }
            // JSON only: a page of another site cannot send it without the browser asking this server first (CORS),
            // so no other site signs a browser in with its own account.
            if (request.getContentType() == null || !request.getContentType().toLowerCase(java.util.Locale.ROOT)
                    .startsWith("application/json")) {
                response.sendError(HttpServletResponse.SC_UNSUPPORTED_MEDIA_TYPE, "Sign in with a JSON body.");
                return;
            }
            String username = null;
            String password = null;
            try {
                JsonNode body = JSON.readTree(request.getInputStream().readNBytes(8192));
                username = body == null ? null : body.path("username").asText(null);
                password = body == null ? null : body.path("password").asText(null);
            } catch (IOException malformed) {
                // answered below
            }
            if (username == null || password == null || username.isBlank() || username.indexOf('\0') >= 0
                    || password.indexOf('\0') >= 0 || !identityService.checkPassword(username, password)) {
                response.sendError(HttpServletResponse.SC_UNAUTHORIZED, "Wrong user name or password.");
                return;
            }
            HttpSession existing = request.getSession(false);
            if (existing != null) {
                request.changeSessionId(); // no session id from before the sign-in stays valid
            }
            request.getSession(true).setAttribute(SESSION_USER, username);
            response.setStatus(HttpServletResponse.SC_NO_CONTENT);
        }
    }
}
