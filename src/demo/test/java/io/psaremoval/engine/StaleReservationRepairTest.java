package io.psaremoval.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.psaremoval.test.PlatformFixtures;
import io.psaremoval.PlatformTest;
import io.psaremoval.test.GeneratedAccount;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

/** No integration stays "removing" without a running removal, whatever happened while no node was looking. */
@PlatformTest
class StaleReservationRepairTest {

    @Autowired
    StaleReservationRepair repair;
    @Autowired
    PlatformFixtures fixtures;
    @Autowired
    JdbcClient jdbc;

    @Test
    void aReservationWhoseProcessInstanceIsGoneIsReleasedAtStartUp() {
        GeneratedAccount account = fixtures.create();
        jdbc.sql("update integration set status = 'REMOVING' where id = :id").param("id", account.psaIntegrationId()).update();
        String vanished = UUID.randomUUID().toString();
        jdbc.sql("""
                insert into removal (process_instance_id, business_key, requested_by, requester_role, account_id,
                                     integration_id, integration_name, previous_integration_status, status)
                values (:pid, :key, 'someone', 'MANAGER', :account, :integration, 'ConnectWise Manage', 'ACTIVE', 'PENDING')""")
                .param("pid", vanished).param("key", "removal-" + vanished).param("account", account.accountId())
                .param("integration", account.psaIntegrationId()).update();

        assertThat(repair.repair()).isGreaterThanOrEqualTo(1);

        assertThat(fixtures.integrationStatus(account.psaIntegrationId())).isEqualTo("ACTIVE");
        assertThat(jdbc.sql("select status from removal where process_instance_id = :pid").param("pid", vanished)
                .query(String.class).single()).isEqualTo("ABORTED");
        assertThat(jdbc.sql("""
                select count(*) from integration i where i.status = 'REMOVING' and not exists (
                    select 1 from removal r join act_ru_execution e on e.proc_inst_id_ = r.process_instance_id
                    where r.integration_id = i.id and r.status in ('PENDING', 'CONFIRMED', 'RUNNING'))""")
                .query(Long.class).single()).as("no integration is removing without a running removal").isZero();
    }
}
