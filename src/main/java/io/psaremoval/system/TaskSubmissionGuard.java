package io.psaremoval.system;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.psaremoval.audit.SecurityEvents;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.impl.identity.Authentication;
import org.camunda.bpm.engine.repository.Resource;
import org.camunda.bpm.engine.task.Task;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Checks what a caller sends to a task of a removal, on the engine's REST API and on the API behind
 * Tasklist:
 * <ul>
 * <li>completing a task ({@code complete}, {@code submit-form}, {@code resolve}) may set only the fields
 * of that task's Camunda Form: a variable the form did not ask for (a role, an account, a mode on a task
 * that does not choose one) is refused with HTTP 400 before the engine sees it;</li>
 * <li>variables of a running removal may not be changed outside a form (task, process instance or
 * execution variable endpoints, process instance modification), except by engine administrators;</li>
 * <li>a task that is not open (completed already, of an ended or cancelled removal, unknown) is a clear
 * HTTP 404, not the engine's HTTP 500.</li>
 * </ul>
 * Every refusal is recorded as a security event.
 */
@Component
class TaskSubmissionGuard extends OncePerRequestFilter {

    private static final Pattern TASK_SUBMISSION = Pattern.compile(".*/task/([^/]+)/(complete|submit-form|resolve)$");
    private static final Pattern VARIABLE_CHANGE = Pattern.compile(
            ".*/(task|process-instance|execution)/[^/]+/(variables|localVariables)(/.*)?$|.*/process-instance/[^/]+/modification$"
                    + "|.*/(process-instance|execution)/[^/]+/(variables|localVariables)/.*/data$");
    private static final Set<String> INPUT_TYPES = Set.of("textfield", "textarea", "select", "radio", "checkbox",
            "checklist", "number", "datetime", "taglist");

    private final ProcessEngine engine;
    private final SecurityEvents securityEvents;
    private final ObjectMapper json = new ObjectMapper();
    private final Map<String, Set<String>> fieldsByForm = new ConcurrentHashMap<>();

    TaskSubmissionGuard(ProcessEngine engine, SecurityEvents securityEvents) {
        this.engine = engine;
        this.securityEvents = securityEvents;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String path = request.getRequestURI();
        String method = request.getMethod();
        if (!method.equals("GET") && VARIABLE_CHANGE.matcher(path).matches() && !isEngineAdmin()) {
            refuse(response, null, null, "VARIABLE_CHANGE_REFUSED",
                    "Variables of a removal can only be set through its forms; " + method + " " + path + " is refused.");
            return;
        }
        Matcher submission = TASK_SUBMISSION.matcher(path);
        if (method.equals("POST") && submission.matches()) {
            byte[] body = request.getInputStream().readAllBytes();
            String taskId = submission.group(1);
            Task task = findTask(taskId);
            if (task == null) {
                // Completed already, of a removal that ended or was cancelled, or never the caller's to see.
                respond(response, HttpServletResponse.SC_NOT_FOUND, Map.of("type", "TaskNotFound", "message",
                        "Task " + taskId + " is not open: it was completed already, its removal ended or was "
                                + "cancelled, or it does not exist."));
                return;
            }
            String refusal = checkSubmission(task, body);
            if (refusal != null) {
                refuse(response, task.getProcessInstanceId(), taskId, "FORM_FIELDS_REFUSED", refusal);
                return;
            }
            chain.doFilter(new CachedBodyRequest(request, body), response);
            return;
        }
        chain.doFilter(request, response);
    }

    /** @return why the submission is refused, or null when it only sets the task form's fields */
    private String checkSubmission(Task task, byte[] body) throws IOException {
        if (task.getCamundaFormRef() == null) {
            return null; // not a form task: the engine answers as usual
        }
        Set<String> allowed = formFields(task);
        Set<String> sent = new TreeSet<>();
        if (body.length > 0) {
            JsonNode variables;
            try {
                variables = json.readTree(body).path("variables");
            } catch (JsonProcessingException e) {
                return "The request body is not valid JSON: " + e.getOriginalMessage();
            }
            for (Iterator<String> names = variables.fieldNames(); names.hasNext(); ) {
                sent.add(names.next());
            }
        }
        List<String> unexpected = new ArrayList<>(sent);
        unexpected.removeAll(allowed);
        if (unexpected.isEmpty()) {
            return null;
        }
        return "'" + task.getName() + "' accepts only " + new TreeSet<>(allowed) + "; refused: " + unexpected + ".";
    }

    private Task findTask(String taskId) {
        return engine.getTaskService().createTaskQuery().taskId(taskId).initializeFormKeys().singleResult();
    }

    /**
     * The input fields of the task's Camunda Form, read from the deployment the task's process came from.
     * Reading the model is the application's business, not the caller's: it runs without their authentication.
     */
    private Set<String> formFields(Task task) {
        IdentityService identity = engine.getIdentityService();
        Authentication caller = identity.getCurrentAuthentication();
        identity.clearAuthentication();
        try {
            return readFormFields(task);
        } finally {
            if (caller != null) {
                identity.setAuthentication(caller);
            }
        }
    }

    private Set<String> readFormFields(Task task) {
        String deploymentId = engine.getRepositoryService().getProcessDefinition(task.getProcessDefinitionId())
                .getDeploymentId();
        String formKey = task.getCamundaFormRef().getKey();
        return fieldsByForm.computeIfAbsent(deploymentId + "/" + formKey, cacheKey -> {
            for (Resource resource : engine.getRepositoryService().getDeploymentResources(deploymentId)) {
                if (!resource.getName().endsWith(".form")) {
                    continue;
                }
                try (InputStream in = engine.getRepositoryService().getResourceAsStreamById(deploymentId, resource.getId())) {
                    JsonNode form = json.readTree(in);
                    if (formKey.equals(form.path("id").asText())) {
                        Set<String> keys = new TreeSet<>();
                        for (JsonNode component : form.path("components")) {
                            if (INPUT_TYPES.contains(component.path("type").asText()) && component.hasNonNull("key")) {
                                keys.add(component.get("key").asText());
                            }
                        }
                        return Set.copyOf(keys);
                    }
                } catch (IOException e) {
                    throw new IllegalStateException("Cannot read form " + resource.getName(), e);
                }
            }
            return Set.of();
        });
    }

    private boolean isEngineAdmin() {
        IdentityService identity = engine.getIdentityService();
        Authentication authentication = identity.getCurrentAuthentication();
        return authentication != null && authentication.getGroupIds() != null
                && authentication.getGroupIds().contains("camunda-admin");
    }

    private void refuse(HttpServletResponse response, String processInstanceId, String taskId, String kind,
            String message) throws IOException {
        Authentication authentication = engine.getIdentityService().getCurrentAuthentication();
        securityEvents.record(authentication == null ? null : authentication.getUserId(), kind, processInstanceId,
                taskId, message);
        respond(response, HttpServletResponse.SC_BAD_REQUEST, Map.of("type", "InvalidRequestException", "message", message));
    }

    private void respond(HttpServletResponse response, int status, Map<String, String> body) throws IOException {
        response.setStatus(status);
        response.setContentType(MediaType.APPLICATION_JSON_VALUE);
        response.getWriter().write(json.writeValueAsString(body));
    }

    /** The request with its body read once and served again to the engine. */
    private static final class CachedBodyRequest extends HttpServletRequestWrapper {

        private final byte[] body;

        CachedBodyRequest(HttpServletRequest request, byte[] body) {
            super(request);
            this.body = body;
        }

        @Override
        public ServletInputStream getInputStream() {
            ByteArrayInputStream in = new ByteArrayInputStream(body);
            return new ServletInputStream() {
                @Override
                public boolean isFinished() {
                    return in.available() == 0;
                }

                @Override
                public boolean isReady() {
                    return true;
                }

                @Override
                public void setReadListener(ReadListener listener) {
                    throw new UnsupportedOperationException();
                }

                @Override
                public int read() {
                    return in.read();
                }

                @Override
                public int read(byte[] buffer, int offset, int length) {
                    return in.read(buffer, offset, length);
                }
            };
        }

        @Override
        public java.io.BufferedReader getReader() {
            return new java.io.BufferedReader(new java.io.InputStreamReader(getInputStream(),
                    java.nio.charset.StandardCharsets.UTF_8));
        }
    }
}
