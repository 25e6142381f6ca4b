package io.psaremoval.engine;

import jakarta.ws.rs.Path;
import org.camunda.bpm.tasklist.resource.AbstractTasklistPluginRootResource;

/** Serves the Tasklist module's files ({@code app/plugin.js}, {@code app/plugin.css}) under Tasklist's plugin API. */
@Path("plugin/" + RemovalTasklistPlugin.ID)
public class RemovalTasklistPluginResource extends AbstractTasklistPluginRootResource {

    public RemovalTasklistPluginResource() {
        super(RemovalTasklistPlugin.ID);
    }
}
