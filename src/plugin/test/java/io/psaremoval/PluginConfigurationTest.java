package io.psaremoval;

import static org.assertj.core.api.Assertions.assertThat;

import io.psaremoval.account.Accounts;
import io.psaremoval.account.PlatformUser;
import io.psaremoval.account.PlatformUserRepository;
import io.psaremoval.account.PlatformUsers;
import io.psaremoval.backup.BackupProperties;
import io.psaremoval.backup.BackupStore;
import io.psaremoval.backup.FolderBackupStore;
import io.psaremoval.engine.EngineIdentityMirror;
import io.psaremoval.engine.HostSettingsCheck;
import io.psaremoval.engine.IdentityMirror;
import io.psaremoval.engine.RestSecurityConfiguration;
import io.psaremoval.integration.Integrations;
import io.psaremoval.rmm.OutboxRmmNotifier;
import io.psaremoval.removal.PlatformData;
import io.psaremoval.rmm.RmmNotifier;
import jakarta.servlet.Filter;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;
import org.camunda.bpm.engine.AuthorizationService;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.impl.AuthorizationServiceImpl;
import org.camunda.bpm.engine.impl.IdentityServiceImpl;
import org.camunda.bpm.spring.boot.starter.property.CamundaBpmProperties;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * How the plugin fits into a host's configuration: each of its defaults backs off when the host defines its own bean,
 * and a host without the settings the removal needs is refused at start-up with the setting named. (Bean wiring only:
 * nothing here touches a database or builds an engine; the whole plugin runs in the demo's and the example host's
 * tests.)
 */
class PluginConfigurationTest {

    /** What the adapters need from the host: a data source (never connected here) and the engine's services. */
    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties({BackupProperties.class, io.psaremoval.removal.RemovalSettings.class})
    static class HostInfrastructure {
        @Bean
        DataSource dataSource() {
            return new DriverManagerDataSource("jdbc:postgresql://localhost:1/never-connected");
        }

        @Bean
        JdbcClient jdbcClient(DataSource dataSource) {
            return JdbcClient.create(dataSource);
        }

        @Bean
        DataSourceTransactionManager transactionManager(DataSource dataSource) {
            return new DataSourceTransactionManager(dataSource);
        }

        @Bean
        IdentityService identityService() {
            return new IdentityServiceImpl();
        }

        @Bean
        AuthorizationService authorizationService() {
            return new AuthorizationServiceImpl();
        }

        @Bean
        io.psaremoval.engine.ClusterLock clusterLock(JdbcClient jdbc) {
            return new io.psaremoval.engine.ClusterLock(jdbc);
        }

        @Bean
        io.psaremoval.engine.EngineAuthorizations engineAuthorizations(AuthorizationService authorizations) {
            return new io.psaremoval.engine.EngineAuthorizations(authorizations,
                    new org.camunda.bpm.engine.impl.FilterServiceImpl());
        }
    }

    /** A host with its own way to every boundary. */
    @Configuration(proxyBeanMethods = false)
    static class HostOwnAdapters {
        static final PlatformUsers USERS = new PlatformUsers() {
            public Optional<PlatformUser> findActiveByUsername(String username) {
                return Optional.empty();
            }

            public Optional<PlatformUser> lockForWrite(String username) {
                return Optional.empty();
            }

            public boolean exists(String username) {
                return false;
            }

            public List<PlatformUser> findAll() {
                return List.of();
            }
        };

        @Bean
        PlatformUsers ldapUsers() {
            return USERS;
        }

        @Bean
        IdentityMirror ldapIdentities() {
            return new IdentityMirror() {
                public void mirror(PlatformUser user, String initialPassword) {
                }

                public int synchronize() {
                    return 0;
                }
            };
        }

        @Bean
        BackupStore objectStorage() {
            return (accountId, name) -> new BackupStore.StoredExport("s3://backups/" + name, 0, "");
        }

        @Bean
        RmmNotifier vendorApi() {
            return (removalId, rmmIntegrationId, devices) -> true;
        }

        @Bean(RestSecurityConfiguration.ENGINE_REST_AUTHENTICATION)
        FilterRegistrationBean<Filter> engineRestAuthentication() {
            return new FilterRegistrationBean<>((request, response, chain) -> chain.doFilter(request, response));
        }
    }

    private final ApplicationContextRunner adapters = new ApplicationContextRunner()
            .withUserConfiguration(HostInfrastructure.class)
            .withConfiguration(AutoConfigurations.of(PlatformAdaptersConfiguration.class));

    @Test
    void theDefaultsServeAHostThatBringsNone() {
        adapters.run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBean(PlatformUsers.class)).isInstanceOf(PlatformUserRepository.class);
            assertThat(context).hasSingleBean(Accounts.class).hasSingleBean(Integrations.class)
                    .hasSingleBean(PlatformData.class);
            assertThat(context.getBean(BackupStore.class)).isInstanceOf(FolderBackupStore.class);
            assertThat(context.getBean(RmmNotifier.class)).isInstanceOf(OutboxRmmNotifier.class);
            assertThat(context.getBean(IdentityMirror.class)).isInstanceOf(EngineIdentityMirror.class);
            assertThat(context).hasBean(RestSecurityConfiguration.ENGINE_REST_AUTHENTICATION);
        });
    }

    @Test
    void eachDefaultBacksOffWhenTheHostDefinesItsOwn() {
        adapters.withUserConfiguration(HostOwnAdapters.class).run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBean(PlatformUsers.class)).isSameAs(HostOwnAdapters.USERS);
            assertThat(context).hasSingleBean(PlatformUsers.class).hasSingleBean(IdentityMirror.class)
                    .hasSingleBean(BackupStore.class).hasSingleBean(RmmNotifier.class)
                    .doesNotHaveBean(EngineIdentityMirror.class).doesNotHaveBean(FolderBackupStore.class)
                    .doesNotHaveBean(OutboxRmmNotifier.class);
            assertThat(context.getBean(RestSecurityConfiguration.ENGINE_REST_AUTHENTICATION, FilterRegistrationBean.class)
                    .getFilter()).as("the host's own security of /engine-rest").isNotInstanceOf(
                    org.camunda.bpm.engine.rest.security.auth.ProcessEngineAuthenticationFilter.class);
        });
    }

    // --- the host settings the removal needs ----------------------------------------------------------------

    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties(CamundaBpmProperties.class)
    @Import(HostSettingsCheck.class)
    static class WithHostSettingsCheck {
    }

    private final ApplicationContextRunner host = new ApplicationContextRunner()
            .withUserConfiguration(WithHostSettingsCheck.class)
            .withPropertyValues("camunda.bpm.authorization.enabled=true", "camunda.bpm.history-level=full",
                    "camunda.bpm.generic-properties.properties.enableHistoricInstancePermissions=true",
                    "camunda.bpm.generic-properties.properties.userResourceWhitelistPattern=[a-z0-9][a-z0-9._-]*",
                    "camunda.bpm.generic-properties.properties.groupResourceWhitelistPattern=[a-z0-9][a-z0-9._-]*");

    @Test
    void aHostWithTheNeededSettingsStarts() {
        host.run(context -> assertThat(context).hasNotFailed());
    }

    @Test
    void aHostWithAuthorizationOffIsRefusedAtStartUp() {
        host.withPropertyValues("camunda.bpm.authorization.enabled=false").run(context ->
                assertThat(context).getFailure().rootCause().hasMessageContaining("Refusing to start")
                        .hasMessageContaining("camunda.bpm.authorization.enabled=true"));
    }

    @Test
    void aHostBelowHistoryLevelFullIsRefusedAtStartUp() {
        host.withPropertyValues("camunda.bpm.history-level=activity").run(context ->
                assertThat(context).getFailure().rootCause().hasMessageContaining("camunda.bpm.history-level=full, not activity"));
    }

    @Test
    void aHostWhoseEngineRefusesThePlatformsUserNamesIsRefusedAtStartUp() {
        host.withPropertyValues("camunda.bpm.generic-properties.properties.userResourceWhitelistPattern=[a-zA-Z0-9]+")
                .run(context -> assertThat(context).getFailure().rootCause()
                        .hasMessageContaining("userResourceWhitelistPattern accepting names like 'acmeit.manager'"));
    }

    @Test
    void aHostThatSpellsTheEngineSettingsInKebabCaseStarts() {
        new ApplicationContextRunner().withUserConfiguration(WithHostSettingsCheck.class)
                .withPropertyValues("camunda.bpm.authorization.enabled=true", "camunda.bpm.history-level=auto",
                        "camunda.bpm.generic-properties.properties.enable-historic-instance-permissions=true",
                        "camunda.bpm.generic-properties.properties.user-resource-whitelist-pattern=[a-z0-9][a-z0-9._-]*",
                        "camunda.bpm.generic-properties.properties.group-resource-whitelist-pattern=[a-z0-9][a-z0-9._-]*")
                .run(context -> assertThat(context).hasNotFailed());
    }

    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties({CamundaBpmProperties.class, io.psaremoval.removal.RemovalSettings.class})
    @Import(HostSettingsCheck.class)
    static class WithRemovalSettings {
    }

    @Test
    void aRetryCycleTheEngineCannotReadStopsTheStartNamingIt() {
        ApplicationContextRunner withSettings = host.withUserConfiguration(WithRemovalSettings.class);
        for (String readable : new String[] {"R5/PT30S", "R3/P1D", "PT1M,PT5M,PT10M", "R2/P1W", "PT5M"}) {
            withSettings.withPropertyValues("psa.removal.job-retry-cycle=" + readable)
                    .run(context -> assertThat(context).as(readable).hasNotFailed());
        }
        for (String unreadable : new String[] {"R5/30 seconds", "soon", "PT1M,later", "R/PT30S"}) {
            withSettings.withPropertyValues("psa.removal.job-retry-cycle=" + unreadable)
                    .run(context -> assertThat(context).as(unreadable).getFailure().rootCause()
                            .hasMessageContaining("psa.removal.job-retry-cycle as the engine reads a retry cycle"));
        }
    }
}
