package io.psaremoval.system;

import java.util.List;
import java.util.Locale;
import io.psaremoval.account.EngineIdentityMirror;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.identity.User;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Profile;
import org.springframework.stereotype.Component;

/**
 * In the production profile the application refuses to start with a default password: the engine
 * operator's password must be set, long and not a known default, and no engine user may still sign in
 * with a demo password (say, on a database that once ran the demo profile).
 */
@Component
@Profile("prod")
class ProductionSafetyCheck implements InitializingBean {

    static final String OPERATOR = "operator";
    static final List<String> DEFAULT_PASSWORDS = List.of("demo", "admin", "password", "changeme", "camunda", "secret",
            "operator");

    private final IdentityService identityService;
    private final EngineIdentityMirror mirror;
    private final String operatorPassword;

    ProductionSafetyCheck(IdentityService identityService, EngineIdentityMirror mirror,
            @Value("${psa.operator.password:}") String operatorPassword) {
        this.identityService = identityService;
        this.mirror = mirror;
        this.operatorPassword = operatorPassword;
    }

    @Override
    public void afterPropertiesSet() {
        if (operatorPassword.length() < 12 || DEFAULT_PASSWORDS.contains(operatorPassword.toLowerCase(Locale.ROOT))) {
            throw new IllegalStateException("Refusing to start in the prod profile: set PSA_OPERATOR_PASSWORD to a "
                    + "password of at least 12 characters that is not a default one.");
        }
        for (User user : identityService.createUserQuery().list()) {
            for (String password : DEFAULT_PASSWORDS) {
                if (identityService.checkPassword(user.getId(), password)) {
                    throw new IllegalStateException("Refusing to start in the prod profile: engine user '" + user.getId()
                            + "' still has a default password. Change it (Camunda Admin) or remove the user.");
                }
            }
        }
        mirror.ensureEngineOperator(OPERATOR, operatorPassword);
    }
}
