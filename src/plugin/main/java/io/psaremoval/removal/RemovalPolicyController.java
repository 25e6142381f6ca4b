package io.psaremoval.removal;

import io.psaremoval.security.Notes;
import io.psaremoval.account.Accounts;
import io.psaremoval.security.AccountAdministrators;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/**
 * An account's removal policy, set by an Administrator of the account (or an engine administrator), with HTTP Basic
 * like the rest of {@code /api}:
 * <ul>
 * <li>{@code PUT /api/accounts/{id}/removal-policy} with {@code {"deletionApprovalRequired": true, "note": "..."}}:
 * from then on every hard delete confirmed in the account needs a second Administrator's approval. Switching it off
 * takes two Administrators (the first one's {@code false} waits for another's) and spares no removal confirmed while
 * it was on. {@code {"coolingOffPeriod": "P14D"}} sets how long a hard delete keeps its scope out of sight, cancellable,
 * before its purge (ISO-8601, from PT0S to P90D; the host's {@code psa.removal.cooling-off-period} until set):
 * lengthening it is at once, shortening it takes two Administrators. A deletion keeps the period it was confirmed
 * under. Each change and request is recorded (who, when, the note) for the auditors;</li>
 * <li>{@code GET} of the same: the policy, who set it when, and the size above which any hard delete needs the
 * approval whatever the policy.</li>
 * </ul>
 * An account that does not exist and another account are refused alike (403), so that ids cannot be probed.
 */
@RestController
@RequestMapping("/api/accounts/{id}/removal-policy")
class RemovalPolicyController {

    record PolicyRequest(Boolean deletionApprovalRequired, String coolingOffPeriod, String note) {
    }

    /** The longest cooling-off period an account may set (GitHub keeps a deleted repository 90 days). */
    static final Duration LONGEST_COOLING_OFF = Duration.ofDays(90);

    private final DeletionApprovals approvals;
    private final AccountAdministrators administrators;
    private final RemovalSettings settings;
    private final Accounts accounts;
    private final PlatformData platformData;

    RemovalPolicyController(DeletionApprovals approvals, AccountAdministrators administrators, RemovalSettings settings,
            Accounts accounts, PlatformData platformData) {
        this.platformData = platformData;
        this.accounts = accounts;
        this.approvals = approvals;
        this.administrators = administrators;
        this.settings = settings;
    }

    @GetMapping
    Map<String, Object> policy(@PathVariable long id) {
        requireAdministratorOf(id);
        return view(approvals.policy(id), null);
    }

    @PutMapping
    Map<String, Object> setPolicy(@PathVariable long id, @RequestBody(required = false) PolicyRequest request) {
        String caller = requireAdministratorOf(id);
        if (request == null || (request.deletionApprovalRequired() == null && request.coolingOffPeriod() == null)) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "Say whether a second Administrator must approve"
                    + " every hard delete ({\"deletionApprovalRequired\": true}), or how long a hard delete waits out of"
                    + " sight before its purge ({\"coolingOffPeriod\": \"P7D\"}).");
        }
        Duration coolingOff = request.coolingOffPeriod() == null ? null : coolingOff(request.coolingOffPeriod());
        String note = Notes.orNull(request.note());
        if (note != null && note.length() > 1000) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "The note is at most 1,000 characters long.");
        }
        RemovalPolicy.Change change = request.deletionApprovalRequired() == null ? RemovalPolicy.Change.UNCHANGED
                : approvals.setPolicy(id, request.deletionApprovalRequired(), caller, note);
        RemovalPolicy.Change coolingOffChange = coolingOff == null ? RemovalPolicy.Change.UNCHANGED
                : approvals.setCoolingOff(id, coolingOff, caller, note);
        Map<String, Object> view = view(approvals.policy(id),
                change == RemovalPolicy.Change.CHANGED || coolingOffChange == RemovalPolicy.Change.CHANGED);
        List<String> messages = new java.util.ArrayList<>();
        if (change == RemovalPolicy.Change.OFF_REQUESTED) {
            messages.add("Requested: a second Administrator of the account must ask the same before a hard delete"
                    + " no longer needs a second approval.");
        }
        if (coolingOffChange == RemovalPolicy.Change.SHORTER_REQUESTED) {
            messages.add("Requested: a second Administrator of the account must ask for the same shorter cooling-off"
                    + " period before it applies.");
        }
        if (!messages.isEmpty()) {
            view.put("message", String.join(" ", messages));
        }
        return view;
    }

    private Map<String, Object> view(RemovalPolicy policy, Boolean changed) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("accountId", policy.accountId());
        view.put("deletionApprovalRequired", policy.deletionApprovalRequired());
        view.put("changedBy", policy.changedBy());
        view.put("changedAt", policy.changedAt());
        view.put("offRequestedBy", policy.offRequestedBy());
        view.put("offRequestedAt", policy.offRequestedAt());
        view.put("coolingOffPeriod", RemovalPolicy.iso(policy.coolingOff(settings.coolingOffPeriod())));
        view.put("coolingOffPeriodIsTheHostsDefault", policy.coolingOffSeconds() == null);
        // A platform adapter that cannot take data out of sight purges at once, whatever the period says.
        view.put("coolingOffAppliesOnThisPlatform", platformData.hidesPendingDeletions());
        view.put("shorterCoolingOffRequested", policy.coolingOffRequestedSeconds() == null ? null
                : RemovalPolicy.iso(Duration.ofSeconds(policy.coolingOffRequestedSeconds())));
        view.put("shorterCoolingOffRequestedBy", policy.coolingOffRequestedBy());
        view.put("shorterCoolingOffRequestedAt", policy.coolingOffRequestedAt());
        view.put("approvalAlwaysAboveOrganizations", settings.approvalAboveOrganizations());
        view.put("approvalAlwaysAboveItems", settings.approvalAboveItems());
        if (changed != null) {
            view.put("changed", changed);
        }
        return view;
    }

    private static Duration coolingOff(String text) {
        Duration period;
        try {
            period = Duration.parse(text.strip());
        } catch (java.time.format.DateTimeParseException e) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "The cooling-off period is an ISO-8601 duration such"
                    + " as P7D or PT12H, not '" + text + "'.");
        }
        if (period.isNegative() || period.compareTo(LONGEST_COOLING_OFF) > 0 || period.getNano() != 0) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "The cooling-off period is from PT0S (purged at"
                    + " once) to P90D in whole seconds, not " + period + ".");
        }
        return period;
    }

    /** @return the caller, an active Administrator of the account or an engine administrator */
    private String requireAdministratorOf(long accountId) {
        return administrators.require(accounts.findName(accountId).map(name -> accountId), "No account " + accountId,
                new AccountAdministrators.Refusal("Only an Administrator of the account sets its removal policy.",
                        "REMOVAL_POLICY_REFUSED", "account " + accountId));
    }
}
