package io.psaremoval.rmm;

import java.util.List;

/**
 * The boundary to the RMM side: tells an RMM integration which of its devices lost their match. The
 * default implementation, {@link OutboxRmmNotifier}, records each notice once in {@code rmm_unmatch_notice};
 * a connector to a real RMM API would deliver from there.
 */
public interface RmmNotifier {

    /**
     * @return true when this call recorded the notice, false when it had been recorded before
     */
    boolean notifyUnmatched(long removalId, long rmmIntegrationId, List<UnmatchedDevice> devices);

    record UnmatchedDevice(long rmmDeviceId, String externalId, String hostname, long formerConfigurationId) {
    }
}
