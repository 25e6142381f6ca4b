package io.psaremoval.audit;

import io.psaremoval.account.AccountGroups;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.impl.identity.Authentication;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/**
 * The auditors' read-only view of every removal, as JSON and CSV. Callers sign in with HTTP Basic
 * (the engine's users, see {@code AuditSecurityConfiguration}) and must belong to the auditors group
 * (or be an engine administrator), or be an auditor of one account, who reads that account's removals only;
 * anyone else gets 403.
 *
 * <ul>
 * <li>{@code GET /api/audit/removals}: every removal, running and finished, newest first</li>
 * <li>{@code GET /api/audit/removals/{id}}: one removal with its rows per kind, preview and timeline</li>
 * <li>{@code GET /api/audit/removals.csv}: the list for export</li>
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

    @GetMapping("/removals")
    List<AuditService.RemovalSummary> removals() {
        return audit.removals(readableAccounts());
    }

    @GetMapping("/removals/{id}")
    AuditService.RemovalAudit removal(@PathVariable long id) {
        Optional<Set<Long>> accounts = readableAccounts();
        return audit.removal(id)
                .filter(found -> accounts.isEmpty() || accounts.get().contains(found.removal().accountId()))
                .orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND, "No removal " + id));
    }

    @GetMapping(value = "/removals.csv", produces = "text/csv")
    ResponseEntity<String> csv() {
        StringBuilder csv = new StringBuilder("id,business_key,account,integration,requested_by,role,mode,status,started_at,"
                + "ended_at,confirmed_by,rows_disconnected,rows_deleted,rmm_devices_unmatched\r\n");
        for (AuditService.RemovalSummary r : audit.removals(readableAccounts())) {
            csv.append(String.join(",", List.of(String.valueOf(r.id()), cell(r.businessKey()), cell(r.accountName()),
                    cell(r.integrationName()), cell(r.requestedBy()), cell(r.requesterRole()), cell(r.mode()),
                    cell(r.status()), cell(r.startedAt()), cell(r.endedAt()), cell(r.confirmedBy()),
                    String.valueOf(r.rowsDisconnected()), String.valueOf(r.rowsDeleted()),
                    String.valueOf(r.rmmDevicesUnmatched())))).append("\r\n");
        }
        return ResponseEntity.ok().contentType(new MediaType("text", "csv"))
                .header("Content-Disposition", "attachment; filename=\"removals.csv\"").body(csv.toString());
    }

    /**
     * Whose removals the caller may read: every account's (empty) for platform auditors and engine administrators,
     * their own account's for an account's auditors; anyone else gets 403.
     */
    private Optional<Set<Long>> readableAccounts() {
        Authentication authentication = identityService.getCurrentAuthentication();
        List<String> groups = authentication == null || authentication.getGroupIds() == null ? List.of()
                : authentication.getGroupIds();
        if (groups.contains(AccountGroups.AUDITORS) || groups.contains(AccountGroups.CAMUNDA_ADMIN)) {
            return Optional.empty();
        }
        Set<Long> accounts = new TreeSet<>();
        groups.forEach(group -> AccountGroups.accountOfAuditors(group).ifPresent(accounts::add));
        if (accounts.isEmpty()) {
            throw new ResponseStatusException(HttpStatus.FORBIDDEN, "Only auditors may read the audit of removals.");
        }
        return Optional.of(accounts);
    }

    /** A CSV cell, quoted when needed; a leading formula character is neutralised for spreadsheets. */
    static String cell(Object value) {
        if (value == null) {
            return "";
        }
        String text = value.toString();
        if (!text.isEmpty() && "=+-@".indexOf(text.charAt(0)) >= 0) {
            text = "'" + text;
        }
        if (text.contains(",") || text.contains("\"") || text.contains("\n") || text.contains("\r")) {
            text = "\"" + text.replace("\"", "\"\"") + "\"";
        }
        return text.toLowerCase(Locale.ROOT).equals("null") ? "" : text;
    }
}
