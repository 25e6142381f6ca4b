package io.psaremoval.engine;

import io.psaremoval.account.AccountGroups;
import java.util.Optional;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.ProcessEngine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * At start-up, the grants of the platform's groups brought in step with what {@link EngineAuthorizations} gives a new
 * group: what earlier versions granted on every resource of a kind (for the auditors every process definition,
 * decision, deployment and historic instance, the host's own included; every filter, when the plugin's own Tasklist
 * filter is there to be read instead) is withdrawn, and every account group and support that opens Tasklist may read
 * the plugin's filter (made before this runs, see {@link RemovalTaskFilter}). Groups are found by their grants, not by
 * listing the identity provider's groups. Once per cluster at a time (the identity lock); a start that finds everything
 * in step writes nothing. (A node of an earlier version still grants a new account group every filter, until the next
 * start of a node of this one.)
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
            Optional<String> filter = authorizations.removalFilterId();
            int withdrawn = authorizations.withdrawWildcardGrants(filter.isPresent());
            int granted = filter.map(authorizations::grantFilterToTasklistGroups).orElse(0);
            if (identityService.createGroupQuery().groupId(AccountGroups.AUDITORS).count() > 0) {
                authorizations.grantAuditorsGroup();
            }
            if (withdrawn > 0 || granted > 0) {
                log.info("Platform groups' grants brought in step: {} grants on every resource of a kind withdrawn (the"
                        + " host's processes, deployments and filters are not theirs), the removal's Tasklist filter granted"
                        + " to {} groups", withdrawn, granted);
            }
        });
    }
}
