package io.psaremoval.rmm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * An account's Administrator chooses the webhook's URL; by default this application calls public https addresses
 * only. IP literals keep the test off DNS.
 */
class RmmEndpointPolicyTest {

    private final RmmEndpointPolicy production = new RmmEndpointPolicy(true, false);

    @Test
    void aPublicHttpsAddressIsCalled() {
        assertThat(production.check("https://93.184.216.34/hooks/psa").getHost()).isEqualTo("93.184.216.34");
        assertThat(production.check("https://[2606:2800:220:1:248:1893:25c8:1946]:8443/hook").getPort()).isEqualTo(8443);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "https://127.0.0.1/hook", "https://localhost/hook", "https://[::1]/hook", "https://0.0.0.0/hook",
            "https://10.1.2.3/hook", "https://172.16.0.9/hook", "https://192.168.1.1/hook",
            "https://169.254.169.254/latest/meta-data/", "https://100.64.0.1/hook", "https://[fd00::1]/hook",
            "https://[fe80::1]/hook", "https://[::ffff:127.0.0.1]/hook", "https://224.0.0.1/hook",
            "https://255.255.255.255/hook",
            // IPv6 addresses that carry a private IPv4 address, or lead to a network of their own
            "https://[::7f00:1]/hook", "https://[64:ff9b::a00:1]/hook", "https://[64:ff9b::a9fe:a9fe]/latest/",
            "https://[2002:a00:1::1]/hook", "https://[2002:7f00:1::]/hook", "https://[64:ff9b:1::a00:1]/hook",
            "https://[2001:db8::1]/hook", "https://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/hook",
            "https://[::ffff:0:a00:1]/hook", "https://[2001:2::1]/hook", "https://[2001:10::1]/hook", "https://[100::1]/hook",
            // a name that does not resolve gets the same answer as one that resolves to a private address
            "https://no-such-host.invalid/hook"})
    void anAddressOfAPrivateOrLocalNetworkIsRefused(String url) {
        assertThatThrownBy(() -> production.check(url)).isInstanceOf(RmmEndpointPolicy.RefusedEndpointException.class)
                .hasMessageContaining("does not resolve to public addresses only: no address of a private or local network");
    }

    @Test
    void anIpv6AddressThatCarriesAPublicIpv4AddressIsCalled() {
        assertThat(production.check("https://[64:ff9b::5db8:d822]/hook").getHost()).as("NAT64 of 93.184.216.34")
                .isEqualTo("[64:ff9b::5db8:d822]");
        assertThat(production.check("https://[2002:5db8:d822::1]/hook").getHost()).as("6to4 of 93.184.216.34")
                .isEqualTo("[2002:5db8:d822::1]");
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://93.184.216.34/hook", "ftp://93.184.216.34/hook", "file:///etc/passwd",
            "https://user:pw@93.184.216.34/hook", "https:///no-host", "not a url", "https://93.184.216.34/a|b", ""})
    void anythingButAPlainHttpsUrlIsRefused(String url) {
        assertThatThrownBy(() -> production.check(url)).isInstanceOf(RmmEndpointPolicy.RefusedEndpointException.class);
    }

    @Test
    void aDemoMayCallAReceiverOnThisMachine() {
        RmmEndpointPolicy demo = new RmmEndpointPolicy(false, true);
        assertThat(demo.check("http://localhost:9999/hook").getPort()).isEqualTo(9999);
        assertThatThrownBy(() -> demo.check("ftp://localhost/hook"))
                .isInstanceOf(RmmEndpointPolicy.RefusedEndpointException.class);
    }
}
