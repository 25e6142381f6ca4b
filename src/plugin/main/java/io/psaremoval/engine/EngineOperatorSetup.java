package io.psaremoval.engine;

import io.psaremoval.account.AccountGroups;
import java.util.List;
import java.util.Locale;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.identity.Group;
import org.camunda.bpm.engine.identity.User;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.camunda.bpm.engine.impl.digest.PasswordManager;
import org.camunda.bpm.engine.impl.persistence.entity.UserEntity;
import org.camunda.bpm.engine.impl.util.EncryptionUtil;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Makes sure the engine has an administrator before anyone can reach the webapps: without one, Camunda
 * shows a "Setup" page on which any visitor could make themselves administrator. The operator
 * ({@code psa.operator.username}, password {@code psa.operator.password} / PSA_OPERATOR_PASSWORD) is
 * created on first start; with no administrator and no password configured the application refuses
 * to start. The configured password is the operator's: a start that finds another one stored (the variable was
 * changed, say after a leak) sets the configured one, so that the old password stops working; a password changed
 * only in Camunda Admin lasts until the next start.
 *
 * <p>With {@code psa.operator.require-strong-password} (the prod profile) it also refuses to start when
 * the operator's password is short or a known default, or when any engine user still signs in with a
 * default password (say, on a database that once ran the demo profile).
 */
@Component
class EngineOperatorSetup implements InitializingBean {

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(EngineOperatorSetup.class);

    static final List<String> DEFAULT_PASSWORDS = List.of("demo", "admin", "password", "changeme", "camunda", "secret",
            "operator");

    private final IdentityService identityService;
    private final PasswordManager passwordManager;
    private final EngineAuthorizations authorizations;
    private final ClusterLock clusterLock;
    private final TransactionTemplate transaction;
    private final String username;
    private final String password;
    private final boolean requireStrongPassword;

    EngineOperatorSetup(ProcessEngine engine, EngineAuthorizations authorizations, ClusterLock clusterLock,
            PlatformTransactionManager transactionManager,
            @Value("${psa.operator.username:operator}") String username,
            @Value("${psa.operator.password:}") String password,
            @Value("${psa.operator.require-strong-password:false}") boolean requireStrongPassword) {
        this.identityService = engine.getIdentityService();
        this.passwordManager = ((ProcessEngineConfigurationImpl) engine.getProcessEngineConfiguration()).getPasswordManager();
        this.authorizations = authorizations;
        this.clusterLock = clusterLock;
        this.transaction = new TransactionTemplate(transactionManager);
        this.username = username;
        this.password = password;
        this.requireStrongPassword = requireStrongPassword;
    }

    @Override
    public void afterPropertiesSet() {
        if (requireStrongPassword) {
            refuseDefaultPasswords();
        }
        boolean hasAdministrator = identityService.createUserQuery().memberOfGroup(AccountGroups.CAMUNDA_ADMIN).count() > 0;
        if (!password.isEmpty()) {
            ensureEngineOperator();
        } else if (!hasAdministrator) {
            throw new IllegalStateException("Refusing to start: the engine has no administrator. Set PSA_OPERATOR_PASSWORD "
                    + "(psa.operator.password) so that the operator '" + username + "' is created.");
        }
        // Strangers' failed sign-ins may have locked the operator (Camunda locks a user after loginMaxAttempts):
        // a start unlocks them, so that an operator is never locked out for good.
        if (identityService.createUserQuery().userId(username).count() > 0) {
            identityService.unlockUser(username);
        }
    }

    /** An engine-only administrator (Admin webapp, deployments), who is no user of the platform. */
    private void ensureEngineOperator() {
        transaction.executeWithoutResult(status -> {
            clusterLock.holdUntilTransactionEnds(EngineIdentityMirror.CLUSTER_LOCK);
            User existing = identityService.createUserQuery().userId(username).singleResult();
            if (existing == null) {
                User user = identityService.newUser(username);
                user.setFirstName("Engine");
                user.setLastName("Operator");
                user.setPassword(password);
                identityService.saveUser(user);
            } else if (!(existing instanceof UserEntity entity) || entity.getPassword() == null
                    || identityService.isReadOnly()) {
                log.warn("The engine operator '{}' keeps the password its identity provider holds: it stores none here"
                        + " to compare with psa.operator.password", username);
            } else if (!hasPassword(existing, password)) {
                existing.setPassword(password);
                identityService.saveUser(existing);
                log.warn("The engine operator '{}' signed in with another password than psa.operator.password"
                        + " (PSA_OPERATOR_PASSWORD): it now has the configured one, and the old one no longer works", username);
            }
            if (identityService.createGroupQuery().groupId(AccountGroups.CAMUNDA_ADMIN).count() == 0) {
                Group group = identityService.newGroup(AccountGroups.CAMUNDA_ADMIN);
                group.setName(AccountGroups.CAMUNDA_ADMIN);
                group.setType("SYSTEM");
                identityService.saveGroup(group);
            }
            authorizations.grantAdministrators();
            if (identityService.createUserQuery().userId(username).memberOfGroup(AccountGroups.CAMUNDA_ADMIN).count() == 0) {
                identityService.createMembership(username, AccountGroups.CAMUNDA_ADMIN);
            }
        });
    }

    private void refuseDefaultPasswords() {
        if (password.length() < 12 || DEFAULT_PASSWORDS.contains(password.toLowerCase(Locale.ROOT))) {
            throw new IllegalStateException("Refusing to start in the prod profile: set PSA_OPERATOR_PASSWORD to a "
                    + "password of at least 12 characters that is not a default one.");
        }
        for (User user : identityService.createUserQuery().list()) {
            for (String candidate : DEFAULT_PASSWORDS) {
                if (hasPassword(user, candidate)) {
                    throw new IllegalStateException("Refusing to start in the prod profile: engine user '" + user.getId()
                            + "' still has a default password. Change it (Camunda Admin) or remove the user.");
                }
            }
        }
    }

    /**
     * Compares the candidate with the stored salted hash, as the engine does when someone signs in, but without
     * signing in: {@code IdentityService.checkPassword} would count each miss as a failed login of that user.
     */
    private boolean hasPassword(User user, String candidate) {
        if (!(user instanceof UserEntity entity) || entity.getPassword() == null) {
            return false;
        }
        String salted = EncryptionUtil.saltPassword(candidate, entity.getSalt());
        return passwordManager.check(salted, entity.getPassword());
    }
}
