package io.psaremoval.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.psaremoval.PlatformTest;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.identity.User;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.PlatformTransactionManager;

/**
 * The engine administrator at start-up: never locked out for good, its password the configured one, and default
 * passwords found without signing in.
 */
@PlatformTest
class EngineOperatorSetupTest {

    private static final String OPERATOR_PASSWORD = "test-operator-password";

    @Autowired
    ProcessEngine engine;
    @Autowired
    EngineAuthorizations authorizations;
    @Autowired
    ClusterLock clusterLock;
    @Autowired
    PlatformTransactionManager transactionManager;
    @Autowired
    JdbcClient jdbc;

    @Test
    void theDefaultPasswordCheckCountsNoFailedSignIn() {
        IdentityService identity = engine.getIdentityService();
        User probe = identity.newUser("probe-" + System.nanoTime());
        probe.setPassword("demo");
        identity.saveUser(probe);
        try {
            EngineOperatorSetup production = setup(OPERATOR_PASSWORD + "-prod", true);

            assertThatThrownBy(production::afterPropertiesSet).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("'" + probe.getId() + "' still has a default password");
            assertThat(jdbc.sql("select coalesce(sum(attempts_), 0) from act_id_user").query(Long.class).single())
                    .as("no user got a failed sign-in from the check").isZero();
        } finally {
            identity.deleteUser(probe.getId());
        }
    }

    @Test
    void aStartUnlocksTheOperatorThatStrangersLockedOut() throws Exception {
        IdentityService identity = engine.getIdentityService();
        for (int attempt = 0; attempt < 12; attempt++) {
            identity.checkPassword("operator", "guessed-" + attempt);
            jdbc.sql("update act_id_user set lock_exp_time_ = null where id_ = 'operator' and attempts_ < 10").update();
        }
        assertThat(identity.checkPassword("operator", OPERATOR_PASSWORD)).as("locked out").isFalse();

        setup(OPERATOR_PASSWORD, false).afterPropertiesSet();

        assertThat(identity.checkPassword("operator", OPERATOR_PASSWORD)).as("in again after a start").isTrue();
    }

    @Test
    void aStartWithAnotherConfiguredPasswordReplacesTheOldOne() {
        IdentityService identity = engine.getIdentityService();
        try {
            setup(OPERATOR_PASSWORD + "-rotated", false).afterPropertiesSet();

            assertThat(identity.checkPassword("operator", OPERATOR_PASSWORD + "-rotated")).as("the new password").isTrue();
            assertThat(identity.checkPassword("operator", OPERATOR_PASSWORD)).as("the leaked one, no longer").isFalse();
            assertThat(identity.createUserQuery().userId("operator").memberOfGroup("camunda-admin").count()).isOne();
        } finally {
            setup(OPERATOR_PASSWORD, false).afterPropertiesSet();
        }
        assertThat(identity.checkPassword("operator", OPERATOR_PASSWORD)).as("back for the other tests").isTrue();
        int revision = jdbc.sql("select rev_ from act_id_user where id_ = 'operator'").query(Integer.class).single();
        setup(OPERATOR_PASSWORD, false).afterPropertiesSet();
        assertThat(jdbc.sql("select rev_ from act_id_user where id_ = 'operator'").query(Integer.class).single())
                .as("a start with the same password writes nothing").isEqualTo(revision);
    }

    private EngineOperatorSetup setup(String password, boolean production) {
        return new EngineOperatorSetup(engine, authorizations, clusterLock, transactionManager, "operator", password,
                production);
    }
}
