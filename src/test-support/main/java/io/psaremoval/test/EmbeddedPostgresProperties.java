package io.psaremoval.test;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The embedded PostgreSQL used when no external database is configured.
 *
 * @param dataDirectory where the cluster keeps its files; empty means a fresh temporary cluster that is
 *                      wiped on every start (tests)
 * @param port          TCP port on localhost; 0 picks a free one
 * @param database      the database the application uses inside the cluster
 * @param enabled       false: never started, whatever else is configured (see {@link EmbeddedPostgresAutoConfiguration})
 */
@ConfigurationProperties("psa.embedded-postgres")
public record EmbeddedPostgresProperties(String dataDirectory, int port, String database,
        @org.springframework.boot.context.properties.bind.DefaultValue("true") boolean enabled) {

    public EmbeddedPostgresProperties {
        if (database == null || database.isBlank()) {
            database = "psa";
        }
    }

    boolean persistent() {
        return dataDirectory != null && !dataDirectory.isBlank();
    }
}
