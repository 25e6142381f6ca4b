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
            // One answer whether the host does not resolve or resolves to a private address: the policy is no way to
            // learn which names the application's own network knows.
            RefusedEndpointException notPublic = new RefusedEndpointException("The endpoint's host " + uri.getHost()
                    + " does not resolve to public addresses only: no address of a private or local network is called.");
            InetAddress[] addresses;
            try {
                addresses = InetAddress.getAllByName(uri.getHost());
            } catch (UnknownHostException e) {
                throw notPublic;
            }
            for (InetAddress address : addresses) {
                if (!isPublic(address)) {
                    throw notPublic;
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
        // IPv6: unique-local fc00::/7, documentation 2001:db8::/32, IETF protocol assignments 2001::/23 (Teredo
        // 2001::/32 among them), discard-only 100::/64 and local-use NAT64 64:ff9b:1::/48 are not called; an address
        // that carries an IPv4 address (IPv4-mapped ::ffff:a.b.c.d, IPv4-translated ::ffff:0:a.b.c.d, IPv4-compatible
        // ::a.b.c.d, NAT64 64:ff9b::a.b.c.d, 6to4 2002:aabb:ccdd::) is judged as that IPv4 address, which a gateway
        // may reach on its behalf.
        int first16 = ((bytes[0] & 0xff) << 8) | (bytes[1] & 0xff);
        int second16 = ((bytes[2] & 0xff) << 8) | (bytes[3] & 0xff);
        boolean discardOnly = first16 == 0x0100 && second16 == 0 && bytes[4] == 0 && bytes[5] == 0 && bytes[6] == 0
                && bytes[7] == 0; // 100::/64
        if ((bytes[0] & 0xfe) == 0xfc || (first16 == 0x2001 && (second16 == 0x0db8 || second16 < 0x0200)) || discardOnly
                || (first16 == 0x64 && second16 == 0xff9b && bytes[4] == 0 && bytes[5] == 1)) {
            return false; // unique-local, documentation, IETF protocol assignments 2001::/23 (Teredo among them)
        }
        boolean zeroes = true;
        for (int i = 0; i < 10; i++) {
            zeroes &= bytes[i] == 0;
        }
        boolean mapped = zeroes && (bytes[10] & 0xff) == 0xff && (bytes[11] & 0xff) == 0xff;
        boolean translated = true; // IPv4-translated ::ffff:0:a.b.c.d
        for (int i = 0; i < 8; i++) {
            translated &= bytes[i] == 0;
        }
        translated &= (bytes[8] & 0xff) == 0xff && (bytes[9] & 0xff) == 0xff && bytes[10] == 0 && bytes[11] == 0;
        boolean compatible = zeroes && bytes[10] == 0 && bytes[11] == 0;
        boolean nat64 = first16 == 0x64 && second16 == 0xff9b;
        for (int i = 4; nat64 && i < 12; i++) {
            nat64 = bytes[i] == 0;
        }
        if (mapped || compatible || nat64 || translated) {
            return isPublicIpv4(bytes[12], bytes[13], bytes[14], bytes[15]);
        }
        if (first16 == 0x2002) { // 6to4
            return isPublicIpv4(bytes[2], bytes[3], bytes[4], bytes[5]);
        }
        return true;
    }

    private static boolean isPublicIpv4(byte a, byte b, byte c, byte d) {
        try {
            return isPublic(InetAddress.getByAddress(new byte[] {a, b, c, d}));
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
