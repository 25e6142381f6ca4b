package io.psaremoval.rmm;

import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The endpoints of RMM integrations ({@code rmm_endpoint}). */
@Repository
public class RmmEndpoints {

    private final JdbcClient jdbc;

    RmmEndpoints(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    public Optional<RmmEndpoint> find(long rmmIntegrationId) {
        return jdbc.sql("select rmm_integration_id, url, secret from rmm_endpoint where rmm_integration_id = :id")
                .param("id", rmmIntegrationId).query(RmmEndpoint.class).optional();
    }

    /** Sets or replaces the endpoint, recording who did it. */
    public void save(RmmEndpoint endpoint, String updatedBy) {
        jdbc.sql("""
                insert into rmm_endpoint (rmm_integration_id, url, secret, updated_by)
                values (:id, :url, :secret, :by)
                on conflict (rmm_integration_id) do update
                set url = excluded.url, secret = excluded.secret, updated_by = excluded.updated_by, updated_at = now()""")
                .param("id", endpoint.rmmIntegrationId()).param("url", endpoint.url()).param("secret", endpoint.secret())
                .param("by", updatedBy).update();
    }
}
