package io.psaremoval.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.psaremoval.PlatformTest;
import io.psaremoval.account.Role;
import io.psaremoval.test.GeneratedAccount;
import io.psaremoval.test.PlatformFixtures;
import io.psaremoval.test.RemovalDriver;
import java.util.List;
import org.camunda.bpm.engine.FilterService;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.filter.Filter;
import org.camunda.bpm.engine.task.Task;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.transaction.PlatformTransactionManager;

/**
 * Tasklist's "PSA integration removals" filter: created once, refreshing by itself, opened first, and listing for a
 * requester the removal's next task and the notice of a stuck removal (a task of no process).
 */
@PlatformTest
class RemovalTaskFilterTest {

    @Autowired
    ProcessEngine engine;
    @Autowired
    ClusterLock clusterLock;
    @Autowired
    PlatformTransactionManager transactionManager;
    @Autowired
    PlatformFixtures fixtures;
    @Autowired
    RemovalDriver driver;

    @Test
    void theFilterRefreshesByItselfAndIsCreatedOnlyOnce() {
        FilterService filters = engine.getFilterService();
        Filter filter = filters.createFilterQuery().filterName(RemovalTaskFilter.NAME).singleResult();

        assertThat(filter.getProperties()).containsEntry("refresh", true).containsEntry("priority", RemovalTaskFilter.PRIORITY);
        new RemovalTaskFilter(engine, clusterLock, transactionManager, true).afterPropertiesSet();
        assertThat(filters.createFilterQuery().filterName(RemovalTaskFilter.NAME).count()).as("a restart adds none").isOne();
    }

    @Test
    void itListsTheRequestersRemovalTaskAndTheNoticeOfAStuckRemovalButNotAnotherProcesssTask() {
        GeneratedAccount account = fixtures.create();
        String manager = fixtures.username(account, Role.MANAGER);
        var removal = driver.start(manager);
        Task notice = engine.getTaskService().newTask();
        notice.setName("Your removal of Test PSA waits for an operator");
        notice.setAssignee(manager);
        engine.getTaskService().saveTask(notice);
        Task unrelated = engine.getTaskService().newTask();
        unrelated.setName("Approve an expense claim");
        unrelated.setAssignee(manager);
        engine.getTaskService().saveTask(unrelated);
        try {
            String filterId = engine.getFilterService().createFilterQuery().filterName(RemovalTaskFilter.NAME)
                    .singleResult().getId();

            List<String> listed = driver.asUser(manager, () -> engine.getFilterService().<Task>listPage(filterId, 0, 100))
                    .stream().map(Task::getName).toList();

            assertThat(listed).contains("Choose the PSA integration", notice.getName())
                    .doesNotContain(unrelated.getName());
            assertThat(engine.getTaskService().createTaskQuery().processInstanceId(removal.getId()).singleResult()
                    .getName()).isEqualTo("Choose the PSA integration");
        } finally {
            engine.getTaskService().deleteTask(notice.getId(), true);
            engine.getTaskService().deleteTask(unrelated.getId(), true);
        }
    }
}
