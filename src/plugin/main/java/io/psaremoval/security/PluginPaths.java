package io.psaremoval.security;

import jakarta.servlet.http.HttpServletRequest;
import java.util.Locale;

/**
 * Which requests under {@code /api/accounts/} are the plugin's: its filters (credentials, request hygiene) take those
 * and leave a host's own endpoints of that common prefix to the host. Read from the decoded path, as Spring MVC routes
 * it, and lenient towards the plugin: anything that names the removal policy is the plugin's (so that no spelling of
 * its path reaches its controller past its filters; its controllers refuse a caller the filters did not sign in anyway).
 */
public final class PluginPaths {

    private static final String ACCOUNTS = "/api/accounts/";

    private PluginPaths() {
    }

    /** Whether the plugin's filters leave the request alone: a host's own endpoint under {@code /api/accounts/}. */
    public static boolean isTheHosts(HttpServletRequest request) {
        String path = request.getServletPath() + (request.getPathInfo() == null ? "" : request.getPathInfo());
        return path.startsWith(ACCOUNTS) && !path.toLowerCase(Locale.ROOT).contains("removal-policy");
    }
}
