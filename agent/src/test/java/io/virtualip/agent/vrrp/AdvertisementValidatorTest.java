package io.virtualip.agent.vrrp;

import static io.virtualip.agent.Literals.ip;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** One test per verdict: a valid advert, changed in exactly the way that check must catch. */
class AdvertisementValidatorTest {
  static final byte[] GROUP4 = AddressFamily.IPV4.multicastGroup();

  static final InstanceConfig V3 =
      InstanceConfig.builder(7, ip("192.0.2.11"), ip("203.0.113.10")).build();
  static final InstanceConfig V3_RECEIVER =
      InstanceConfig.builder(7, ip("192.0.2.12"), ip("203.0.113.10")).build();
  static final InstanceConfig V2 =
      V3.toBuilder()
          .version(VrrpVersion.V2)
          .authentication(Authentication.simplePassword("s3cret"))
          .build();
  static final InstanceConfig V2_RECEIVER =
      V3_RECEIVER.toBuilder()
          .version(VrrpVersion.V2)
          .authentication(Authentication.simplePassword("s3cret"))
          .build();

  /**
   * Encodes {@code sender}'s advert, applies {@code edit} to the VRRP bytes, optionally
   * re-checksums.
   */
  static Verdict receive(
      InstanceConfig sender,
      InstanceConfig receiver,
      int priority,
      int ttl,
      boolean fixChecksum,
      Consumer<ByteBuffer> edit) {
    AdvertisementEncoder encoder = new AdvertisementEncoder(sender);
    ByteBuffer buf = ByteBuffer.allocate(encoder.messageLength());
    encoder.encode(priority, 0, buf);
    edit.accept(buf);
    byte[] src = sender.primaryAddress().getAddress();
    byte[] dst = encoder.destination(0);
    if (fixChecksum) {
      buf.putShort(AdvertisementFormat.OFF_CHECKSUM, (short) 0);
      int sum =
          AdvertisementFormat.sum(sender.version(), sender.family(), buf, 0, buf.limit(), src, dst);
      buf.putShort(AdvertisementFormat.OFF_CHECKSUM, (short) InternetChecksum.finish(sum));
    }
    ReceivedAdvertisement rx =
        new ReceivedAdvertisement()
            .wrapPayload(buf, 0, buf.limit(), sender.family(), src, dst, ttl);
    return new AdvertisementValidator(receiver).check(rx);
  }

  static Verdict receive(
      InstanceConfig sender, InstanceConfig receiver, Consumer<ByteBuffer> edit) {
    return receive(sender, receiver, 100, 255, true, edit);
  }

  static final Consumer<ByteBuffer> NOTHING = b -> {};

  @Test
  void validAdvertsAreAcceptedForEveryVersionAndFamily() {
    assertThat(receive(V3, V3_RECEIVER, NOTHING)).isEqualTo(Verdict.ACCEPTED);
    assertThat(receive(V2, V2_RECEIVER, NOTHING)).isEqualTo(Verdict.ACCEPTED);
    InstanceConfig six =
        InstanceConfig.builder(9, ip("fe80::11"), ip("2001:db8::10"), ip("2001:db8::11")).build();
    InstanceConfig sixRx =
        InstanceConfig.builder(9, ip("fe80::12"), ip("2001:db8::11"), ip("2001:db8::10")).build();
    assertThat(receive(six, sixRx, NOTHING)).isEqualTo(Verdict.ACCEPTED);
  }

  @Test
  void tooShortWhenLessThanTheFixedHeader() {
    ReceivedAdvertisement rx =
        new ReceivedAdvertisement()
            .wrapPayload(
                ByteBuffer.allocate(7), 0, 7, AddressFamily.IPV4, new byte[4], GROUP4, 255);
    assertThat(new AdvertisementValidator(V3_RECEIVER).check(rx)).isEqualTo(Verdict.TOO_SHORT);
    rx.wrapPayload(ByteBuffer.allocate(1), 0, 1, AddressFamily.IPV4, new byte[4], GROUP4, 255);
    assertThat(rx.vrid()).as("dispatching a runt packet by VRID must not throw").isZero();
  }

  @Test
  void ttlMustBe255InMulticastButNotInUnicastMode() {
    assertThat(receive(V3, V3_RECEIVER, 100, 254, false, NOTHING)).isEqualTo(Verdict.BAD_TTL);
    InstanceConfig uniSender = V3.toBuilder().unicastPeers(List.of(ip("192.0.2.12"))).build();
    InstanceConfig uniReceiver =
        V3_RECEIVER.toBuilder().unicastPeers(List.of(ip("192.0.2.11"))).build();
    assertThat(receive(uniSender, uniReceiver, 100, 64, false, NOTHING))
        .isEqualTo(Verdict.ACCEPTED);
  }

  /**
   * keepalived's check_unicast_src: in unicast mode (where any TTL is accepted) only a configured
   * peer may send, whatever the priority it claims; checked right after the TTL check, before
   * anything else is believed.
   */
  @Test
  void unicastModeAcceptsOnlyConfiguredPeers() {
    InstanceConfig uniReceiver =
        V3_RECEIVER.toBuilder().unicastPeers(List.of(ip("192.0.2.11"))).build();
    InstanceConfig stranger =
        InstanceConfig.builder(7, ip("192.0.2.66"), ip("203.0.113.10"))
            .unicastPeers(List.of(ip("192.0.2.12")))
            .build();
    assertThat(receive(stranger, uniReceiver, 254, 255, false, NOTHING))
        .isEqualTo(Verdict.SOURCE_NOT_PEER);
    assertThat(receive(stranger, uniReceiver, 254, 64, false, NOTHING))
        .isEqualTo(Verdict.SOURCE_NOT_PEER);
    // Before the version check: a non-peer's packet is not believed in any field.
    assertThat(receive(stranger, uniReceiver, b -> b.put(0, (byte) 0x21)))
        .isEqualTo(Verdict.SOURCE_NOT_PEER);
    InstanceConfig peer = V3.toBuilder().unicastPeers(List.of(ip("192.0.2.12"))).build();
    assertThat(receive(peer, uniReceiver, 254, 64, false, NOTHING)).isEqualTo(Verdict.ACCEPTED);
    // Multicast mode has no peer list; there TTL 255 is the check.
    assertThat(receive(stranger.toBuilder().unicastPeers(List.of()).build(), V3_RECEIVER, NOTHING))
        .isEqualTo(Verdict.ACCEPTED);
  }

  /**
   * IPv6 unicast adverts come from the sender's link-local address (RFC 5798 §5.1.2.1), never a
   * configured (global) peer: accepted only with Hop Limit 255, i.e. from on-link; other sources
   * are not.
   */
  @Test
  void ipv6UnicastAcceptsConfiguredPeersAndOnLinkLinkLocalSendersOnly() {
    InstanceConfig receiver =
        InstanceConfig.builder(9, ip("fe80::12"), ip("2001:db8::10"))
            .unicastPeers(List.of(ip("2001:db8::11")))
            .build();
    InstanceConfig linkLocal =
        InstanceConfig.builder(9, ip("fe80::11"), ip("2001:db8::10"))
            .unicastPeers(List.of(ip("2001:db8::12")))
            .build();
    assertThat(receive(linkLocal, receiver, 100, 255, false, NOTHING)).isEqualTo(Verdict.ACCEPTED);
    assertThat(receive(linkLocal, receiver, 100, 64, false, NOTHING))
        .isEqualTo(Verdict.SOURCE_NOT_PEER);
    InstanceConfig global =
        InstanceConfig.builder(9, ip("2001:db8::66"), ip("2001:db8::10"))
            .unicastPeers(List.of(ip("2001:db8::12")))
            .build();
    assertThat(receive(global, receiver, 100, 255, false, NOTHING))
        .isEqualTo(Verdict.SOURCE_NOT_PEER);
    InstanceConfig peer =
        InstanceConfig.builder(9, ip("2001:db8::11"), ip("2001:db8::10"))
            .unicastPeers(List.of(ip("2001:db8::12")))
            .build();
    assertThat(receive(peer, receiver, 100, 64, false, NOTHING)).isEqualTo(Verdict.ACCEPTED);
  }

  @Test
  void versionTypeAndVridAreCheckedInThatOrder() {
    assertThat(receive(V3, V3_RECEIVER, b -> b.put(0, (byte) 0x21))).isEqualTo(Verdict.BAD_VERSION);
    assertThat(receive(V3, V3_RECEIVER, b -> b.put(0, (byte) 0x32))).isEqualTo(Verdict.BAD_TYPE);
    assertThat(receive(V3, V3_RECEIVER, b -> b.put(1, (byte) 8))).isEqualTo(Verdict.VRID_MISMATCH);
    assertThat(receive(V3, V3_RECEIVER, b -> b.put(0, (byte) 0x22).put(1, (byte) 8)))
        .isEqualTo(Verdict.BAD_VERSION);
  }

  @Test
  void lengthMismatchWhenTheCountClaimsMoreAddressesThanArrived() {
    assertThat(receive(V3, V3_RECEIVER, b -> b.put(3, (byte) 2)))
        .isEqualTo(Verdict.LENGTH_MISMATCH);
    assertThat(receive(V2, V2_RECEIVER, b -> b.put(3, (byte) 2)))
        .isEqualTo(Verdict.LENGTH_MISMATCH);
  }

  @Test
  void trailingEthernetPaddingIsAllowed() {
    AdvertisementEncoder encoder = new AdvertisementEncoder(V3);
    ByteBuffer buf = ByteBuffer.allocate(46);
    encoder.encode(100, 0, buf);
    ReceivedAdvertisement rx =
        new ReceivedAdvertisement()
            .wrapPayload(
                buf, 0, 46, AddressFamily.IPV4, V3.primaryAddress().getAddress(), GROUP4, 255);
    assertThat(new AdvertisementValidator(V3_RECEIVER).check(rx)).isEqualTo(Verdict.ACCEPTED);
  }

  @Test
  void anyChangedByteBreaksTheChecksum() {
    assertThat(receive(V3, V3_RECEIVER, 100, 255, false, b -> b.put(2, (byte) 101)))
        .isEqualTo(Verdict.BAD_CHECKSUM);
    assertThat(receive(V2, V2_RECEIVER, 100, 255, false, b -> b.put(b.limit() - 1, (byte) 1)))
        .isEqualTo(Verdict.BAD_CHECKSUM);
  }

  @Test
  void v3ChecksumCoversThePseudoHeaderSource() {
    AdvertisementEncoder encoder = new AdvertisementEncoder(V3);
    ByteBuffer buf = ByteBuffer.allocate(encoder.messageLength());
    encoder.encode(100, 0, buf);
    ReceivedAdvertisement rx =
        new ReceivedAdvertisement()
            .wrapPayload(
                buf,
                0,
                buf.limit(),
                AddressFamily.IPV4,
                ip("192.0.2.99").getAddress(),
                GROUP4,
                255);
    assertThat(new AdvertisementValidator(V3_RECEIVER).check(rx)).isEqualTo(Verdict.BAD_CHECKSUM);
  }

  @Test
  void rfc9568MessageOnlyChecksumIsAcceptedAndCountedApart() {
    AdvertisementEncoder encoder = new AdvertisementEncoder(V3);
    ByteBuffer buf = ByteBuffer.allocate(encoder.messageLength());
    encoder.encode(100, 0, buf);
    buf.putShort(AdvertisementFormat.OFF_CHECKSUM, (short) 0);
    buf.putShort(
        AdvertisementFormat.OFF_CHECKSUM,
        (short) InternetChecksum.finish(InternetChecksum.add(0, buf, 0, buf.limit())));
    ReceivedAdvertisement rx =
        new ReceivedAdvertisement()
            .wrapPayload(
                buf,
                0,
                buf.limit(),
                AddressFamily.IPV4,
                V3.primaryAddress().getAddress(),
                GROUP4,
                255);
    assertThat(new AdvertisementValidator(V3_RECEIVER).check(rx))
        .isEqualTo(Verdict.ACCEPTED_MESSAGE_ONLY_CHECKSUM);
  }

  @Test
  void oldUnicastChecksumIsAcceptedOnlyInUnicastMode() {
    InstanceConfig oldSender =
        V3.toBuilder().unicastPeers(List.of(ip("192.0.2.12"))).oldUnicastChecksum(true).build();
    InstanceConfig uniReceiver =
        V3_RECEIVER.toBuilder().unicastPeers(List.of(ip("192.0.2.11"))).build();
    assertThat(receive(oldSender, uniReceiver, 100, 255, false, NOTHING))
        .isEqualTo(Verdict.ACCEPTED_OLD_UNICAST_CHECKSUM);
    InstanceConfig newSender = oldSender.toBuilder().oldUnicastChecksum(false).build();
    assertThat(receive(newSender, uniReceiver, 100, 255, false, NOTHING))
        .isEqualTo(Verdict.ACCEPTED);
  }

  @Test
  void v2AuthenticationTypeAndPassword() {
    assertThat(
            receive(
                V2, V2_RECEIVER.toBuilder().authentication(Authentication.NONE).build(), NOTHING))
        .isEqualTo(Verdict.AUTH_TYPE_MISMATCH);
    assertThat(
            receive(
                V2,
                V2_RECEIVER.toBuilder()
                    .authentication(Authentication.simplePassword("s3creT"))
                    .build(),
                NOTHING))
        .isEqualTo(Verdict.AUTH_MISMATCH);
    // keepalived truncates passwords to 8 bytes, so only the first 8 matter.
    InstanceConfig long1 =
        V2.toBuilder().authentication(Authentication.simplePassword("12345678-a")).build();
    InstanceConfig long2 =
        V2_RECEIVER.toBuilder().authentication(Authentication.simplePassword("12345678-b")).build();
    assertThat(receive(long1, long2, NOTHING)).isEqualTo(Verdict.ACCEPTED);
  }

  @Test
  void v2IntervalMustMatchWhileV3AcceptsAnyNonZeroInterval() {
    InstanceConfig v2Slow = V2.toBuilder().advertIntervalCentis(200).build();
    assertThat(receive(v2Slow, V2_RECEIVER, NOTHING)).isEqualTo(Verdict.INTERVAL_MISMATCH);
    InstanceConfig v3Fast = V3.toBuilder().advertIntervalCentis(25).build();
    assertThat(receive(v3Fast, V3_RECEIVER, NOTHING)).isEqualTo(Verdict.ACCEPTED);
    assertThat(receive(V3, V3_RECEIVER, b -> b.putShort(4, (short) 0xf000)))
        .isEqualTo(Verdict.BAD_INTERVAL);
    assertThat(receive(V2, V2_RECEIVER, b -> b.put(5, (byte) 0))).isEqualTo(Verdict.BAD_INTERVAL);
  }

  @Test
  void ourOwnAdvertLoopedBackIsRecognised() {
    assertThat(receive(V3, V3, NOTHING)).isEqualTo(Verdict.OWN_ADVERTISEMENT);
  }

  @Test
  void addressListMustMatchUnlessTheSenderOwnsTheAddresses() {
    InstanceConfig two =
        InstanceConfig.builder(7, ip("192.0.2.11"), ip("203.0.113.10"), ip("203.0.113.11")).build();
    InstanceConfig other = InstanceConfig.builder(7, ip("192.0.2.11"), ip("203.0.113.99")).build();
    assertThat(receive(two, V3_RECEIVER, NOTHING)).isEqualTo(Verdict.ADDRESS_COUNT_MISMATCH);
    assertThat(receive(other, V3_RECEIVER, NOTHING)).isEqualTo(Verdict.ADDRESS_MISMATCH);
    InstanceConfig owner = other.toBuilder().priority(255).build();
    assertThat(receive(owner, V3_RECEIVER, 255, 255, false, NOTHING)).isEqualTo(Verdict.ACCEPTED);
  }

  @Test
  void familyMismatchIsAWiringError() {
    ReceivedAdvertisement rx =
        new ReceivedAdvertisement()
            .wrapPayload(
                ByteBuffer.allocate(40),
                0,
                40,
                AddressFamily.IPV6,
                new byte[16],
                AddressFamily.IPV6.multicastGroup(),
                255);
    assertThat(new AdvertisementValidator(V3_RECEIVER).check(rx))
        .isEqualTo(Verdict.FAMILY_MISMATCH);
  }

  @Test
  void ipv4HeaderProblemsAreReportedByTheWrapper() {
    ReceivedAdvertisement rx = new ReceivedAdvertisement();
    byte[] packet = new byte[40];
    packet[0] = 0x45;
    packet[3] = 40;
    packet[8] = (byte) 255;
    packet[9] = 112;
    assertThat(rx.wrapIpv4Packet(ByteBuffer.wrap(packet), 0, 19)).isEqualTo(Verdict.TOO_SHORT);
    assertThat(rx.wrapIpv4Packet(ByteBuffer.wrap(packet), 0, 39)).isEqualTo(Verdict.BAD_IP_HEADER);
    packet[9] = 17;
    assertThat(rx.wrapIpv4Packet(ByteBuffer.wrap(packet), 0, 40)).isEqualTo(Verdict.NOT_VRRP);
    packet[9] = 112;
    packet[0] = 0x44;
    assertThat(rx.wrapIpv4Packet(ByteBuffer.wrap(packet), 0, 40)).isEqualTo(Verdict.BAD_IP_HEADER);
    packet[0] = 0x65;
    assertThat(rx.wrapIpv4Packet(ByteBuffer.wrap(packet), 0, 40)).isEqualTo(Verdict.BAD_IP_HEADER);
    packet[0] = 0x45;
    assertThat(rx.wrapIpv4Packet(ByteBuffer.wrap(packet), 0, 40)).isEqualTo(Verdict.ACCEPTED);
    assertThat(rx.length()).isEqualTo(20);
  }
}
