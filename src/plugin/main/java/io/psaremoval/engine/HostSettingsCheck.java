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
 * The host settings the removal cannot do without, checked twice: on the host's properties when this bean is created
 * (early, with the property to set named), and on the engine as built, after every configuration ran, in
 * {@link RemovalEnginePlugin} (authoritative: a host may configure its engine in code). With authorizations off every signed-in user could read and work every
 * account's removal; below history level full, auditors could not see who entered what; identity names with dots
 * and dashes ({@code acmeit.manager}, {@code account-7-administrator}) must be accepted. A host that lacks one gets a
 * start-up refusal that names the setting.
 */
@Component
public class HostSettingsCheck implements InitializingBean {

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(HostSettingsCheck.class);

    static final String SAMPLE_USER = "acmeit.manager";
    /** More retries than this would keep a failing step from ever reaching an operator. */
    static final int MAX_RETRIES = 1000;
    static final String SAMPLE_GROUP = "account-7-administrator";
    /** The engine's own defaults, when the host sets no pattern. */
    private static final String DEFAULT_WHITELIST = "[a-zA-Z0-9]+|camunda-admin";

    private final CamundaBpmProperties camunda;
    private final io.psaremoval.removal.RemovalSettings removal;

    public HostSettingsCheck(CamundaBpmProperties camunda,
            org.springframework.beans.factory.ObjectProvider<io.psaremoval.removal.RemovalSettings> removal) {
        this.camunda = camunda;
        this.removal = removal.getIfAvailable();
    }

    @Override
    public void afterPropertiesSet() {
        List<String> missing = new ArrayList<>();
        if (!camunda.getAuthorization().isEnabled()) {
            missing.add("camunda.bpm.authorization.enabled=true (each account may see and work its own removals only)");
        }
        String historyLevel = camunda.getHistoryLevel();
        // "auto" takes the level the database already has: only the engine as built can tell, see check(engine)
        if (!"full".equalsIgnoreCase(historyLevel) && !"auto".equalsIgnoreCase(historyLevel)) {
            missing.add("camunda.bpm.history-level=full, not " + camunda.getHistoryLevel()
                    + " (auditors read every step and every value a person entered)");
        }
        Object historicPermissions = genericProperty("enableHistoricInstancePermissions");
        if (historicPermissions == null || !Boolean.parseBoolean(historicPermissions.toString())) {
            missing.add("camunda.bpm.generic-properties.properties.enableHistoricInstancePermissions=true (each "
                    + "account reads its own removals' history only)");
        }
        checkWhitelist("userResourceWhitelistPattern", SAMPLE_USER, missing);
        checkWhitelist("groupResourceWhitelistPattern", SAMPLE_GROUP, missing);
        if (removal != null) {
            String cycle = retryCycleProblem(removal.jobRetryCycle());
            if (cycle != null) {
                missing.add("psa.removal.job-retry-cycle as the engine reads a retry cycle (R<retries>/<ISO-8601 duration>,"
                        + " e.g. R5/PT30S, or a list of durations, e.g. PT1M,PT5M,PT10M), not " + removal.jobRetryCycle()
                        + " (" + cycle + ")");
            }
        }
        refuseIfMissing(missing);
        warnOfAJobTimeBudgetOverHalfTheLock();
    }

    /**
     * Why the engine could not read the retry cycle (null when it can), read as the engine reads a
     * {@code failedJobRetryTimeCycle}: one repeated interval, or a comma-separated list of intervals.
     */
    static String retryCycleProblem(String cycle) {
        try {
            String[] intervals = cycle.split(",");
            for (String interval : intervals) {
                org.camunda.bpm.engine.impl.calendar.DurationHelper read =
                        new org.camunda.bpm.engine.impl.calendar.DurationHelper(interval.strip());
                if (read.isRepeat() && (read.getTimes() < 1 || read.getTimes() > MAX_RETRIES)) {
                    // R/... repeats without end: a failing write step would be retried for ever, never reaching an operator.
                    return "retries " + (read.getTimes() < 1 ? "never" : "without end") + ": give between 1 and "
                            + MAX_RETRIES + " (R5/PT30S)";
                }
            }
            return null;
        } catch (Exception unreadable) {
            return unreadable.getMessage() == null ? unreadable.getClass().getSimpleName() : unreadable.getMessage();
        }
    }

    /**
     * A write step's job that takes chunks for longer than its lock lasts is taken over by another job executor while
     * it still runs: the two take turns chunk by chunk (see {@code DataRemovalService}) and nothing is written twice,
     * but the work is done twice over. Said at start-up, not refused (a test may shorten the lock on purpose).
     */
    private void warnOfAJobTimeBudgetOverHalfTheLock() {
        if (removal == null) {
            return;
        }
        Integer configuredLock = camunda.getJobExecution().getLockTimeInMillis();
        long lockMillis = configuredLock == null ? 300_000 : configuredLock; // the engine's default: 5 minutes
        if (lockMillis > 0 && removal.jobTimeBudget().toMillis() * 2 > lockMillis) {
            log.warn("psa.removal.job-time-budget ({}) is more than half the job lock time"
                    + " (camunda.bpm.job-execution.lock-time-in-millis={}): a write step still taking chunks when its lock"
                    + " expires is taken over by another job executor, and the two take turns; keep the budget under half",
                    removal.jobTimeBudget(), lockMillis);
        }
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
        if (!engine.isEnableHistoricInstancePermissions()) {
            missing.add("historic instance permissions enabled on the process engine");
        }
        String userPattern = engine.getUserResourceWhitelistPattern();
        if (userPattern != null && !userPattern.isBlank() && !Pattern.matches(userPattern, SAMPLE_USER)) {
            missing.add("a user id pattern on the process engine accepting names like '" + SAMPLE_USER + "', not " + userPattern);
        }
        String groupPattern = engine.getGroupResourceWhitelistPattern();
        if (groupPattern != null && !groupPattern.isBlank() && !Pattern.matches(groupPattern, SAMPLE_GROUP)) {
            missing.add("a group id pattern on the process engine accepting names like '" + SAMPLE_GROUP + "', not " + groupPattern);
        }
        refuseIfMissing(missing);
    }

    private void checkWhitelist(String property, String sample, List<String> missing) {
        Object configured = genericProperty(property);
        String pattern = configured == null || configured.toString().isBlank() ? DEFAULT_WHITELIST : configured.toString();
        if (!Pattern.matches(pattern, sample)) {
            missing.add("camunda.bpm.generic-properties.properties." + property + " accepting names like '" + sample
                    + "' (e.g. \"[a-z0-9][a-z0-9._-]*\"), not " + pattern);
        }
    }

    /**
     * A generic engine property however the host spelled its key: Spring's relaxed binding keeps
     * {@code enable-historic-instance-permissions} as written, and the starter accepts it as
     * {@code enableHistoricInstancePermissions}.
     */
    private Object genericProperty(String camelCaseKey) {
        String wanted = normalized(camelCaseKey);
        return camunda.getGenericProperties().getProperties().entrySet().stream()
                .filter(entry -> normalized(entry.getKey()).equals(wanted))
                .map(java.util.Map.Entry::getValue)
                .findFirst().orElse(null);
    }

    private static String normalized(String key) {
        return key.replace("-", "").replace("_", "").toLowerCase(java.util.Locale.ROOT);
    }

    private static void refuseIfMissing(List<String> missing) {
        if (!missing.isEmpty()) {
            throw new IllegalStateException("Refusing to start: the PSA integration removal plugin needs these settings "
                    + "of the host application: " + String.join("; ", missing) + ".");
        }
    }
}
