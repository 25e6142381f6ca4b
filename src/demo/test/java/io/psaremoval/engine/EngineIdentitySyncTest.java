package io.psaremoval.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.psaremoval.test.PlatformFixtures;
import io.psaremoval.PlatformTest;
import io.psaremoval.account.AccountGroups;
import io.psaremoval.account.PlatformUserRepository;
import io.psaremoval.account.Role;
import io.psaremoval.test.GeneratedAccount;
import org.camunda.bpm.engine.IdentityService;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

/** The engine's users follow the platform's: new ones appear in their groups, deactivated ones disappear. */
@PlatformTest
class EngineIdentitySyncTest {

    @Autowired
    IdentityMirror sync;
    @Autowired
    PlatformFixtures fixtures;
    @Autowired
    PlatformUserRepository users;
    @Autowired
    IdentityService identity;
    @Autowired
    JdbcClient jdbc;
    @Autowired
    EngineIdentitySync identitySync;
    @Autowired
    io.psaremoval.test.RemovalDriver driver;
    @Autowired
    org.camunda.bpm.engine.ProcessEngine engine;

    /**
     * Tasklist shows a task's candidate groups by their names: the account's groups are named as people read them,
     * a group named by its id (as earlier versions did) is renamed at the next sync, and an account's users may read
     * their own account's group names and nobody else's.
     */
    @Test
    void groupsAreNamedAsPeopleReadThemAndEachAccountReadsOnlyItsOwn() {
        GeneratedAccount account = fixtures.create();
        GeneratedAccount other = fixtures.create();
        String accountName = jdbc.sql("select name from account where id = :id").param("id", account.accountId())
                .query(String.class).single();
        String administrators = Role.ADMINISTRATOR.groupOf(account.accountId());
        assertThat(identity.createGroupQuery().groupId(administrators).singleResult().getName())
                .isEqualTo(accountName + ": Administrators");
        assertThat(identity.createGroupQuery().groupId(Role.READ_ONLY.groupOf(account.accountId())).singleResult().getName())
                .isEqualTo(accountName + ": Read-only users");
        assertThat(identity.createGroupQuery().groupId(AccountGroups.ofAccount(account.accountId())).singleResult().getName())
                .isEqualTo(accountName + ": everyone");
        assertThat(identity.createGroupQuery().groupId(AccountGroups.SUPPORT).singleResult().getName())
                .isEqualTo("PSA support agents");

        var named = identity.createGroupQuery().groupId(administrators).singleResult();
        named.setName(administrators); // as an earlier version named it
        identity.saveGroup(named);
        sync.synchronize();
        assertThat(identity.createGroupQuery().groupId(administrators).singleResult().getName())
                .isEqualTo(accountName + ": Administrators");

        String editor = fixtures.username(account, Role.EDITOR);
        identity.setAuthentication(editor, java.util.List.of(AccountGroups.ofAccount(account.accountId()),
                Role.EDITOR.groupOf(account.accountId())));
        try {
            assertThat(identity.createGroupQuery().groupIdIn(administrators, Role.ADMINISTRATOR.groupOf(other.accountId()))
                    .listPage(0, 10)).extracting(org.camunda.bpm.engine.identity.Group::getName)
                    .as("their own account's group, not another's").containsExactly(accountName + ": Administrators");
        } finally {
            identity.clearAuthentication();
        }
    }

    @Test
    void usersDeletedFromThePlatformLoseTheirEngineUserAndGroupsOperatorsStay() {
        GeneratedAccount account = fixtures.create();
        String readOnly = fixtures.username(account, Role.READ_ONLY);
        jdbc.sql("delete from platform_user where username = :u").param("u", readOnly).update();

        sync.synchronize();

        assertThat(identity.createUserQuery().userId(readOnly).count()).isZero();
        assertThat(identity.createGroupQuery().groupMember(readOnly).count()).isZero();
        assertThat(identity.createUserQuery().userId("operator").count()).as("engine-only administrators stay").isEqualTo(1);
    }

    @Test
    void newUsersAreMirroredAndDeactivatedOnesRemoved() {
        GeneratedAccount account = fixtures.create();
        users.create(account.accountId(), "newcomer." + account.accountId(), "New Comer", "n@example.com", Role.MANAGER);
        String editor = fixtures.username(account, Role.EDITOR);
        jdbc.sql("update platform_user set active = false where username = :u").param("u", editor).update();

        int removed = sync.synchronize();

        assertThat(removed).isEqualTo(1);
        assertThat(identity.createUserQuery().userId(editor).count()).isZero();
        assertThat(identity.createUserQuery().userId("newcomer." + account.accountId())
                .memberOfGroup(Role.MANAGER.groupOf(account.accountId())).count()).isEqualTo(1);
        assertThat(identity.createUserQuery().userId("newcomer." + account.accountId())
                .memberOfGroup(AccountGroups.ofAccount(account.accountId())).count()).isEqualTo(1);
    }

    @Test
    void theMigrationRetiresTheLegacyStaffGroupsOnceMovingOpenTasksAndKeepsAHostsOwnGroup() throws Exception {
        org.camunda.bpm.engine.ProcessEngine engine = org.camunda.bpm.engine.ProcessEngines.getDefaultProcessEngine();
        var authorizations = engine.getAuthorizationService();
        var tasks = engine.getTaskService();
        var legacy = identity.newGroup("support");
        legacy.setName("support");
        legacy.setType("SYSTEM");
        identity.saveGroup(legacy);
        identity.createMembership("support", "support");
        var grant = authorizations.createNewAuthorization(org.camunda.bpm.engine.authorization.Authorization.AUTH_TYPE_GRANT);
        grant.setGroupId("support");
        grant.setResource(org.camunda.bpm.engine.authorization.Resources.HISTORIC_PROCESS_INSTANCE);
        grant.setResourceId("*");
        grant.addPermission(org.camunda.bpm.engine.authorization.HistoricProcessInstancePermissions.READ);
        authorizations.saveAuthorization(grant);
        var waiting = tasks.newTask();
        waiting.setName("Enable bulk delete for the account (offered before the rename)");
        tasks.saveTask(waiting);
        tasks.addCandidateGroup(waiting.getId(), "support");
        var hosts = identity.newGroup("auditors");
        hosts.setName("Our own auditors");
        hosts.setType("WORKFLOW");
        identity.saveGroup(hosts);
        try {
            jdbc.sql(new String(new org.springframework.core.io.ClassPathResource(
                    "db/psa-integration-removal/V9__retire_legacy_staff_groups.sql").getInputStream().readAllBytes(),
                    java.nio.charset.StandardCharsets.UTF_8)).update();

            assertThat(identity.createGroupQuery().groupId("support").count()).isZero();
            assertThat(identity.createUserQuery().memberOfGroup("support").count()).isZero();
            assertThat(authorizations.createAuthorizationQuery().groupIdIn("support").count()).isZero();
            assertThat(tasks.createTaskQuery().taskId(waiting.getId()).taskCandidateGroup(AccountGroups.SUPPORT).count())
                    .as("the open task is offered to the group of today").isEqualTo(1);
            assertThat(engine.getIdentityService().createUserQuery().userId("support")
                    .memberOfGroup(AccountGroups.SUPPORT).count()).as("the agent keeps the group of today").isEqualTo(1);
            assertThat(identity.createGroupQuery().groupId("auditors").count()).as("the host's own group").isEqualTo(1);
        } finally {
            tasks.deleteTask(waiting.getId(), true);
            identity.deleteGroup("auditors");
        }
    }

    /**
     * A removal whose requester left the platform does not keep its integration reserved for a week with nobody able to
     * end it: after the sync its open task goes back to the account's Administrators, one of whom claims it and cancels.
     */
    @Test
    void aRemovalWhoseRequesterLeftGoesBackToTheAccountsAdministrators() {
        GeneratedAccount account = fixtures.create();
        String manager = fixtures.username(account, Role.MANAGER);
        String administrator = fixtures.username(account, Role.ADMINISTRATOR);
        org.camunda.bpm.engine.runtime.ProcessInstance removal = driver.start(manager);
        driver.complete(manager, removal, java.util.Map.of("integrationId", String.valueOf(account.psaIntegrationId()),
                "integrationDecision", "REMOVE"));
        driver.runJobs(removal);
        String task = engine.getTaskService().createTaskQuery().processInstanceId(removal.getId()).singleResult().getId();
        assertThat(engine.getTaskService().createTaskQuery().taskId(task).singleResult().getAssignee()).isEqualTo(manager);
        jdbc.sql("update platform_user set active = false where username = :u").param("u", manager).update();
        // Another account's removal whose requester left too, suspended by an operator: left as it is, the sync goes on.
        GeneratedAccount other = fixtures.create();
        String otherManager = fixtures.username(other, Role.MANAGER);
        org.camunda.bpm.engine.runtime.ProcessInstance suspended = driver.start(otherManager);
        engine.getRuntimeService().suspendProcessInstanceById(suspended.getId());
        jdbc.sql("update platform_user set active = false where username = :u").param("u", otherManager).update();

        identitySync.synchronize();

        assertThat(engine.getTaskService().createTaskQuery().processInstanceId(suspended.getId()).singleResult()
                .getAssignee()).as("suspended: left as it is").isEqualTo(otherManager);
        engine.getRuntimeService().deleteProcessInstance(suspended.getId(), "test over");

        assertThat(engine.getTaskService().createTaskQuery().taskId(task).singleResult().getAssignee())
                .as("offered to the account's Administrators").isNull();
        driver.asUser(administrator, () -> {
            engine.getTaskService().claim(task, administrator);
            engine.getTaskService().complete(task, java.util.Map.of("removalMode", "CANCEL"));
            return null;
        });
        driver.runJobs(removal);
        assertThat(fixtures.integrationStatus(account.psaIntegrationId())).as("released").isEqualTo("ACTIVE");
        assertThat(jdbc.sql("select status from removal where process_instance_id = :pid").param("pid", removal.getId())
                .query(String.class).single()).isEqualTo("CANCELLED");
    }
}
