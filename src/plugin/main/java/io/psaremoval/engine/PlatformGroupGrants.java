package io.psaremoval.engine;

import io.psaremoval.account.AccountGroups;
import java.util.Optional;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.identity.Group;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * At start-up, the grants of the platform's groups brought in step with what {@link EngineAuthorizations} gives a new
 * group: what earlier versions granted on every resource of a kind (every filter; for the auditors every process
 * definition, decision, deployment and historic instance, the host's own included) is withdrawn, and every account
 * group and support may read the plugin's Tasklist filter (made before this runs, see {@link RemovalTaskFilter}). Once
 * per cluster at a time (the identity lock); a start that finds everything in step writes nothing.
 */
@Component
class PlatformGroupGrants implements InitializingBean {

    private static final Logger log = LoggerFactory.getLogger(PlatformGroupGrants.class);

    private final IdentityService identityService;
    private final EngineAuthorizations authorizations;
    private final ClusterLock clusterLock;
    private final TransactionTemplate transaction;

    /** @param filterMadeFirst the plugin's filter, created (when enabled) before its grants are brought in step */
    PlatformGroupGrants(ProcessEngine engine, EngineAuthorizations authorizations, ClusterLock clusterLock,
            PlatformTransactionManager transactionManager, RemovalTaskFilter filterMadeFirst) {
        this.identityService = engine.getIdentityService();
        this.authorizations = authorizations;
        this.clusterLock = clusterLock;
        this.transaction = new TransactionTemplate(transactionManager);
    }

    @Override
    public void afterPropertiesSet() {
        transaction.executeWithoutResult(status -> {
            clusterLock.holdUntilTransactionEnds(EngineIdentityMirror.CLUSTER_LOCK);
            int withdrawn = authorizations.withdrawWildcardGrants();
            Optional<String> filter = authorizations.removalFilterId();
            for (Group group : identityService.createGroupQuery().list()) {
                String id = group.getId();
                if (id.equals(AccountGroups.AUDITORS)) {
                    authorizations.grantAuditorsGroup();
                } else if (AccountGroups.isPlatformGroup(id)) {
                    filter.ifPresent(filterId -> authorizations.grantFilter(id, filterId));
                }
            }
            if (withdrawn > 0) {
                log.info("Withdrew {} grants on every resource of a kind from the platform's groups (the host's processes,"
                        + " deployments and filters are not theirs); they keep what the removal needs", withdrawn);
            }
        });
    }
}
