package io.psaremoval.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.camunda.bpm.engine.impl.history.HistoryLevel;
import org.camunda.bpm.spring.boot.starter.property.CamundaBpmProperties;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.stereotype.Component;

/**
 * The host settings the removal cannot do without, checked before anything starts (and again on the engine that was
 * built, in {@link RemovalEnginePlugin}): with authorizations off every signed-in user could read and work every
 * account's removal; below history level full, auditors could not see who entered what; identity names with dots
 * and dashes ({@code acmeit.manager}, {@code account-7-administrator}) must be accepted. A host that lacks one gets a
 * start-up refusal that names the setting.
 */
@Component
public class HostSettingsCheck implements InitializingBean {

    static final String SAMPLE_USER = "acmeit.manager";
    static final String SAMPLE_GROUP = "account-7-administrator";
    /** The engine's own defaults, when the host sets no pattern. */
    private static final String DEFAULT_WHITELIST = "[a-zA-Z0-9]+|camunda-admin";

    private final CamundaBpmProperties camunda;

    public HostSettingsCheck(CamundaBpmProperties camunda) {
        this.camunda = camunda;
    }

    @Override
    public void afterPropertiesSet() {
        List<String> missing = new ArrayList<>();
        if (!camunda.getAuthorization().isEnabled()) {
            missing.add("camunda.bpm.authorization.enabled=true (each account may see and work its own removals only)");
        }
        if (!"full".equalsIgnoreCase(camunda.getHistoryLevel())) {
            missing.add("camunda.bpm.history-level=full, not " + camunda.getHistoryLevel()
                    + " (auditors read every step and every value a person entered)");
        }
        Object historicPermissions = camunda.getGenericProperties().getProperties().get("enableHistoricInstancePermissions");
        if (historicPermissions == null || !Boolean.parseBoolean(historicPermissions.toString())) {
            missing.add("camunda.bpm.generic-properties.properties.enableHistoricInstancePermissions=true (each "
                    + "account reads its own removals' history only)");
        }
        checkWhitelist("userResourceWhitelistPattern", SAMPLE_USER, missing);
        checkWhitelist("groupResourceWhitelistPattern", SAMPLE_GROUP, missing);
        refuseIfMissing(missing);
    }

    /** The same on the engine as built, whatever configured it. */
    static void check(ProcessEngineConfigurationImpl engine) {
        List<String> missing = new ArrayList<>();
        if (!engine.isAuthorizationEnabled()) {
            missing.add("authorization enabled on the process engine");
        }
        if (engine.getHistoryLevel() != null && engine.getHistoryLevel().getId() < HistoryLevel.HISTORY_LEVEL_FULL.getId()) {
            missing.add("history level full on the process engine, not " + engine.getHistoryLevel().getName());
        }
        refuseIfMissing(missing);
    }

    private void checkWhitelist(String property, String sample, List<String> missing) {
        Object configured = camunda.getGenericProperties().getProperties().get(property);
        String pattern = configured == null || configured.toString().isBlank() ? DEFAULT_WHITELIST : configured.toString();
        if (!Pattern.matches(pattern, sample)) {
            missing.add("camunda.bpm.generic-properties.properties." + property + " accepting names like '" + sample
                    + "' (e.g. \"[a-z0-9][a-z0-9._-]*\"), not " + pattern);
        }
    }

    private static void refuseIfMissing(List<String> missing) {
        if (!missing.isEmpty()) {
            throw new IllegalStateException("Refusing to start: the PSA integration removal plugin needs these settings "
                    + "of the host application: " + String.join("; ", missing) + ".");
        }
    }
}
