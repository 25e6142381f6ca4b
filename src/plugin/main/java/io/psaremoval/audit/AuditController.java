package io.psaremoval.audit;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.psaremoval.account.AccountGroups;
import io.psaremoval.removal.RemovalMode;
import io.psaremoval.removal.RemovalStatus;
import io.psaremoval.security.AccountAdministrators;
import jakarta.servlet.http.HttpServletResponse;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.impl.identity.Authentication;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/**
 * The auditors' read-only view of every removal, as JSON and CSV. Callers sign in with HTTP Basic
 * (the engine's users, see {@code AuditSecurityConfiguration}) and must belong to the auditors group
 * (or be an engine administrator), or be an auditor or an Administrator of one account, who reads that account's
 * removals only; anyone else gets 403.
 *
 * <ul>
 * <li>{@code GET /api/audit/removals}: removals, running and finished, newest first, a page at a time, narrowed by
 * account, period, outcome, mode and requester</li>
 * <li>{@code GET /api/audit/removals/{id}}: one removal with its rows per kind, preview and timeline</li>
 * <li>{@code GET /api/audit/removals.csv}: every removal that matches the same criteria, streamed</li>
 * </ul>
 */
@RestController
@RequestMapping("/api/audit")
class AuditController {

    private final AuditService audit;
    private final IdentityService identityService;

    AuditController(AuditService audit, IdentityService identityService) {
        this.audit = audit;
        this.identityService = identityService;
    }

    /**
     * The removals that match, newest first, a page at a time ({@code page} from 0, {@code size} up to 500, 50 by
     * default); the header {@code X-Total-Count} says how many match in all.
     */
    @GetMapping("/removals")
    ResponseEntity<List<AuditService.RemovalSummary>> removals(@RequestParam Map<String, String> query) {
        AuditService.Criteria criteria = criteria(query);
        int size = number(query, "size", 50, 1, MAX_PAGE_SIZE);
        int page = number(query, "page", 0, 0, Integer.MAX_VALUE);
        AuditService.Page found = audit.removals(criteria, (long) page * size, size);
        return ResponseEntity.ok().header("X-Total-Count", String.valueOf(found.total())).body(found.removals());
    }

    @GetMapping("/removals/{id}")
    AuditService.RemovalAudit removal(@PathVariable long id) {
        return audit.removal(id, readableAccounts())
                .orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND, "No removal " + id));
    }

    /** Every removal that matches (the same criteria as the list, no pages), written out as it is read. */
    @GetMapping(value = "/removals.csv", produces = "text/csv")
    void csv(@RequestParam Map<String, String> query, HttpServletResponse response) throws IOException {
        AuditService.Criteria criteria = criteria(query);
        response.setContentType("text/csv;charset=UTF-8");
        response.setHeader("Content-Disposition", "attachment; filename=\"removals.csv\"");
        Writer out = new BufferedWriter(new OutputStreamWriter(response.getOutputStream(), StandardCharsets.UTF_8));
        out.write("id,business_key,account,integration,requested_by,role,mode,status,started_at,"
                + "ended_at,confirmed_by,rows_disconnected,rows_deleted,rmm_devices_unmatched\r\n");
        try {
            audit.forEachRemoval(criteria, r -> {
                try {
                    out.write(String.join(",", List.of(String.valueOf(r.id()), cell(r.businessKey()), cell(r.accountName()),
                            cell(r.integrationName()), cell(r.requestedBy()), cell(r.requesterRole()), cell(r.mode()),
                            cell(r.status()), cell(r.startedAt()), cell(r.endedAt()), cell(r.confirmedBy()),
                            String.valueOf(r.rowsDisconnected()), String.valueOf(r.rowsDeleted()),
                            String.valueOf(r.rmmDevicesUnmatched()))) + "\r\n");
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        out.flush();
    }

    private static final int MAX_PAGE_SIZE = 500;
    private static final Set<String> CRITERIA = Set.of("account", "from", "before", "status", "mode", "requestedBy",
            "page", "size");

    /** The criteria of a query, each checked: an unknown name or a value that cannot be is a 400 saying which. */
    private AuditService.Criteria criteria(Map<String, String> query) {
        Optional<Set<Long>> readable = readableAccounts();
        for (String name : query.keySet()) {
            if (!CRITERIA.contains(name)) {
                throw badRequest("Unknown criterion '" + name + "'; the list takes " + new TreeSet<>(CRITERIA) + ".");
            }
        }
        Long account = query.containsKey("account") ? (long) number(query, "account", 0, 1, Integer.MAX_VALUE) : null;
        String status = query.get("status");
        if (status != null && Arrays.stream(RemovalStatus.values()).noneMatch(value -> value.name().equals(status))) {
            throw badRequest("status must be one of " + Arrays.toString(RemovalStatus.values()) + ".");
        }
        String mode = query.get("mode");
        if (mode != null && Arrays.stream(RemovalMode.values()).noneMatch(value -> value.name().equals(mode))) {
            throw badRequest("mode must be one of " + Arrays.toString(RemovalMode.values()) + ".");
        }
        return new AuditService.Criteria(readable, account, moment(query, "from"), moment(query, "before"),
                status, mode, query.get("requestedBy"));
    }

    private static int number(Map<String, String> query, String name, int otherwise, int min, int max) {
        String value = query.get(name);
        if (value == null) {
            return otherwise;
        }
        try {
            int number = Integer.parseInt(value);
            if (number >= min && number <= max) {
                return number;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw badRequest(name + " must be a whole number from " + min + " to " + max + ".");
    }

    /** A day (2026-11-01, from its start in UTC) or a moment with its offset (2026-11-01T08:00:00+01:00). */
    private static OffsetDateTime moment(Map<String, String> query, String name) {
        String value = query.get(name);
        if (value == null) {
            return null;
        }
        try {
            return value.contains("T") ? OffsetDateTime.parse(value)
                    : LocalDate.parse(value).atStartOfDay().atOffset(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            throw badRequest(name + " must be a day (2026-11-01) or a moment with its offset (2026-11-01T08:00:00Z).");
        }
    }

    private static ResponseStatusException badRequest(String message) {
        return new ResponseStatusException(HttpStatus.BAD_REQUEST, message);
    }

    /**
     * A refusal as JSON with its sentence, whatever the caller accepts (the CSV's caller too), and whatever the host's
     * {@code server.error} settings.
     */
    @ExceptionHandler(ResponseStatusException.class)
    void refused(ResponseStatusException refusal, HttpServletResponse response) throws IOException {
        response.setStatus(refusal.getStatusCode().value());
        response.setContentType(MediaType.APPLICATION_JSON_VALUE);
        response.setCharacterEncoding(StandardCharsets.UTF_8.name());
        JSON.writeValue(response.getOutputStream(), Map.of("status", refusal.getStatusCode().value(),
                "message", refusal.getReason() == null ? "" : refusal.getReason()));
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Whose removals the caller may read: every account's (empty) for platform auditors and engine administrators,
     * their own account's for an account's auditors and Administrators; anyone else gets 403.
     */
    private Optional<Set<Long>> readableAccounts() {
        Authentication authentication = identityService.getCurrentAuthentication();
        List<String> groups = AccountAdministrators.groupsOf(authentication);
        if (groups.contains(AccountGroups.AUDITORS) || groups.contains(AccountGroups.CAMUNDA_ADMIN)) {
            return Optional.empty();
        }
        Set<Long> accounts = new TreeSet<>();
        groups.forEach(group -> AccountGroups.accountReadableInTheAudit(group).ifPresent(accounts::add));
        if (accounts.isEmpty()) {
            throw new ResponseStatusException(HttpStatus.FORBIDDEN,
                    "Only auditors and an account's Administrators may read the audit of removals.");
        }
        return Optional.of(accounts);
    }

    /**
     * A CSV cell, quoted when needed; a leading formula character (OWASP's list: = + - @, tab and carriage return, which
     * a spreadsheet may strip before it reads a formula) is neutralised. A name that reads "null" stays a name.
     */
    static String cell(Object value) {
        if (value == null) {
            return "";
        }
        String text = value.toString();
        if (!text.isEmpty() && "=+-@\t\r".indexOf(text.charAt(0)) >= 0) {
            text = "'" + text;
        }
        if (text.contains(",") || text.contains("\"") || text.contains("\n") || text.contains("\r")) {
            text = "\"" + text.replace("\"", "\"\"") + "\"";
        }
        return text;
    }
}
