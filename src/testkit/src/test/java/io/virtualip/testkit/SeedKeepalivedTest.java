package io.virtualip.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SeedKeepalivedTest {

  /** The file says what the constants say, so tests using either run the same instance. */
  @Test
  void theConfigurationIsTheSeedsInstance() {
    String conf = SeedKeepalived.conf("veth0", SeedKeepalived.BACKUP_PRIORITY);
    assertThat(conf)
        .doesNotContain("${")
        .contains(
            "interface veth0\n",
            "priority 100\n",
            "version " + SeedKeepalived.VERSION + "\n",
            "virtual_router_id " + SeedKeepalived.VRID + "\n",
            "advert_int " + SeedKeepalived.ADVERT_INTERVAL.toSeconds() + "\n",
            "auth_pass " + SeedKeepalived.PASSWORD + "\n",
            "        " + SeedKeepalived.ADDRESS + "\n");
  }
}
