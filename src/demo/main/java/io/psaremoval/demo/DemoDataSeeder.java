package io.psaremoval.demo;

import io.psaremoval.engine.IdentityMirror;
import io.psaremoval.account.PlatformUser;
import io.psaremoval.account.PlatformUserRepository;
import io.psaremoval.account.Role;
import io.psaremoval.test.AccountShape;
import io.psaremoval.test.PlatformDataGenerator;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.context.annotation.Profile;
import org.springframework.core.annotation.Order;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The demo profile's data: on an empty database, two accounts (the second proves isolation), a support
 * agent, an auditor and an engine operator; on every start, their engine users and the credentials
 * printed to the log.
 */
@Component
@Profile("demo")
@Order(10)
class DemoDataSeeder implements ApplicationRunner {

    static final String DEMO_ACCOUNT = "Acme IT";
    static final String OTHER_ACCOUNT = "Globex";

    private static final Logger log = LoggerFactory.getLogger(DemoDataSeeder.class);

    private static final long SEED_LOCK = 7_240_001L;

    private final JdbcClient jdbc;
    private final DataSource dataSource;
    private final PlatformDataGenerator generator;
    private final PlatformUserRepository users;
    private final IdentityMirror identity;
    private final TransactionTemplate transaction;
    private final String password;
    private final int port;

    DemoDataSeeder(JdbcClient jdbc, DataSource dataSource, PlatformUserRepository users,
            IdentityMirror identity, TransactionTemplate transaction,
            @Value("${psa.demo.password}") String password, @Value("${server.port:8080}") int port) {
        this.jdbc = jdbc;
        this.dataSource = dataSource;
        this.generator = new PlatformDataGenerator(jdbc, users);
        this.users = users;
        this.identity = identity;
        this.transaction = transaction;
        this.password = password;
        this.port = port;
    }

    @Override
    public void run(ApplicationArguments args) throws SQLException {
        // Several nodes may start at once on one database: the first seeds, the others wait and find data.
        try (Connection lock = dataSource.getConnection(); Statement statement = lock.createStatement()) {
            statement.execute("select pg_advisory_lock(" + SEED_LOCK + ")");
            try {
                if (jdbc.sql("select count(*) from account").query(Long.class).single() == 0) {
                    seed();
                }
                transaction.executeWithoutResult(status -> {
                    List<PlatformUser> everyone = users.findAll();
                    everyone.forEach(user -> identity.mirror(user, password));
                    printCredentials(everyone);
                });
            } finally {
                statement.execute("select pg_advisory_unlock(" + SEED_LOCK + ")");
            }
        }
    }

    private void seed() {
        generator.generate(AccountShape.demo(DEMO_ACCOUNT, "ConnectWise Manage"));
        generator.generate(AccountShape.demo(OTHER_ACCOUNT, "Autotask").withBulkDeleteEnabled(false));
        users.create(null, "support", "Sam Support", "support@example.com", Role.SUPPORT);
        users.create(null, "auditor", "Alex Auditor", "auditor@example.com", Role.AUDITOR);
        generator.analyze();
    }

    private void printCredentials(List<PlatformUser> everyone) {
        StringBuilder table = new StringBuilder("\n\nDemo users (password for all: '").append(password)
                .append("'), sign in at http://localhost:").append(port)
                .append("/camunda/app/tasklist/\n");
        for (PlatformUser user : everyone) {
            table.append(String.format("  %-22s %-14s %s%n", user.username(), user.role().label(),
                    user.accountId() == null ? "(platform staff)" : "account " + user.accountId()));
        }
        table.append(String.format("  %-22s %-14s %s%n", "operator", "Engine admin", "(Camunda Admin and Cockpit only)"));
        log.info(table.toString());
    }
}
