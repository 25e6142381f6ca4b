package io.psaremoval.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.psaremoval.PlatformTest;
import io.psaremoval.account.AccountGroups;
import io.psaremoval.account.Role;
import io.psaremoval.test.GeneratedAccount;
import io.psaremoval.test.PlatformFixtures;
import io.psaremoval.test.RemovalDriver;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import org.camunda.bpm.engine.AuthorizationService;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.authorization.Authorization;
import org.camunda.bpm.engine.authorization.Permissions;
import org.camunda.bpm.engine.authorization.Resources;
import org.camunda.bpm.engine.filter.Filter;
import org.camunda.bpm.engine.repository.Deployment;
import org.camunda.bpm.model.bpmn.Bpmn;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.transaction.PlatformTransactionManager;

/**
 * The platform's groups are granted what the removal needs and nothing of the host's own: no host process's history
 * or deployment for the platform's auditors, no host filter for an account's users (through the REST API); a start
 * withdraws the grants on every resource of a kind that earlier versions gave them.
 */
@PlatformTest
class PlatformGroupGrantsTest {

    private static final String HOST_PROCESS = "HostExpenseApproval";

    @LocalServerPort
    int port;
    @Autowired
    ProcessEngine engine;
    @Autowired
    EngineAuthorizations authorizations;
    @Autowired
    ClusterLock clusterLock;
    @Autowired
    PlatformTransactionManager transactionManager;
    @Autowired
    PlatformFixtures fixtures;
    @Autowired
    RemovalDriver driver;

    @Test
    void thePlatformsGroupsReadNothingOfTheHostsOwnProcessesOrFilters() throws Exception {
        Deployment host = engine.getRepositoryService().createDeployment().name("the host's own")
                .addModelInstance(HOST_PROCESS + ".bpmn", Bpmn.createExecutableProcess(HOST_PROCESS)
                        .camundaHistoryTimeToLive(30).startEvent().userTask("Approve").endEvent().done())
                .deploy();
        engine.getRuntimeService().startProcessInstanceByKey(HOST_PROCESS, Map.of("amount", 1234));
        Filter hostFilter = engine.getFilterService().saveFilter(engine.getFilterService().newTaskFilter("The host's own work")
                .setQuery(engine.getTaskService().createTaskQuery()));
        GeneratedAccount account = fixtures.create();
        String manager = fixtures.username(account, Role.MANAGER);
        driver.start(manager);
        try {
            assertThat(get("auditor", "history/process-instance?processDefinitionKey=" + HOST_PROCESS)).isEqualTo("[]");
            assertThat(get("auditor", "history/variable-instance?processDefinitionKey=" + HOST_PROCESS)).isEqualTo("[]");
            assertThat(get("auditor", "deployment?name=the%20host%27s%20own")).isEqualTo("[]");
            assertThat(get("auditor", "history/process-instance?processDefinitionKey=RemovePsaIntegration"))
                    .as("the removals stay the auditors'").contains("RemovePsaIntegration");
            assertThat(get(manager, "filter")).contains(RemovalTaskFilter.NAME).doesNotContain(hostFilter.getName());
            assertThat(get(manager, "history/process-instance?processDefinitionKey=" + HOST_PROCESS)).isEqualTo("[]");
        } finally {
            engine.getFilterService().deleteFilter(hostFilter.getId());
            engine.getRepositoryService().deleteDeployment(host.getId(), true);
        }
    }

    @Test
    void aStartWithdrawsTheWildcardGrantsOfEarlierVersions() {
        GeneratedAccount account = fixtures.create();
        String accountGroup = AccountGroups.ofAccount(account.accountId());
        AuthorizationService grants = engine.getAuthorizationService();
        grant(accountGroup, Resources.FILTER, Permissions.READ);
        grant(AccountGroups.AUDITORS, Resources.PROCESS_DEFINITION,
                org.camunda.bpm.engine.authorization.ProcessDefinitionPermissions.READ_HISTORY);
        grant(AccountGroups.AUDITORS, Resources.HISTORIC_PROCESS_INSTANCE,
                org.camunda.bpm.engine.authorization.HistoricProcessInstancePermissions.READ);
        grant(AccountGroups.AUDITORS, Resources.DEPLOYMENT, Permissions.READ);
        Authorization hostOwn = grant("expense-clerks", Resources.FILTER, Permissions.READ);
        try {
            new PlatformGroupGrants(engine, authorizations, clusterLock, transactionManager, null).afterPropertiesSet();

            assertThat(grants.createAuthorizationQuery().resourceId("*").groupIdIn(accountGroup, AccountGroups.AUDITORS)
                    .resourceType(Resources.FILTER).count()).isZero();
            for (Resources kind : new Resources[] {Resources.PROCESS_DEFINITION, Resources.HISTORIC_PROCESS_INSTANCE,
                    Resources.DEPLOYMENT}) {
                assertThat(grants.createAuthorizationQuery().resourceId("*").groupIdIn(AccountGroups.AUDITORS)
                        .resourceType(kind).count()).as(kind.resourceName()).isZero();
            }
            assertThat(grants.createAuthorizationQuery().resourceId("*").groupIdIn("expense-clerks").count())
                    .as("a host group's grant is the host's").isOne();
            assertThat(grants.isUserAuthorized(null, java.util.List.of(accountGroup), Permissions.CREATE,
                    Resources.PROCESS_INSTANCE, "*")).as("starting a removal stays possible").isTrue();
            String filterId = authorizations.removalFilterId().orElseThrow();
            assertThat(grants.isUserAuthorized(null, java.util.List.of(accountGroup), Permissions.READ, Resources.FILTER,
                    filterId)).as("the plugin's filter").isTrue();
            assertThat(grants.isUserAuthorized(null, java.util.List.of(AccountGroups.AUDITORS),
                    org.camunda.bpm.engine.authorization.ProcessDefinitionPermissions.READ_HISTORY,
                    Resources.PROCESS_DEFINITION, "RemovePsaIntegration")).isTrue();
        } finally {
            grants.deleteAuthorization(hostOwn.getId());
        }
    }

    private Authorization grant(String group, Resources resource, org.camunda.bpm.engine.authorization.Permission permission) {
        AuthorizationService grants = engine.getAuthorizationService();
        Authorization existing = grants.createAuthorizationQuery().groupIdIn(group).resourceType(resource)
                .resourceId("*").singleResult();
        Authorization grant = existing != null ? existing : grants.createNewAuthorization(Authorization.AUTH_TYPE_GRANT);
        grant.setGroupId(group);
        grant.setResource(resource);
        grant.setResourceId("*");
        grant.addPermission(permission);
        return grants.saveAuthorization(grant);
    }

    private String get(String user, String path) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://localhost:" + port + "/engine-rest/" + path
                                + (path.contains("?") ? "&" : "?") + "firstResult=0&maxResults=100"))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                        (user + ":" + PlatformFixtures.PASSWORD).getBytes(StandardCharsets.UTF_8)))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(path + ": " + response.body()).isEqualTo(200);
        return response.body();
    }
}
