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

    /**
     * Tells the RMM integration that its devices are matched again to the configurations a restore recreated (of the
     * removal whose delete unmatched them).
     *
     * A notifier of a host that predates restores tells nothing of them (the restore still records the devices in its
     * audit); the default {@link OutboxRmmNotifier} records the notice and the process delivers it.
     *
     * @return true when this call recorded the notice, false when it had been recorded before or is not told
     */
    default boolean notifyRematched(long removalId, long rmmIntegrationId, List<RematchedDevice> devices) {
        org.slf4j.LoggerFactory.getLogger(RmmNotifier.class).warn("{} tells the RMM nothing of devices matched again by a"
                + " restore ({} devices of RMM integration {}, removal {})", getClass().getName(), devices.size(),
                rmmIntegrationId, removalId);
        return false;
    }

    record RematchedDevice(long rmmDeviceId, String externalId, String hostname, long configurationId) {
    }
}
