package io.psaremoval;

import io.psaremoval.account.AccountRepository;
import io.psaremoval.account.Accounts;
import io.psaremoval.account.PlatformUserRepository;
import io.psaremoval.account.PlatformUsers;
import io.psaremoval.backup.BackupProperties;
import io.psaremoval.backup.BackupStore;
import io.psaremoval.backup.FolderBackupStore;
import io.psaremoval.backup.FolderSnapshotStore;
import io.psaremoval.backup.SnapshotStore;
import io.psaremoval.engine.ClusterLock;
import io.psaremoval.engine.EngineAuthorizations;
import io.psaremoval.engine.EngineIdentityMirror;
import io.psaremoval.engine.IdentityMirror;
import io.psaremoval.engine.RestSecurityConfiguration;
import io.psaremoval.integration.IntegrationRepository;
import io.psaremoval.integration.Integrations;
import io.psaremoval.removal.JdbcPlatformData;
import io.psaremoval.removal.RemovalSettings;
import io.psaremoval.rmm.OutboxRmmNotifier;
import io.psaremoval.removal.PlatformData;
import io.psaremoval.rmm.RmmConnector;
import io.psaremoval.rmm.RmmEndpointPolicy;
import io.psaremoval.rmm.RmmNotifier;
import io.psaremoval.rmm.WebhookRmmConnector;
import jakarta.servlet.Filter;
import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.web.servlet.JerseyApplicationPath;
import org.camunda.bpm.engine.IdentityService;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.PlatformTransactionManager;

/**
 * The plugin's defaults where it reaches the documentation platform and the outside, each backing off when the host
 * defines its own bean of the type (or, for the REST API's security, of the name). Imported by
 * {@link PsaIntegrationRemovalAutoConfiguration}, so evaluated after the host's own configuration.
 */
@Configuration(proxyBeanMethods = false)
public class PlatformAdaptersConfiguration {

    @Bean
    @ConditionalOnMissingBean(PlatformUsers.class)
    PlatformUserRepository psaPlatformUsers(JdbcClient jdbc) {
        return new PlatformUserRepository(jdbc);
    }

    @Bean
    @ConditionalOnMissingBean(Accounts.class)
    AccountRepository psaAccounts(JdbcClient jdbc) {
        return new AccountRepository(jdbc);
    }

    @Bean
    @ConditionalOnMissingBean(Integrations.class)
    IntegrationRepository psaIntegrations(JdbcClient jdbc) {
        return new IntegrationRepository(jdbc);
    }

    @Bean
    @ConditionalOnMissingBean(PlatformData.class)
    JdbcPlatformData psaPlatformData(JdbcClient jdbc, DataSource dataSource, RemovalSettings settings) {
        return new JdbcPlatformData(jdbc, dataSource, settings.setBasedReferenceChecks());
    }

    @Bean
    @ConditionalOnMissingBean(BackupStore.class)
    FolderBackupStore psaBackupStore(DataSource dataSource, BackupProperties properties) {
        return new FolderBackupStore(dataSource, properties);
    }

    @Bean
    @ConditionalOnMissingBean(SnapshotStore.class)
    FolderSnapshotStore psaSnapshotStore(BackupProperties properties) {
        return new FolderSnapshotStore(java.nio.file.Path.of(properties.snapshotDirectory()));
    }

    @Bean
    @ConditionalOnMissingBean(RmmNotifier.class)
    OutboxRmmNotifier psaRmmNotifier(JdbcClient jdbc) {
        return new OutboxRmmNotifier(jdbc);
    }

    @Bean
    @ConditionalOnMissingBean(RmmConnector.class)
    WebhookRmmConnector psaRmmConnector(RmmEndpointPolicy policy) {
        return new WebhookRmmConnector(java.time.Clock.systemUTC(), policy);
    }

    @Bean
    @ConditionalOnMissingBean(RmmEndpointPolicy.class)
    RmmEndpointPolicy psaRmmEndpointPolicy(@Value("${psa.rmm.require-https:true}") boolean requireHttps,
            @Value("${psa.rmm.allow-private-addresses:false}") boolean allowPrivateAddresses) {
        return new RmmEndpointPolicy(requireHttps, allowPrivateAddresses);
    }

    @Bean
    @ConditionalOnMissingBean(IdentityMirror.class)
    EngineIdentityMirror psaIdentityMirror(IdentityService identityService, EngineAuthorizations authorizations,
            ClusterLock clusterLock, PlatformUsers users, Accounts accounts, PlatformTransactionManager transactionManager) {
        return new EngineIdentityMirror(identityService, authorizations, clusterLock, users, accounts, transactionManager);
    }

    @Bean(RestSecurityConfiguration.ENGINE_REST_AUTHENTICATION)
    @ConditionalOnMissingBean(name = RestSecurityConfiguration.ENGINE_REST_AUTHENTICATION)
    FilterRegistrationBean<Filter> engineRestAuthentication(ObjectProvider<JerseyApplicationPath> jerseyPath) {
        return RestSecurityConfiguration.engineRestAuthentication(RestSecurityConfiguration.engineRestMapping(jerseyPath));
    }
}
