package io.psaremoval.audit;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.servlet.config.annotation.ViewControllerRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * {@code /audit} and {@code /audit/} open the audit page. Its files are sent with a content security policy that lets
 * the page load its own script, style and data and nothing else (no inline script, no other site, no frame around it,
 * so that no other site can frame its sign-in form), and without content sniffing: the page shows what every account
 * wrote, and should a later change of it put such text into markup, the browser still runs none of it.
 */
@Configuration(proxyBeanMethods = false)
class AuditPageConfiguration implements WebMvcConfigurer {

    static final String POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
            + "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    @Override
    public void addViewControllers(ViewControllerRegistry registry) {
        registry.addRedirectViewController("/audit", "/audit/index.html");
        registry.addRedirectViewController("/audit/", "/audit/index.html");
    }

    @Bean
    FilterRegistrationBean<OncePerRequestFilter> auditPageHeaders() {
        FilterRegistrationBean<OncePerRequestFilter> registration = new FilterRegistrationBean<>(new OncePerRequestFilter() {
            @Override
            protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
                    throws ServletException, IOException {
                response.setHeader("Content-Security-Policy", POLICY);
                response.setHeader("X-Content-Type-Options", "nosniff");
                response.setHeader("Referrer-Policy", "no-referrer");
                chain.doFilter(request, response);
            }
        });
        registration.addUrlPatterns("/audit/*");
        registration.setName("psaAuditPageHeaders");
        return registration;
    }
}
