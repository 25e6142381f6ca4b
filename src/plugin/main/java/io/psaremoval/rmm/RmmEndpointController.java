package io.psaremoval.rmm;

import io.psaremoval.integration.Integration;
import io.psaremoval.integration.Integrations;
import io.psaremoval.security.AccountAdministrators;
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
 * Where an RMM integration is told about unmatched devices, set by an Administrator of its account (or an engine
 * administrator), with HTTP Basic like the rest of {@code /api}:
 * <ul>
 * <li>{@code PUT /api/rmm-integrations/{id}/endpoint} with {@code {"url": "https://...", "secret": "..."}}
 * (the secret, 16 to 200 characters, signs every notice; the URL must pass the {@link RmmEndpointPolicy}). Notices
 * recorded while the integration had no endpoint are delivered right then; the answer says how many;</li>
 * <li>{@code GET} of the same: the URL and whether a secret is set (never the secret).</li>
 * </ul>
 * An RMM integration that does not exist and one of another account are refused alike (403), so that ids of other
 * accounts can not be probed.
 */
@RestController
@RequestMapping("/api/rmm-integrations/{id}/endpoint")
class RmmEndpointController {

    record EndpointRequest(String url, String secret) {
    }

    private final RmmEndpoints endpoints;
    private final Integrations integrations;
    private final AccountAdministrators administrators;
    private final RmmEndpointPolicy policy;
    private final RmmDeliveryService delivery;

    RmmEndpointController(RmmEndpoints endpoints, Integrations integrations, AccountAdministrators administrators,
            RmmEndpointPolicy policy, RmmDeliveryService delivery) {
        this.policy = policy;
        this.delivery = delivery;
        this.endpoints = endpoints;
        this.integrations = integrations;
        this.administrators = administrators;
    }

    @GetMapping
    Map<String, Object> endpoint(@PathVariable long id) {
        requireAdministratorOf(id);
        RmmEndpoint endpoint = endpoints.find(id).orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND,
                "RMM integration " + id + " has no endpoint yet."));
        return Map.of("rmmIntegrationId", id, "url", endpoint.url(), "secretSet", true);
    }

    @PutMapping
    Map<String, Object> setEndpoint(@PathVariable long id, @RequestBody EndpointRequest request) {
        String caller = requireAdministratorOf(id);
        if (request == null) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "The endpoint needs a url and a secret.");
        }
        try {
            policy.check(request.url());
        } catch (RmmEndpointPolicy.RefusedEndpointException refused) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST, refused.getMessage());
        }
        if (request.secret() == null || request.secret().length() < 16 || request.secret().length() > 200) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "The secret must be 16 to 200 characters long.");
        }
        endpoints.save(new RmmEndpoint(id, request.url(), request.secret()), caller);
        RmmDeliveryService.Outcome awaiting = delivery.deliverAwaitingEndpoint(id);
        return Map.of("rmmIntegrationId", id, "url", request.url(), "secretSet", true,
                "awaitingNoticesDelivered", awaiting.delivered(), "awaitingNoticesNotDelivered", awaiting.notDelivered());
    }

    /** @return the caller, an active Administrator of the RMM integration's account or an engine administrator */
    private String requireAdministratorOf(long rmmIntegrationId) {
        return administrators.require(integrations.findById(rmmIntegrationId).filter(found -> !found.isPsa())
                        .map(Integration::accountId), "No RMM integration " + rmmIntegrationId,
                new AccountAdministrators.Refusal("Only an Administrator of the RMM integration's account sets where it is told.",
                        "RMM_ENDPOINT_REFUSED", "integration " + rmmIntegrationId));
    }
}
