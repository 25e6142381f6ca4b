package io.psaremoval.removal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

/** Settings no removal could run with are refused at start-up, naming the property, not when first needed. */
class RemovalSettingsTest {

    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties(RemovalSettings.class)
    static class Settings {
    }

    private final ApplicationContextRunner host = new ApplicationContextRunner().withUserConfiguration(Settings.class);

    @Test
    void theDefaultsAndTheTestsOwnSettingsAreAccepted() {
        host.run(context -> assertThat(context.getBean(RemovalSettings.class).jobRetryCycle()).isEqualTo("R5/PT30S"));
        host.withPropertyValues("psa.removal.job-time-budget=PT0S", "psa.removal.cooling-off-period=PT0S",
                        "psa.removal.job-retry-cycle=PT1M,PT5M,PT10M")
                .run(context -> assertThat(context).hasNotFailed());
    }

    @Test
    void aSettingNoRemovalCouldRunWithStopsTheStartNamingIt() {
        Map<String, String> wrong = Map.of(
                "psa.removal.job-retry-cycle= ", "job-retry-cycle must not be empty",
                "psa.removal.chunk-rows=0", "chunk-rows must be 1 or more",
                "psa.removal.user-task-timeout=PT0S", "user-task-timeout must be a positive duration",
                "psa.removal.cooling-off-period=-P1D", "cooling-off-period must be zero or a positive duration",
                "psa.removal.max-requests-per-day=0", "max-requests-per-day must be 1 or more");
        wrong.forEach((setting, said) -> host.withPropertyValues(setting).run(context -> {
            assertThat(context).as(setting).hasFailed();
            assertThat(context.getStartupFailure()).as(setting).rootCause().hasMessageContaining(said);
        }));
    }
}
