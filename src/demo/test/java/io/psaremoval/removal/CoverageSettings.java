package io.psaremoval.removal;

import org.camunda.community.process_test_coverage.spring_test.common.ProcessEngineCoverageProperties;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;

/**
 * The process tests must take every flow node and sequence flow of every process at least once; the
 * build fails otherwise. The HTML report lands in {@code target/process-test-coverage/}.
 */
@TestConfiguration(proxyBeanMethods = false)
class CoverageSettings {

    @Bean
    @Primary
    ProcessEngineCoverageProperties processCoverage() {
        return ProcessEngineCoverageProperties.Companion.builder()
                .addInclusionPatternForTestClasses("io.psaremoval.removal.RemovePsaIntegrationProcessTest")
                .assertClassCoverageAtLeast(1.0)
                .build();
    }
}
