package io.psaremoval.audit;

import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.config.annotation.ViewControllerRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/** {@code /audit} and {@code /audit/} open the audit page. */
@Configuration(proxyBeanMethods = false)
class AuditPageConfiguration implements WebMvcConfigurer {

    @Override
    public void addViewControllers(ViewControllerRegistry registry) {
        registry.addRedirectViewController("/audit", "/audit/index.html");
        registry.addRedirectViewController("/audit/", "/audit/index.html");
    }
}
