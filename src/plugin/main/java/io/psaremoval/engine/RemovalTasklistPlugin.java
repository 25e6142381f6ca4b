package io.psaremoval.engine;

import java.util.Set;
import org.camunda.bpm.tasklist.plugin.spi.impl.AbstractTasklistPlugin;

/**
 * The plugin's frontend module for Camunda Tasklist ({@code plugin-webapp/psaRemoval/app/plugin.js} and
 * {@code plugin.css}): when Tasklist refuses to complete a task form (a wrong typed name, a stale choice, a refused
 * step: the sentence the plugin's validators give), the sentence is shown at the top of the form the person is on,
 * in place of Tasklist's notice in the page corner with its "An error happened while submitting the task form"
 * prefix. Registered through {@code META-INF/services}: Tasklist finds it where a host runs Tasklist, and nothing
 * loads it where a host does not.
 */
public class RemovalTasklistPlugin extends AbstractTasklistPlugin {

    public static final String ID = "psaRemoval";

    @Override
    public String getId() {
        return ID;
    }

    @Override
    public String getAssetDirectory() {
        return "plugin-webapp/" + ID;
    }

    @Override
    public Set<Class<?>> getResourceClasses() {
        return Set.of(RemovalTasklistPluginResource.class);
    }
}
