package io.virtualip.agent.vrrp;

import static io.virtualip.agent.Literals.ip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.virtualip.agent.Literals;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Wire compatibility with keepalived 2.2.7 on advertisements it really sent: the fixtures in {@code
 * src/test/resources/fixtures/keepalived/} (pcap + JSON sidecar each, made by {@code
 * src/lab/capture-keepalived-fixtures.sh}; see the README next to them). For every captured packet:
 *
 * <ul>
 *   <li>our decoder reads the same fields as tshark and as keepalived was configured with;
 *   <li>our validator, configured like the listening peer, gives the verdict keepalived's peer
 *       would (accepted; the {@code old_unicast_checksum} one counted as such);
 *   <li>our encoder, configured like the keepalived sender, writes the very same bytes.
 * </ul>
 *
 * Nothing here is hard-coded per fixture: the configurations are derived from each sidecar's {@code
 * keepalivedConfig} and packet addresses, so a new fixture is tested by capturing it.
 */
class KeepalivedFixturesTest {

  private static final String FIXTURE_RESOURCE = "/fixtures/keepalived";

  /** The capture script, relative to the agent module (Maven's working directory for tests). */
  private static final Path CAPTURE_SCRIPT =
      Path.of("..", "src", "lab", "capture-keepalived-fixtures.sh");

  /** Destination and source MAC, EtherType; the captures have no VLAN tags. */
  private static final int ETHERNET_HEADER = 14;

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HexFormat HEX = HexFormat.of();

  /**
   * The capture lab's listener (see the capture script): 192.0.2.11, and for IPv6 the EUI-64
   * link-local address of its MAC 02:00:00:00:00:0b. Multicast sidecars name only the group, so we
   * take our own address from the lab; unicast ones name it as the destination.
   */
  private static final InetAddress LISTENER_V4 = ip("192.0.2.11");

  private static final InetAddress LISTENER_V6 = ip("fe80::ff:fe00:b");

  /** One captured advert: the sidecar's view of one frame, and the frame itself from the pcap. */
  record Packet(
      int frame,
      InetAddress src,
      InetAddress dst,
      int ttlOrHopLimit,
      byte[] vrrp,
      JsonNode tshark,
      byte[] ethernetFrame) {
    boolean ipv4() {
      return src instanceof Inet4Address;
    }
  }

  /** One fixture: what keepalived was told, what tshark said of the checksums, what it sent. */
  record Fixture(
      String name,
      KeepalivedInstance keepalived,
      boolean tsharkChecksumGood,
      List<Packet> packets) {
    /**
     * What a peer must say: tshark's strict RFC 5798 check fails only for the old unicast checksum.
     */
    Verdict expectedVerdict() {
      return tsharkChecksumGood ? Verdict.ACCEPTED : Verdict.ACCEPTED_OLD_UNICAST_CHECKSUM;
    }

    @Override
    public String toString() {
      return name;
    }
  }

  /** One packet of one fixture: the unit of the parameterized tests. */
  record Case(Fixture fixture, int index) {
    Packet packet() {
      return fixture.packets().get(index);
    }

    boolean last() {
      return index == fixture.packets().size() - 1;
    }

    @Override
    public String toString() {
      return fixture.name() + " frame " + packet().frame();
    }
  }

  /**
   * The parts of a keepalived {@code vrrp_instance} that reach the wire. {@code version} defaults
   * to 2, as in keepalived 2.2.7 ({@code vrrp_version}); unicastSource is null for multicast.
   */
  record KeepalivedInstance(
      int vrid,
      VrrpVersion version,
      int priority,
      int advertIntervalCentis,
      Authentication authentication,
      List<InetAddress> virtualAddresses,
      InetAddress unicastSource,
      List<InetAddress> unicastPeers,
      boolean oldUnicastChecksum) {

    /** Keywords that do not change what is sent or accepted on the wire. */
    private static final Set<String> OFF_WIRE = Set.of("router_id", "interface", "state");

    /**
     * Parses the one-instance keepalived.conf the capture script writes. Unknown keywords fail the
     * test, so a fixture with a setting this test does not model cannot pass unnoticed.
     */
    static KeepalivedInstance parse(String conf) {
      int vrid = -1;
      int priority = -1;
      int intervalCentis = -1;
      VrrpVersion version = VrrpVersion.V2;
      String authType = null;
      String authPass = null;
      InetAddress unicastSource = null;
      boolean oldUnicastChecksum = false;
      List<InetAddress> vips = new ArrayList<>();
      List<InetAddress> peers = new ArrayList<>();
      Deque<String> blocks = new ArrayDeque<>();
      for (String raw : conf.split("\n")) {
        String line = raw.strip();
        if (line.isEmpty()) {
          continue;
        }
        if (line.equals("}")) {
          blocks.pop();
          continue;
        }
        String[] words = line.split("\\s+");
        if (line.endsWith("{")) {
          blocks.push(words[0]);
          continue;
        }
        String block = blocks.isEmpty() ? "" : blocks.peek();
        switch (block) {
          case "virtual_ipaddress" -> vips.add(ip(words[0].replaceFirst("/\\d+$", "")));
          case "unicast_peer" -> peers.add(ip(words[0]));
          default -> {
            switch (words[0]) {
              case "virtual_router_id" -> vrid = Integer.parseInt(words[1]);
              case "priority" -> priority = Integer.parseInt(words[1]);
              // Seconds, possibly fractional ("0.1"); on the wire in centiseconds (v3) or seconds
              // (v2).
              case "advert_int" ->
                  intervalCentis = new BigDecimal(words[1]).movePointRight(2).intValueExact();
              case "version" -> version = words[1].equals("3") ? VrrpVersion.V3 : VrrpVersion.V2;
              case "auth_type" -> authType = words[1];
              case "auth_pass" -> authPass = words[1];
              case "unicast_src_ip" -> unicastSource = ip(words[1]);
              case "old_unicast_checksum" -> oldUnicastChecksum = true;
              default ->
                  assertThat(OFF_WIRE)
                      .as("keepalived keyword this test does not model: " + line)
                      .contains(words[0]);
            }
          }
        }
      }
      assertThat(blocks).as("balanced braces").isEmpty();
      assertThat(authType).as("auth_type (only PASS is supported)").isIn(null, "PASS");
      Authentication auth =
          authType == null ? Authentication.NONE : Authentication.simplePassword(authPass);
      return new KeepalivedInstance(
          vrid,
          version,
          priority,
          intervalCentis,
          auth,
          vips,
          unicastSource,
          peers,
          oldUnicastChecksum);
    }

    boolean unicast() {
      return !unicastPeers.isEmpty();
    }

    /** Our equivalent of this keepalived instance, with {@code primary} as our own address. */
    InstanceConfig.Builder instance(InetAddress primary) {
      return InstanceConfig.builder(vrid, primary, virtualAddresses.toArray(InetAddress[]::new))
          .version(version)
          .advertIntervalCentis(advertIntervalCentis)
          .authentication(authentication);
    }
  }

  static Stream<Fixture> fixtures() {
    try (Stream<Path> files = Files.list(fixtureDirectory())) {
      return files
          .filter(p -> p.getFileName().toString().endsWith(".json"))
          .sorted()
          .map(KeepalivedFixturesTest::load)
          .toList()
          .stream();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Stream<Case> packets() {
    return fixtures()
        .flatMap(f -> IntStream.range(0, f.packets().size()).mapToObj(i -> new Case(f, i)));
  }

  @Test
  void everyFixtureTheCaptureScriptMakesIsHere() throws IOException {
    Matcher list =
        Pattern.compile("readonly FIXTURES=\\(([^)]*)\\)")
            .matcher(Files.readString(CAPTURE_SCRIPT));
    assertThat(list.find()).as("FIXTURES list in " + CAPTURE_SCRIPT).isTrue();
    Set<String> scripted = new TreeSet<>(Arrays.asList(list.group(1).strip().split("\\s+")));
    Set<String> present =
        fixtures().map(Fixture::name).collect(Collectors.toCollection(TreeSet::new));
    assertThat(present).isEqualTo(scripted);
  }

  /** The sidecar is what the pcap holds: same frames, addresses, TTL / hop limit and VRRP bytes. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("packets")
  void sidecarDescribesThePcapFrame(Case c) {
    Packet p = c.packet();
    ByteBuffer frame = ByteBuffer.wrap(p.ethernetFrame());
    int etherType = frame.getShort(12) & 0xffff;
    int ip = ETHERNET_HEADER;
    if (p.ipv4()) {
      assertThat(etherType).isEqualTo(0x0800);
      ReceivedAdvertisement rx = capturedIpv4Packet(p);
      assertThat(List.of(rx.sourceAddress(), rx.destinationAddress(), rx.ttl()))
          .containsExactly(p.src(), p.dst(), p.ttlOrHopLimit());
      assertThat(
              HEX.formatHex(p.ethernetFrame(), ip + (frame.get(ip) & 0x0f) * 4, frame.capacity()))
          .isEqualTo(HEX.formatHex(p.vrrp()));
    } else {
      // IPv6 (RFC 8200 §3): Next Header at 6, Hop Limit at 7, addresses at 8 and 24, payload at 40.
      assertThat(etherType).isEqualTo(0x86dd);
      assertThat(frame.get(ip + 6) & 0xff).isEqualTo(AdvertisementFormat.IP_PROTOCOL_VRRP);
      assertThat(frame.get(ip + 7) & 0xff).isEqualTo(p.ttlOrHopLimit());
      assertThat(Arrays.copyOfRange(p.ethernetFrame(), ip + 8, ip + 24))
          .isEqualTo(p.src().getAddress());
      assertThat(Arrays.copyOfRange(p.ethernetFrame(), ip + 24, ip + 40))
          .isEqualTo(p.dst().getAddress());
      assertThat(Arrays.copyOfRange(p.ethernetFrame(), ip + 40, frame.capacity()))
          .isEqualTo(p.vrrp());
    }
  }

  /** Our decoder reads what tshark read, and what keepalived was configured to send. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("packets")
  void decodesTheFieldsKeepalivedSent(Case c) {
    Packet p = c.packet();
    KeepalivedInstance ka = c.fixture().keepalived();
    ReceivedAdvertisement rx = wrap(p);
    JsonNode t = p.tshark();

    assertThat(rx.version())
        .isEqualTo(ka.version().number())
        .isEqualTo(t.get("vrrp.version").asInt());
    assertThat(rx.type())
        .isEqualTo(AdvertisementFormat.TYPE_ADVERTISEMENT)
        .isEqualTo(t.get("vrrp.type").asInt());
    assertThat(rx.vrid()).isEqualTo(ka.vrid()).isEqualTo(t.get("vrrp.virt_rtr_id").asInt());
    assertThat(rx.priority()).isEqualTo(t.get("vrrp.prio").asInt());
    // keepalived sends priority 0 only as its very last advert, when it stops (RFC 5798 §6.4.3
    // "Shutdown").
    if (c.last()) {
      assertThat(rx.priority()).isIn(ka.priority(), 0);
    } else {
      assertThat(rx.priority()).isEqualTo(ka.priority());
    }
    assertThat(rx.addressCount())
        .isEqualTo(ka.virtualAddresses().size())
        .isEqualTo(t.get("vrrp.addr_count").asInt());
    assertThat(rx.intervalCentis()).isEqualTo(ka.advertIntervalCentis());
    if (ka.version() == VrrpVersion.V2) {
      assertThat(rx.intervalCentis()).isEqualTo(t.get("vrrp.adver_int").asInt() * 100);
      assertThat(rx.authType())
          .isEqualTo(ka.authentication().type().wireValue())
          .isEqualTo(t.get("vrrp.auth_type").asInt());
    } else {
      assertThat(rx.intervalCentis()).isEqualTo(t.get("vrrp.short_adver_int").asInt());
    }
    assertThat(rx.checksum()).isEqualTo(Integer.decode(t.get("vrrp.checksum").asText()));
    // Configuration order, not sorted: keepalived sends the VIPs as configured.
    List<InetAddress> addresses =
        IntStream.range(0, rx.addressCount()).mapToObj(rx::virtualAddress).toList();
    String tsharkAddresses = t.get(p.ipv4() ? "vrrp.ip_addr" : "vrrp.ipv6_addr").asText();
    assertThat(addresses)
        .isEqualTo(ka.virtualAddresses())
        .isEqualTo(Arrays.stream(tsharkAddresses.split(",")).map(Literals::ip).toList());
    assertThat(rx.sourceAddress()).isEqualTo(p.src());
    if (ka.unicast()) {
      assertThat(p.src()).isEqualTo(ka.unicastSource());
      assertThat(ka.unicastPeers()).contains(p.dst());
    } else {
      assertThat(p.dst()).isEqualTo(group(p.src()));
    }
  }

  /**
   * Received by a peer configured like keepalived's: accepted. tshark (strict RFC 5798) calls
   * exactly the {@code old_unicast_checksum} adverts bad; we accept those in unicast mode and count
   * them apart.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("packets")
  void validatorAcceptsItAsThePeer(Case c) {
    Packet p = c.packet();
    KeepalivedInstance ka = c.fixture().keepalived();
    assertThat(c.fixture().tsharkChecksumGood())
        .isEqualTo(!(ka.unicast() && ka.oldUnicastChecksum()));
    AdvertisementValidator validator = new AdvertisementValidator(peer(ka, p));
    assertThat(validator.check(wrap(p))).isEqualTo(c.fixture().expectedVerdict());
    if (p.ipv4()) {
      assertThat(validator.check(capturedIpv4Packet(p))).isEqualTo(c.fixture().expectedVerdict());
    }
  }

  /**
   * A backup instance configured as the peer counts every advert under its verdict, priority 0
   * included.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtures")
  void peerInstanceCountsEveryAdvert(Fixture f) {
    VrrpInstance peer = new VrrpInstance(peer(f.keepalived(), f.packets().get(0)));
    RecordingActions actions = new RecordingActions();
    long now = 0;
    peer.startup(now, actions);
    for (Packet p : f.packets()) {
      now += 1_000_000;
      peer.receive(wrap(p), now, actions);
    }
    Counters.CounterSnapshot counted = peer.counters().snapshot();
    assertThat(counted.accepted())
        .containsExactly(entry(f.expectedVerdict().name(), (long) f.packets().size()));
    assertThat(counted.rejected()).isEmpty();
    assertThat(counted.priorityZeroReceived())
        .isEqualTo(f.packets().stream().filter(p -> wrap(p).priority() == 0).count());
    assertThat(peer.state()).isEqualTo(State.BACKUP);
  }

  /**
   * Our instance as the listening peer of {@code p}'s sender: unicast to us at the packet's
   * destination, or on the multicast segment as the lab's listener; lowest priority, so it stays
   * backup.
   */
  private static InstanceConfig peer(KeepalivedInstance ka, Packet p) {
    if (ka.unicast()) {
      return ka.instance(p.dst()).priority(1).unicastPeers(List.of(p.src())).build();
    }
    return ka.instance(p.ipv4() ? LISTENER_V4 : LISTENER_V6).priority(1).build();
  }

  /**
   * Configured like the keepalived sender, we write the very same VRRP bytes, checksum included.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("packets")
  void encoderWritesTheSameBytes(Case c) {
    Packet p = c.packet();
    KeepalivedInstance ka = c.fixture().keepalived();
    InstanceConfig sender =
        ka.instance(p.src())
            .priority(ka.priority())
            .unicastPeers(ka.unicastPeers())
            .oldUnicastChecksum(ka.oldUnicastChecksum())
            .build();
    AdvertisementEncoder encoder = new AdvertisementEncoder(sender);
    int destination = ka.unicast() ? ka.unicastPeers().indexOf(p.dst()) : 0;
    assertThat(encoder.destination(destination)).isEqualTo(p.dst().getAddress());

    ByteBuffer out = ByteBuffer.allocate(encoder.messageLength());
    encoder.encode(wrap(p).priority(), destination, out);
    assertThat(HEX.formatHex(out.array())).isEqualTo(HEX.formatHex(p.vrrp()));
  }

  /**
   * The VRRP bytes with the sidecar's addresses and TTL, as an IPv6 raw socket (or the simulator)
   * hands them over.
   */
  private static ReceivedAdvertisement wrap(Packet p) {
    AddressFamily family = AddressFamily.of(p.src());
    return new ReceivedAdvertisement()
        .wrapPayload(
            ByteBuffer.wrap(p.vrrp()),
            0,
            p.vrrp().length,
            family,
            p.src().getAddress(),
            p.dst().getAddress(),
            p.ttlOrHopLimit());
  }

  /**
   * The captured IPv4 packet as a raw IPv4 socket delivers it: with keepalived's own IP header in
   * front.
   */
  private static ReceivedAdvertisement capturedIpv4Packet(Packet p) {
    ReceivedAdvertisement rx = new ReceivedAdvertisement();
    int length = p.ethernetFrame().length - ETHERNET_HEADER;
    assertThat(rx.wrapIpv4Packet(ByteBuffer.wrap(p.ethernetFrame()), ETHERNET_HEADER, length))
        .isEqualTo(Verdict.ACCEPTED);
    return rx;
  }

  private static InetAddress group(InetAddress source) {
    try {
      return InetAddress.getByAddress(AddressFamily.of(source).multicastGroup());
    } catch (UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  private static Fixture load(Path sidecar) {
    try {
      JsonNode json = JSON.readTree(sidecar.toFile());
      String name = json.get("name").asText();
      assertThat(sidecar.getFileName().toString()).isEqualTo(name + ".json");
      List<byte[]> frames = readPcap(sidecar.resolveSibling(name + ".pcap"));
      List<Packet> packets = new ArrayList<>();
      for (JsonNode p : json.get("packets")) {
        int frame = p.get("frame").asInt();
        packets.add(
            new Packet(
                frame,
                ip(p.get("src").asText()),
                ip(p.get("dst").asText()),
                p.get("ttlOrHopLimit").asInt(),
                HEX.parseHex(p.get("vrrpHex").asText()),
                p.get("tshark"),
                frames.get(frame - 1)));
      }
      assertThat(packets)
          .as(name + ": one sidecar entry per pcap frame")
          .hasSize(frames.size())
          .isNotEmpty();
      String verdict = json.get("tsharkChecksumVerdict").asText();
      assertThat(verdict).isIn("good", "bad");
      return new Fixture(
          name,
          KeepalivedInstance.parse(json.get("keepalivedConfig").asText()),
          verdict.equals("good"),
          packets);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The frames of a classic libpcap file (tcpdump -w): 24-byte file header, 16-byte record headers.
   */
  private static List<byte[]> readPcap(Path pcap) throws IOException {
    ByteBuffer in = ByteBuffer.wrap(Files.readAllBytes(pcap)).order(ByteOrder.LITTLE_ENDIAN);
    int magic = in.getInt(0);
    if (magic != 0xa1b2c3d4 && magic != 0xa1b23c4d) {
      in.order(ByteOrder.BIG_ENDIAN); // written on a big-endian host
    }
    assertThat(in.getInt(0)).as(pcap + " magic").isIn(0xa1b2c3d4, 0xa1b23c4d);
    assertThat(in.getInt(20)).as(pcap + " link type (1 = Ethernet)").isEqualTo(1);
    List<byte[]> frames = new ArrayList<>();
    in.position(24);
    while (in.remaining() >= 16) {
      in.position(in.position() + 8); // timestamp
      int captured = in.getInt();
      int original = in.getInt();
      assertThat(captured).as(pcap + " frame truncated by the snap length").isEqualTo(original);
      byte[] frame = new byte[captured];
      in.get(frame);
      frames.add(frame);
    }
    assertThat(in.remaining()).as(pcap + " trailing bytes").isZero();
    return frames;
  }

  private static Path fixtureDirectory() {
    try {
      return Path.of(KeepalivedFixturesTest.class.getResource(FIXTURE_RESOURCE).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}
