package io.psaremoval.engine;

import java.util.Set;
import org.camunda.bpm.engine.ProcessEngine;
import org.springframework.boot.sql.init.dependency.AbstractBeansOfTypeDependsOnDatabaseInitializationDetector;

/**
 * Makes the Camunda engine wait for every database initializer: the host's own Flyway, if it has one, and the
 * plugin's migration of the platform tables ({@code PlatformSchemaMigration}). They share one database schema:
 * a Flyway that found the engine's tables first, without its history table, would refuse to migrate; and the
 * engine's jobs must not run before the tables its delegates write exist. Registered in
 * {@code META-INF/spring.factories}.
 */
class ProcessEngineDependsOnDatabaseInitializationDetector
        extends AbstractBeansOfTypeDependsOnDatabaseInitializationDetector {

    @Override
    protected Set<Class<?>> getDependsOnDatabaseInitializationBeanTypes() {
        return Set.of(ProcessEngine.class);
    }
}
