package io.psaremoval.engine;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import jakarta.annotation.Priority;
import jakarta.ws.rs.core.FeatureContext;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import java.util.Map;
import org.camunda.bpm.engine.BadUserRequestException;
import org.camunda.bpm.engine.ProcessEngineException;
import org.camunda.bpm.engine.exception.NotFoundException;
import org.camunda.bpm.engine.exception.NullValueException;
import org.camunda.bpm.engine.rest.exception.ProcessEngineExceptionHandler;
import org.camunda.bpm.engine.rest.exception.RestException;
import org.camunda.bpm.engine.rest.exception.RestExceptionHandler;
import org.glassfish.jersey.internal.spi.ForcedAutoDiscoverable;

/**
 * How the engine's REST API answers a refusal, through either door: {@code /engine-rest} and the API behind
 * Tasklist and Cockpit ({@code /camunda/api/engine}), which run the same Camunda resources in two Jersey
 * applications. Camunda's resources wrap most engine exceptions into an HTTP 500 ("Cannot complete task ...");
 * here a refusal of what the caller sent (a {@link BadUserRequestException} from a task validator or the
 * engine guard, anywhere in the causes, or a value the engine found missing) is a 400 with its own message, a task
 * that is not open a 404, and a body that is not JSON or lacks a value an operation reads a 400 with a sentence.
 * Everything else is answered as Camunda answers it.
 *
 * <p>Jersey finds {@link Registration} through {@code META-INF/services} and adds the mappers to every Jersey
 * application of this JVM; they change nothing but the answers described here.
 */
public final class RestRefusals {

    private RestRefusals() {
    }

    /** Registers the mappers in every Jersey application (Jersey's service-loader extension point). */
    public static final class Registration implements ForcedAutoDiscoverable {
        @Override
        public void configure(FeatureContext context) {
            if (!context.getConfiguration().isRegistered(RefusedRestInput.class)) {
                context.register(RefusedRestInput.class);
                context.register(RefusedEngineInput.class);
                context.register(InvalidJson.class);
                context.register(UnreadableJson.class);
                context.register(MissingValue.class);
            }
        }
    }

    /** A refusal's answer, or else Camunda's own (which logs a 500 with its stack trace: only for what is no refusal). */
    static Response refusedOr(Throwable exception, java.util.function.Supplier<Response> otherwise) {
        for (Throwable cause = exception; cause != null; cause = cause.getCause()) {
            if (cause instanceof NotFoundException notFound) {
                return answer(Response.Status.NOT_FOUND, "NotFoundException", notFound.getMessage());
            }
            if (cause instanceof BadUserRequestException || cause instanceof NullValueException) {
                return answer(Response.Status.BAD_REQUEST, "InvalidRequestException", cause.getMessage());
            }
        }
        return otherwise.get();
    }

    static Response answer(Response.Status status, String type, String message) {
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE)
                .entity(Map.of("type", type, "message", message == null ? "" : message)).build();
    }

    @Priority(1)
    public static class RefusedRestInput implements ExceptionMapper<RestException> {
        @Override
        public Response toResponse(RestException exception) {
            return refusedOr(exception, () -> new RestExceptionHandler().toResponse(exception));
        }
    }

    @Priority(1)
    public static class RefusedEngineInput implements ExceptionMapper<ProcessEngineException> {
        @Override
        public Response toResponse(ProcessEngineException exception) {
            return refusedOr(exception, () -> new ProcessEngineExceptionHandler().toResponse(exception));
        }
    }

    /**
     * Some of Camunda's REST operations read a field of the body without checking that it was sent (an empty body
     * for {@code PUT /external-task/{id}/priority}, say) and fail with a NullPointerException: a 400 for the caller,
     * when the failure is in that layer; anything else stays a 500.
     */
    @Priority(1)
    public static class MissingValue implements ExceptionMapper<NullPointerException> {
        @Override
        public Response toResponse(NullPointerException exception) {
            StackTraceElement[] stack = exception.getStackTrace();
            if (stack.length > 0 && stack[0].getClassName().startsWith("org.camunda.bpm.engine.rest.")) {
                return answer(Response.Status.BAD_REQUEST, "InvalidRequestException",
                        "The request lacks a value the operation needs.");
            }
            return Response.status(Response.Status.INTERNAL_SERVER_ERROR).type(MediaType.APPLICATION_JSON_TYPE)
                    .entity(Map.of("type", "NullPointerException", "message", "Internal error")).build();
        }
    }

    /** Camunda's own answer to a body that is not JSON is plain text. */
    @Priority(1)
    public static class InvalidJson implements ExceptionMapper<JsonParseException> {
        @Override
        public Response toResponse(JsonParseException exception) {
            return notJson(exception);
        }
    }

    @Priority(1)
    public static class UnreadableJson implements ExceptionMapper<JsonMappingException> {
        @Override
        public Response toResponse(JsonMappingException exception) {
            return notJson(exception);
        }
    }

    private static Response notJson(JsonProcessingException exception) {
        return answer(Response.Status.BAD_REQUEST, "InvalidRequestException",
                "The request body is not valid JSON: " + exception.getOriginalMessage());
    }
}
