package io.psaremoval.system;

import jakarta.annotation.Priority;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import java.util.Map;
import org.camunda.bpm.engine.BadUserRequestException;
import org.camunda.bpm.engine.ProcessEngineException;
import org.camunda.bpm.engine.rest.exception.ProcessEngineExceptionHandler;
import org.camunda.bpm.engine.rest.exception.RestException;
import org.camunda.bpm.engine.rest.exception.RestExceptionHandler;
import org.camunda.bpm.spring.boot.starter.rest.CamundaJerseyResourceConfig;
import org.springframework.stereotype.Component;

/**
 * The engine's REST API, plus one rule: when a step of the removal refused what the user submitted
 * (a {@link BadUserRequestException} from a task validator, which the engine wraps), the caller gets
 * HTTP 400 with that message, not a 500.
 */
@Component
class RestApiConfiguration extends CamundaJerseyResourceConfig {

    @Override
    protected void registerAdditionalResources() {
        register(RefusedRestInput.class);
        register(RefusedEngineInput.class);
    }

    static Response badRequestOr(Throwable exception, Response otherwise) {
        for (Throwable cause = exception; cause != null; cause = cause.getCause()) {
            if (cause instanceof BadUserRequestException refusal) {
                return Response.status(Response.Status.BAD_REQUEST).type(MediaType.APPLICATION_JSON_TYPE)
                        .entity(Map.of("type", "InvalidRequestException", "message", refusal.getMessage()))
                        .build();
            }
        }
        return otherwise;
    }

    @Priority(1)
    static class RefusedRestInput implements ExceptionMapper<RestException> {
        @Override
        public Response toResponse(RestException exception) {
            return badRequestOr(exception, new RestExceptionHandler().toResponse(exception));
        }
    }

    @Priority(1)
    static class RefusedEngineInput implements ExceptionMapper<ProcessEngineException> {
        @Override
        public Response toResponse(ProcessEngineException exception) {
            return badRequestOr(exception, new ProcessEngineExceptionHandler().toResponse(exception));
        }
    }
}
