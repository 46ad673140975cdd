package io.virtualip.agent.vrrp;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Seeded random inputs: configurations round-trip, garbage and bit flips never throw and never
 * pass.
 */
class CodecFuzzTest {
  private static final long SEED = 0x5eed_1234L;

  static InetAddress randomAddress(Random r, AddressFamily family, int index) throws Exception {
    byte[] raw = new byte[family.addressLength()];
    if (family == AddressFamily.IPV4) {
      raw[0] = (byte) 203;
      raw[1] = 0;
      raw[2] = 113;
      raw[3] = (byte) (index + 1);
    } else {
      raw[0] = 0x20;
      raw[1] = 0x01;
      raw[2] = 0x0d;
      raw[3] = (byte) 0xb8;
      r.nextBytes(raw);
      raw[0] = 0x20;
      raw[1] = 0x01;
      raw[2] = 0x0d;
      raw[3] = (byte) 0xb8;
      raw[15] = (byte) index;
      raw[14] = (byte) (index >>> 8);
    }
    return InetAddress.getByAddress(raw);
  }

  static InstanceConfig randomConfig(Random r, String primary) throws Exception {
    boolean v2 = r.nextBoolean();
    AddressFamily family = v2 || r.nextBoolean() ? AddressFamily.IPV4 : AddressFamily.IPV6;
    InetAddress me =
        InetAddress.getByName(
            family == AddressFamily.IPV4 ? "192.0.2." + primary : "fe80::" + primary);
    int count = 1 + r.nextInt(family == AddressFamily.IPV4 ? 20 : 8);
    List<InetAddress> vips = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      vips.add(randomAddress(r, family, i));
    }
    InstanceConfig.Builder b =
        InstanceConfig.builder(1 + r.nextInt(255), me, vips.toArray(new InetAddress[0]))
            .priority(1 + r.nextInt(254));
    if (v2) {
      b.version(VrrpVersion.V2).advertIntervalCentis(100 * (1 + r.nextInt(255)));
      if (r.nextBoolean()) {
        b.authentication(Authentication.simplePassword("pw" + r.nextInt(1000)));
      }
    } else {
      b.advertIntervalCentis(1 + r.nextInt(4095));
    }
    return b.build();
  }

  /** The same virtual router seen from a peer with another primary address. */
  static InstanceConfig peerOf(InstanceConfig c) throws Exception {
    InetAddress other =
        InetAddress.getByName(c.family() == AddressFamily.IPV4 ? "192.0.2.200" : "fe80::200");
    return InstanceConfig.builder(c.vrid(), other, c.virtualAddresses().toArray(new InetAddress[0]))
        .version(c.version())
        .advertIntervalCentis(c.advertIntervalCentis())
        .authentication(c.authentication())
        .build();
  }

  @Test
  void randomConfigurationsRoundTrip() throws Exception {
    Random r = new Random(SEED);
    ReceivedAdvertisement rx = new ReceivedAdvertisement();
    for (int n = 0; n < 2000; n++) {
      InstanceConfig c = randomConfig(r, "1");
      AdvertisementEncoder enc = new AdvertisementEncoder(c);
      ByteBuffer buf = ByteBuffer.allocate(enc.messageLength());
      int priority = r.nextInt(256);
      enc.encode(priority, 0, buf);
      rx.wrapPayload(
          buf,
          0,
          buf.limit(),
          c.family(),
          c.primaryAddress().getAddress(),
          enc.destination(0),
          255);
      InstanceConfig peer = peerOf(c);
      assertThat(new AdvertisementValidator(peer).check(rx))
          .as(c.toString())
          .isEqualTo(Verdict.ACCEPTED);
      assertThat(rx.vrid()).isEqualTo(c.vrid());
      assertThat(rx.priority()).isEqualTo(priority);
      assertThat(rx.intervalCentis()).isEqualTo(c.advertIntervalCentis());
      assertThat(rx.addressCount()).isEqualTo(c.virtualAddresses().size());
      for (int i = 0; i < rx.addressCount(); i++) {
        assertThat(rx.virtualAddress(i)).isEqualTo(c.virtualAddresses().get(i));
      }
    }
  }

  @Test
  void singleBitFlipsInTheMessageAreNeverAccepted() throws Exception {
    Random r = new Random(SEED + 1);
    ReceivedAdvertisement rx = new ReceivedAdvertisement();
    Map<Verdict, Integer> seen = new EnumMap<>(Verdict.class);
    for (int n = 0; n < 300; n++) {
      InstanceConfig c = randomConfig(r, "1");
      AdvertisementValidator peer = new AdvertisementValidator(peerOf(c));
      AdvertisementEncoder enc = new AdvertisementEncoder(c);
      ByteBuffer buf = ByteBuffer.allocate(enc.messageLength());
      enc.encode(1 + r.nextInt(254), 0, buf);
      for (int bit = 0; bit < buf.limit() * 8; bit++) {
        buf.put(bit / 8, (byte) (buf.get(bit / 8) ^ (1 << (bit % 8))));
        rx.wrapPayload(
            buf,
            0,
            buf.limit(),
            c.family(),
            c.primaryAddress().getAddress(),
            enc.destination(0),
            255);
        Verdict v = peer.check(rx);
        assertThat(v.accepted()).as("bit %d of %s", bit, c).isFalse();
        seen.merge(v, 1, Integer::sum);
        buf.put(bit / 8, (byte) (buf.get(bit / 8) ^ (1 << (bit % 8))));
      }
    }
    assertThat(seen)
        .containsKeys(
            Verdict.BAD_VERSION,
            Verdict.BAD_TYPE,
            Verdict.VRID_MISMATCH,
            Verdict.LENGTH_MISMATCH,
            Verdict.BAD_CHECKSUM);
  }

  @Test
  void garbageNeverThrowsAndAlwaysGetsAReason() throws Exception {
    Random r = new Random(SEED + 2);
    ReceivedAdvertisement rx = new ReceivedAdvertisement();
    InstanceConfig[] configs = {randomConfig(r, "1"), randomConfig(r, "2"), randomConfig(r, "3")};
    Map<Verdict, Integer> seen = new EnumMap<>(Verdict.class);
    byte[] bytes = new byte[200];
    for (int n = 0; n < 200_000; n++) {
      int length = r.nextInt(bytes.length + 1);
      r.nextBytes(bytes);
      if (r.nextInt(4) == 0) {
        bytes[0] =
            (byte)
                (r.nextBoolean() ? 0x31 : 0x21); // plausible version/type, to reach deeper checks
        bytes[1] = (byte) configs[n % 3].vrid();
      }
      InstanceConfig c = configs[n % 3];
      AdvertisementValidator validator = new AdvertisementValidator(c);
      Verdict v;
      if (c.family() == AddressFamily.IPV4 && r.nextBoolean()) {
        if (length > 0) {
          bytes[0] = (byte) (0x40 | (bytes[0] & 0x0f));
        }
        v = rx.wrapIpv4Packet(ByteBuffer.wrap(bytes), 0, length);
        if (v.accepted()) {
          v = validator.check(rx);
        }
      } else {
        v =
            validator.check(
                rx.wrapPayload(
                    ByteBuffer.wrap(bytes),
                    0,
                    length,
                    c.family(),
                    new byte[16],
                    c.family().multicastGroup(),
                    r.nextBoolean() ? 255 : r.nextInt(256)));
      }
      assertThat(v).isNotNull();
      seen.merge(v, 1, Integer::sum);
    }
    assertThat(seen.keySet()).allMatch(v -> !v.accepted());
    assertThat(seen)
        .containsKeys(
            Verdict.TOO_SHORT,
            Verdict.BAD_IP_HEADER,
            Verdict.NOT_VRRP,
            Verdict.BAD_TTL,
            Verdict.BAD_VERSION,
            Verdict.VRID_MISMATCH,
            Verdict.BAD_CHECKSUM);
  }
}
