package io.psaremoval.engine;

import java.util.LinkedHashMap;
import java.util.Map;
import org.camunda.bpm.engine.FilterService;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.TaskService;
import org.camunda.bpm.engine.filter.Filter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * A Tasklist filter, "PSA integration removals", that shows a person the removal's tasks, its notices (see
 * {@code RemovalNotices}) and the notices of a stuck removal and keeps itself up to date: Tasklist reloads the list of a filter whose property {@code refresh} is on
 * every 10 seconds, so the next task of a removal appears without a reload. Created at start-up when no filter of that
 * name exists (once for a cluster: nodes take the identity lock); an operator may change it afterwards in Tasklist,
 * which a later start leaves alone. Its priority is 0: Tasklist opens the filter of the lowest priority first, so a
 * host decides by its own filters' priorities whether this one comes first. Every account group and support may read
 * this filter and no other (see {@link EngineAuthorizations}, {@link PlatformGroupGrants}); what a filter lists is what
 * the engine lets the person see.
 */
@Component
class RemovalTaskFilter implements InitializingBean {

    static final String NAME = "PSA integration removals";
    static final int PRIORITY = 0;

    private static final Logger log = LoggerFactory.getLogger(RemovalTaskFilter.class);

    private final FilterService filters;
    private final TaskService tasks;
    private final ClusterLock clusterLock;
    private final TransactionTemplate transaction;
    private final boolean enabled;

    RemovalTaskFilter(ProcessEngine engine, ClusterLock clusterLock, PlatformTransactionManager transactionManager,
            @Value("${psa.tasklist.create-filter:true}") boolean enabled) {
        this.filters = engine.getFilterService();
        this.tasks = engine.getTaskService();
        this.clusterLock = clusterLock;
        this.transaction = new TransactionTemplate(transactionManager);
        this.enabled = enabled;
    }

    @Override
    public void afterPropertiesSet() {
        if (!enabled) {
            return;
        }
        transaction.executeWithoutResult(status -> {
            clusterLock.holdUntilTransactionEnds(EngineIdentityMirror.CLUSTER_LOCK);
            if (filters.createFilterQuery().filterName(NAME).count() > 0) {
                return;
            }
            Map<String, Object> properties = new LinkedHashMap<>();
            properties.put("description", "Your PSA integration removals and what they wait for; updates by itself");
            properties.put("priority", PRIORITY);
            properties.put("refresh", true);
            // The removal's own tasks and notices, and the stand-alone tasks of a stuck removal ("Your removal of ... waits for an
            // operator", "Retry the stuck removal ..."), which belong to no process.
            Filter filter = filters.newTaskFilter(NAME)
                    .setQuery(tasks.createTaskQuery().or()
                            .processDefinitionKeyIn(EngineAuthorizations.PROCESS_KEYS.toArray(String[]::new))
                            .taskNameLike("%" + StuckRemovals.TASK_NAME_WORD + "%")
                            .endOr())
                    .setProperties(properties);
            filters.saveFilter(filter);
            log.info("Created the Tasklist filter '{}' (refreshes by itself)", NAME);
        });
    }
}
