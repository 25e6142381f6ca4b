package io.psaremoval.engine;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequestWrapper;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import org.camunda.bpm.engine.rest.security.auth.ProcessEngineAuthenticationFilter;
import org.camunda.bpm.engine.rest.security.auth.impl.HttpBasicAuthenticationProvider;
import org.camunda.bpm.spring.boot.starter.property.CamundaBpmProperties;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.web.servlet.JerseyApplicationPath;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * The engine's REST API answers only authenticated callers (HTTP Basic, checked against the engine's users), the
 * list of engines at {@code /engine-rest/engine} included; an anonymous request gets 401 and changes nothing. What
 * authenticated callers may do is decided inside the engine ({@link PlatformCommandGuard}), for this API and the
 * one the webapps use alike. Request bodies over {@code psa.security.max-request-bytes} are refused with 413, and a
 * NUL character anywhere in a request with 400, on both and on the audit API.
 *
 * <p>Both APIs are found where the host put them: the engine's REST API at Spring Boot's Jersey path
 * ({@code spring.jersey.application-path}, else Camunda's {@code /engine-rest}), the webapps' API below
 * {@code camunda.bpm.webapp.application-path}. A host that moves either keeps its authentication and limits.
 */
@Configuration(proxyBeanMethods = false)
public class RestSecurityConfiguration {

    public static final String ENGINE_REST_AUTHENTICATION = "engineRestAuthentication";

    @Bean
    FilterRegistrationBean<RequestHygiene> requestSizeLimit(
            @Value("${psa.security.max-request-bytes:1048576}") long maxRequestBytes,
            ObjectProvider<JerseyApplicationPath> jerseyPath, ObjectProvider<CamundaBpmProperties> camunda) {
        // The webapps' path as Camunda itself reads it (a leading slash added, a trailing one dropped).
        String webappApi = (camunda.getIfAvailable() == null ? "/camunda"
                : camunda.getIfAvailable().getWebapp().getApplicationPath()) + "/api";
        FilterRegistrationBean<RequestHygiene> registration = new FilterRegistrationBean<>(
                new RequestHygiene(maxRequestBytes, webappApi + "/engine/"));
        registration.setName("request-hygiene");
        registration.addUrlPatterns(engineRestMapping(jerseyPath), webappApi + "/*", "/api/audit/*",
                "/api/rmm-integrations/*", "/api/accounts/*");
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 50);
        return registration;
    }

    /**
     * The URL pattern of the engine's REST API: Spring Boot's Jersey path, which {@code spring.jersey.application-path}
     * sets and which is otherwise Camunda's {@code /engine-rest}; the same value Jersey itself is registered under.
     */
    public static String engineRestMapping(ObjectProvider<JerseyApplicationPath> jerseyPath) {
        JerseyApplicationPath path = jerseyPath.getIfAvailable();
        return path == null ? "/engine-rest/*" : path.getUrlMapping();
    }

    /**
     * HTTP Basic for every path of the engine's REST API, at the given URL pattern (see {@link #engineRestMapping}; the
     * plugin's default: a host that secures the API its own way defines a bean named
     * {@value #ENGINE_REST_AUTHENTICATION} and this one backs off).
     */
    public static FilterRegistrationBean<Filter> engineRestAuthentication(String urlMapping) {
        FilterRegistrationBean<Filter> registration = new FilterRegistrationBean<>(new EveryPathAuthenticationFilter());
        registration.setName(ENGINE_REST_AUTHENTICATION);
        registration.addUrlPatterns(urlMapping);
        registration.addInitParameter(ProcessEngineAuthenticationFilter.AUTHENTICATION_PROVIDER_PARAM,
                HttpBasicAuthenticationProvider.class.getName());
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 100);
        return registration;
    }

    /** Camunda's filter lets {@code /engine} through unauthenticated; here no path is. */
    static class EveryPathAuthenticationFilter extends ProcessEngineAuthenticationFilter {
        @Override
        protected boolean requiresEngineAuthentication(String requestUrl) {
            return true;
        }
    }

    /**
     * What no API of this application takes, refused before it reaches the database (where it would be an error
     * and an HTTP 500): a body larger than the limit (413), by its declared length or, for a body sent in chunks,
     * by reading at most the limit first; a NUL character (PostgreSQL stores none) in the path, the query, a JSON
     * body or the credentials (400, or 401 for the credentials).
     */
    static class RequestHygiene extends OncePerRequestFilter {
        private static final java.util.regex.Pattern ESCAPED_NUL = java.util.regex.Pattern.compile("\\\\u0000",
                java.util.regex.Pattern.CASE_INSENSITIVE);
        private final long maxBytes;
        private final String webappEngineApi;

        /** @param webappEngineApi the path of the webapps' engine API, {@code /camunda/api/engine/} by default */
        RequestHygiene(long maxBytes, String webappEngineApi) {
            this.maxBytes = maxBytes;
            this.webappEngineApi = webappEngineApi;
        }

        /** A host's own endpoint under {@code /api/accounts/} keeps the host's own limits. */
        @Override
        protected boolean shouldNotFilter(HttpServletRequest request) {
            return io.psaremoval.security.PluginPaths.isTheHosts(request);
        }

        @Override
        protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
                throws ServletException, IOException {
            long length = request.getContentLengthLong();
            if (length > maxBytes) {
                refuse(response, HttpServletResponse.SC_REQUEST_ENTITY_TOO_LARGE, "RequestTooLarge",
                        "Request bodies are limited to " + maxBytes + " bytes.");
                return;
            }
            String path = request.getRequestURI().substring(request.getContextPath().length());
            if (path.startsWith(webappEngineApi) && path.endsWith("/external-task/fetchAndLock")) {
                // Long polling is served by /engine-rest only; in the webapps' copy of the API it fails with a 500.
                refuse(response, HttpServletResponse.SC_NOT_FOUND, "NotFound",
                        "Fetching external tasks is offered by the engine's REST API only.");
                return;
            }
            if (hasNul(request.getRequestURI()) || hasNul(request.getQueryString())) {
                refuse(response, HttpServletResponse.SC_BAD_REQUEST, "InvalidRequestException",
                        "The address contains a NUL character.");
                return;
            }
            if (nulInCredentials(request.getHeader("Authorization"))) {
                refuse(response, HttpServletResponse.SC_UNAUTHORIZED, "AuthenticationException",
                        "The credentials contain a NUL character.");
                return;
            }
            boolean chunked = length < 0 && "chunked".equalsIgnoreCase(request.getHeader("Transfer-Encoding"));
            boolean json = request.getContentType() != null && request.getContentType().toLowerCase().contains("json");
            if (!chunked && !json) {
                chain.doFilter(request, response);
                return;
            }
            byte[] body = request.getInputStream().readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
            if (body.length > maxBytes) {
                refuse(response, HttpServletResponse.SC_REQUEST_ENTITY_TOO_LARGE, "RequestTooLarge",
                        "Request bodies are limited to " + maxBytes + " bytes.");
                return;
            }
            if (json && (indexOf(body, (byte) 0) >= 0
                    || ESCAPED_NUL.matcher(new String(body, StandardCharsets.ISO_8859_1)).find())) {
                refuse(response, HttpServletResponse.SC_BAD_REQUEST, "InvalidRequestException",
                        "The request body contains a NUL character, which cannot be stored.");
                return;
            }
            chain.doFilter(new ReadBody(request, body), response);
        }

        private static boolean hasNul(String text) {
            return text != null && (text.indexOf('\0') >= 0 || text.toLowerCase().contains("%00"));
        }

        private static boolean nulInCredentials(String authorization) {
            if (authorization == null || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
                return authorization != null && authorization.indexOf('\0') >= 0;
            }
            try {
                return new String(java.util.Base64.getDecoder().decode(authorization.substring(6).trim()),
                        StandardCharsets.UTF_8).indexOf('\0') >= 0;
            } catch (IllegalArgumentException notBase64) {
                return false; // the authentication filter refuses it
            }
        }

        private static int indexOf(byte[] bytes, byte wanted) {
            for (int i = 0; i < bytes.length; i++) {
                if (bytes[i] == wanted) {
                    return i;
                }
            }
            return -1;
        }

        private static void refuse(HttpServletResponse response, int status, String type, String message)
                throws IOException {
            response.setStatus(status);
            response.setContentType("application/json");
            response.getWriter().write("{\"type\":\"" + type + "\",\"message\":\"" + message + "\"}");
        }
    }

    /** A request whose body was read already, served again from memory. */
    static class ReadBody extends HttpServletRequestWrapper {
        private final byte[] body;

        ReadBody(HttpServletRequest request, byte[] body) {
            super(request);
            this.body = body;
        }

        @Override
        public ServletInputStream getInputStream() {
            ByteArrayInputStream in = new ByteArrayInputStream(body);
            return new ServletInputStream() {
                @Override
                public boolean isFinished() {
                    return in.available() == 0;
                }

                @Override
                public boolean isReady() {
                    return true;
                }

                @Override
                public void setReadListener(ReadListener listener) {
                    throw new UnsupportedOperationException();
                }

                @Override
                public int read() {
                    return in.read();
                }

                @Override
                public int read(byte[] buffer, int offset, int length) {
                    return in.read(buffer, offset, length);
                }
            };
        }

        @Override
        public BufferedReader getReader() {
            return new BufferedReader(new InputStreamReader(getInputStream(), StandardCharsets.UTF_8));
        }

        @Override
        public int getContentLength() {
            return body.length;
        }

        @Override
        public long getContentLengthLong() {
            return body.length;
        }
    }
}
