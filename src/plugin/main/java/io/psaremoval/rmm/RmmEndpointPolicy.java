package io.psaremoval.rmm;

import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Locale;

/**
 * Which webhook addresses an account's Administrator may make this application call. The URL is theirs to choose, so
 * by default it must be {@code https}, name a host that resolves to public addresses only (no loopback, private,
 * link-local, carrier-grade NAT, unique-local, multicast or unspecified address: the application's own network is not
 * theirs to reach) and carry no credentials. Checked when the endpoint is set and again before every delivery (a name
 * that resolved to a public address then may resolve to another now). {@code psa.rmm.require-https=false} and
 * {@code psa.rmm.allow-private-addresses=true} loosen it for a demo or a test receiver on the same machine.
 */
public class RmmEndpointPolicy {

    static final int MAX_URL_LENGTH = 2000;

    private final boolean requireHttps;
    private final boolean allowPrivateAddresses;

    public RmmEndpointPolicy(boolean requireHttps, boolean allowPrivateAddresses) {
        this.requireHttps = requireHttps;
        this.allowPrivateAddresses = allowPrivateAddresses;
    }

    /** Refused endpoints, with the reason in words an Administrator understands. */
    public static class RefusedEndpointException extends RuntimeException {
        RefusedEndpointException(String message) {
            super(message);
        }
    }

    /** @return the URL as a URI, if this application may call it now */
    public URI check(String url) {
        if (url == null || url.isBlank() || url.length() > MAX_URL_LENGTH) {
            throw new RefusedEndpointException("The endpoint needs a URL of at most " + MAX_URL_LENGTH + " characters.");
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new RefusedEndpointException("The endpoint's URL is not valid: " + e.getReason() + ".");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !(scheme.equals("http") && !requireHttps)) {
            throw new RefusedEndpointException(requireHttps ? "The endpoint must be an https URL."
                    : "The endpoint must be an http or https URL.");
        }
        if (uri.getHost() == null || uri.getRawUserInfo() != null || uri.getRawFragment() != null) {
            throw new RefusedEndpointException("The endpoint's URL needs a host, and no user name, password or fragment.");
        }
        if (!allowPrivateAddresses) {
            InetAddress[] addresses;
            try {
                addresses = InetAddress.getAllByName(uri.getHost());
            } catch (UnknownHostException e) {
                throw new RefusedEndpointException("The endpoint's host " + uri.getHost() + " does not resolve.");
            }
            for (InetAddress address : addresses) {
                if (!isPublic(address)) {
                    throw new RefusedEndpointException("The endpoint's host " + uri.getHost()
                            + " resolves to an address of a private or local network; only public addresses are called.");
                }
            }
        }
        return uri;
    }

    static boolean isPublic(InetAddress address) {
        if (address.isAnyLocalAddress() || address.isLoopbackAddress() || address.isLinkLocalAddress()
                || address.isSiteLocalAddress() || address.isMulticastAddress()) {
            return false;
        }
        byte[] bytes = address.getAddress();
        if (bytes.length == 4) {
            int first = bytes[0] & 0xff;
            int second = bytes[1] & 0xff;
            return first != 0 // "this network"
                    && !(first == 100 && second >= 64 && second <= 127) // carrier-grade NAT 100.64.0.0/10
                    && !(first == 192 && second == 0 && (bytes[2] & 0xff) == 0) // IETF protocol assignments
                    && !(first == 198 && (second == 18 || second == 19)) // benchmarking 198.18.0.0/15
                    && first < 240; // reserved and broadcast
        }
        // IPv6: unique-local fc00::/7; an IPv4-mapped address is judged as its IPv4 address
        if ((bytes[0] & 0xfe) == 0xfc) {
            return false;
        }
        boolean mapped = true;
        for (int i = 0; i < 10; i++) {
            mapped &= bytes[i] == 0;
        }
        if (mapped && (bytes[10] & 0xff) == 0xff && (bytes[11] & 0xff) == 0xff) {
            try {
                return isPublic(InetAddress.getByAddress(new byte[] {bytes[12], bytes[13], bytes[14], bytes[15]}));
            } catch (UnknownHostException e) {
                return false;
            }
        }
        return true;
    }
}
