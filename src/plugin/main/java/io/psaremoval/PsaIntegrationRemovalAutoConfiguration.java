package io.psaremoval;

import io.psaremoval.account.Accounts;
import io.psaremoval.account.PlatformUsers;
import io.psaremoval.backup.BackupProperties;
import io.psaremoval.backup.BackupStore;
import io.psaremoval.engine.IdentityMirror;
import io.psaremoval.engine.RestSecurityConfiguration;
import io.psaremoval.integration.Integrations;
import io.psaremoval.removal.PlatformData;
import io.psaremoval.removal.RemovalSettings;
import io.psaremoval.rmm.RmmConnector;
import io.psaremoval.rmm.RmmNotifier;
import io.psaremoval.schema.PlatformSchemaMigration;
import javax.sql.DataSource;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.spring.boot.starter.CamundaBpmAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.flyway.FlywayAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration;
import org.springframework.boot.autoconfigure.jdbc.JdbcClientAutoConfiguration;
import org.springframework.boot.autoconfigure.transaction.TransactionAutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.ComponentScan;
import org.springframework.context.annotation.Import;

/**
 * What a host gets by adding the plugin to its Camunda 7 Spring Boot application: the "Remove PSA integration"
 * process with its decision and forms (deployed by the plugin), its delegates, validators and listeners, the engine
 * plugin that narrows the engine's generic API and releases what a removal holds, the audit API and page, and the
 * plugin's own tables (migrated by a Flyway of its own). Configured under {@code psa.*}.
 *
 * <p>Where the platform is reached, a host may put its own bean of the type and the plugin's default backs off:
 * {@link PlatformUsers}, {@link Accounts}, {@link Integrations}, {@link PlatformData}, {@link BackupStore} (where
 * exports go), {@link RmmNotifier} (how a notice to the RMM side is recorded), {@link RmmConnector} (how it is
 * delivered: a signed webhook by default), {@link IdentityMirror} (how the platform's people
 * become engine users), and the security of {@code /engine-rest} (a bean named
 * {@value RestSecurityConfiguration#ENGINE_REST_AUTHENTICATION}).
 */
@AutoConfiguration(after = {DataSourceAutoConfiguration.class, JdbcClientAutoConfiguration.class,
        TransactionAutoConfiguration.class, FlywayAutoConfiguration.class}, before = CamundaBpmAutoConfiguration.class)
@ConditionalOnClass(ProcessEngine.class)
@EnableConfigurationProperties({RemovalSettings.class, BackupProperties.class})
@ComponentScan(basePackages = {"io.psaremoval.camunda", "io.psaremoval.engine", "io.psaremoval.removal", "io.psaremoval.restore",
        "io.psaremoval.backup", "io.psaremoval.rmm", "io.psaremoval.audit", "io.psaremoval.security"})
@Import(PlatformAdaptersConfiguration.class)
public class PsaIntegrationRemovalAutoConfiguration {

    @Bean
    PlatformSchemaMigration psaPlatformSchemaMigration(DataSource dataSource) {
        return new PlatformSchemaMigration(dataSource);
    }

}
