package io.psaremoval.schema;

import java.util.Set;
import org.springframework.core.Ordered;
import org.springframework.boot.sql.init.dependency.AbstractBeansOfTypeDatabaseInitializerDetector;

/**
 * Tells Spring Boot that {@link PlatformSchemaMigration} initializes the database: the process engine and every
 * bean that depends on database initialization are created after it. It comes after the host's own initializers
 * (its Flyway, say): on a fresh database the host's Flyway then finds the empty schema it expects. Registered in
 * {@code META-INF/spring.factories}.
 */
class PlatformSchemaInitializerDetector extends AbstractBeansOfTypeDatabaseInitializerDetector {

    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE;
    }

    @Override
    protected Set<Class<?>> getDatabaseInitializerBeanTypes() {
        return Set.of(PlatformSchemaMigration.class);
    }
}
