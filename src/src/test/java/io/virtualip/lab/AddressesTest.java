package io.virtualip.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class AddressesTest {

  @Test
  void printsIpv6AsIproute2Does() {
    assertThat(Addresses.text(Addresses.ipv6("2001:db8:0:0:0:0:0:11"))).isEqualTo("2001:db8::11");
    assertThat(Addresses.text(Addresses.ipv6("fe80::ff:fe00:a"))).isEqualTo("fe80::ff:fe00:a");
    assertThat(Addresses.text(Addresses.ipv6("2001:db8:0:1:0:0:0:1"))).isEqualTo("2001:db8:0:1::1");
    assertThat(Addresses.text(Addresses.ipv6("2001:db8:0:0:1:0:0:1")))
        .isEqualTo("2001:db8::1:0:0:1");
    assertThat(Addresses.text(Addresses.ipv6("::"))).isEqualTo("::");
    assertThat(Addresses.text(Addresses.ipv6("ff02::12"))).isEqualTo("ff02::12");
    assertThat(Addresses.text(Addresses.ipv4("192.0.2.100"))).isEqualTo("192.0.2.100");
  }

  @Test
  void refusesHostNames() {
    assertThatThrownBy(() -> Addresses.parse("example.org"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Addresses.ipv4("2001:db8::1"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
