package io.psaremoval.security;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
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
 * The plugin's own API ({@code /api/*}: the audit, the RMM endpoints) asks every request for the caller's engine
 * credentials (HTTP Basic, sent by the audit page's sign-in form); without valid ones it answers 401. It sends no
 * browser challenge, so the page shows its own sign-in form rather than the browser's dialog. Each endpoint then
 * decides who may use it from the caller's groups.
 */
@Configuration(proxyBeanMethods = false)
class ApiAuthentication {

    @Bean
    FilterRegistrationBean<BasicAuthenticationFilter> psaApiAuthentication(IdentityService identityService) {
        FilterRegistrationBean<BasicAuthenticationFilter> registration =
                new FilterRegistrationBean<>(new BasicAuthenticationFilter(identityService));
        registration.setName("psa-api-authentication");
        registration.addUrlPatterns("/api/audit/*", "/api/rmm-integrations/*");
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 100);
        return registration;
    }

    static class BasicAuthenticationFilter extends OncePerRequestFilter {

        private final IdentityService identityService;

        BasicAuthenticationFilter(IdentityService identityService) {
            this.identityService = identityService;
        }

        @Override
        protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
                throws ServletException, IOException {
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
    }
}
