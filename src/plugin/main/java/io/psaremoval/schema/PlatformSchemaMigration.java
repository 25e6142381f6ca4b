package io.psaremoval.schema;

import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Migrates the plugin's own tables (the platform schema it works on by default, and the removal's records) with a
 * Flyway of its own: migrations in {@code classpath:db/psa-integration-removal}, history in
 * {@value #HISTORY_TABLE}. A host's own Flyway (its locations, its {@code flyway_schema_history}) is neither used nor
 * touched, and a host without Flyway needs none. Runs before the process engine and every bean that uses the
 * database ({@link PlatformSchemaInitializerDetector}).
 */
public class PlatformSchemaMigration implements InitializingBean {

    public static final String HISTORY_TABLE = "psa_integration_removal_schema_history";
    static final String LOCATION = "classpath:db/psa-integration-removal";
    private static final Logger log = LoggerFactory.getLogger(PlatformSchemaMigration.class);

    private final DataSource dataSource;

    public PlatformSchemaMigration(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    @Override
    public void afterPropertiesSet() {
        MigrateResult result = configure(dataSource)
                // The host's schema is not empty (the engine's tables, the host's own): start the plugin's history
                // from nothing, or from where a database of this application's earlier, stand-alone versions is.
                .baselineOnMigrate(true)
                .baselineVersion(earlierStandAloneVersion())
                .load()
                .migrate();
        log.info("PSA integration removal schema: {} migrations applied, now at version {}", result.migrationsExecuted,
                result.targetSchemaVersion == null ? "(unchanged)" : result.targetSchemaVersion);
    }

    /** Flyway on the plugin's migrations and history table, nothing else set. */
    static FluentConfiguration configure(DataSource dataSource) {
        return Flyway.configure().dataSource(dataSource).locations(LOCATION).table(HISTORY_TABLE);
    }

    /**
     * Before it was a plugin, this application migrated the same scripts with Spring Boot's Flyway, into
     * {@code flyway_schema_history}: a database of that time is taken over at the version it reached.
     */
    private String earlierStandAloneVersion() {
        JdbcTemplate jdbc = new JdbcTemplate(dataSource);
        Boolean earlier = jdbc.queryForObject("""
                select to_regclass('flyway_schema_history') is not null
                   and to_regclass('psa_integration_removal_schema_history') is null""", Boolean.class);
        if (!Boolean.TRUE.equals(earlier)) {
            return "0";
        }
        String version = jdbc.queryForObject("""
                select max(version::int)::text from flyway_schema_history
                where success and script in ('V1__platform_schema.sql', 'V2__removal_records.sql', 'V3__security_events.sql',
                                             'V4__removal_chunk_progress.sql', 'V5__removal_state_machine.sql')""", String.class);
        return version == null ? "0" : version;
    }
}
