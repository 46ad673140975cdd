package io.virtualip.agent.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.virtualip.api.v1.Authentication;
import io.virtualip.api.v1.AuthenticationType;
import io.virtualip.api.v1.HttpGetTrack;
import io.virtualip.api.v1.Mode;
import io.virtualip.api.v1.SecretKeySelector;
import io.virtualip.api.v1.Track;
import io.virtualip.api.v1.VirtualIP;
import io.virtualip.api.v1.VirtualIPSpec;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the standalone agent's configuration: one or more {@code VirtualIP} YAML documents, shaped exactly like the
 * Kubernetes resource, and checks them as strictly as the CRD does (unknown fields are errors, not ignored), so a
 * file that works here also applies to a cluster. The first problem found ends loading with a
 * {@link ConfigException} naming document, field and problem.
 */
public final class ConfigLoader {

    private static final Pattern DURATION = Pattern.compile("^(\\d+)(ms|s)$|^(\\d+\\.\\d+)s$");
    private static final Pattern INTERFACE_NAME = Pattern.compile("^[^/: \\t\\n]{1,15}$");
    private static final int MAX_PASSWORD_BYTES = 8;

    private final ObjectMapper yaml = new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    private final String nodeName;
    private final Path secretsDir;

    /**
     * @param nodeName   this node, for spec.priorities
     * @param secretsDir where Secret keys are files ({@code DIR/name/key}); null if none were given
     */
    public ConfigLoader(String nodeName, Path secretsDir) {
        this.nodeName = nodeName;
        this.secretsDir = secretsDir;
    }

    public List<VipDefinition> load(Path file) throws ConfigException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new ConfigException(file + ": no such file");
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read: " + e.getMessage());
        }
        return parse(file.getFileName().toString(), text);
    }

    /** Parses {@code text}; {@code source} names it in error messages. */
    public List<VipDefinition> parse(String source, String text) throws ConfigException {
        List<JsonNode> documents = new ArrayList<>();
        try (MappingIterator<JsonNode> it = yaml.readerFor(JsonNode.class).readValues(text)) {
            while (it.hasNextValue()) {
                JsonNode node = it.nextValue();
                if (node != null && !node.isNull() && !node.isMissingNode()) {
                    documents.add(node);
                }
            }
        } catch (IOException | RuntimeException e) {
            throw new ConfigException(source + " document " + (documents.size() + 1) + ": not valid YAML: "
                    + firstLine(e.getMessage()));
        }
        if (documents.isEmpty()) {
            throw new ConfigException(source + ": no VirtualIP documents");
        }
        List<VipDefinition> definitions = new ArrayList<>();
        Set<String> names = new HashSet<>();
        Set<String> routers = new HashSet<>();
        for (int i = 0; i < documents.size(); i++) {
            JsonNode node = documents.get(i);
            String where = source + " document " + (i + 1) + nameOf(node);
            VipDefinition definition = new Document(where, node).toDefinition();
            if (!names.add(definition.name())) {
                throw new ConfigException(where + ": metadata.name: '" + definition.name() + "' is used twice");
            }
            String router = (definition.interfaceName() == null ? "*" : definition.interfaceName()) + "/"
                    + (definition.ipv6() ? "6" : "4") + "/" + definition.vrid();
            if (!routers.add(router)) {
                throw new ConfigException(where + ": spec.virtualRouterId: " + definition.vrid()
                        + " is already used by another document on the same interface and address family");
            }
            definitions.add(definition);
        }
        return definitions;
    }

    private static String nameOf(JsonNode node) {
        JsonNode name = node.path("metadata").path("name");
        return name.isTextual() ? " (" + name.asText() + ")" : "";
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }

    /** Validation of one document; {@code where} prefixes every message. */
    private final class Document {
        private final String where;
        private final JsonNode node;

        Document(String where, JsonNode node) {
            this.where = where;
            this.node = node;
        }

        private ConfigException error(String field, String problem) {
            return new ConfigException(where + ": " + field + ": " + problem);
        }

        VipDefinition toDefinition() throws ConfigException {
            if (!node.isObject()) {
                throw new ConfigException(where + ": expected a VirtualIP object");
            }
            if (!"VirtualIP".equals(node.path("kind").asText())) {
                throw error("kind", "must be VirtualIP, was '" + node.path("kind").asText() + "'");
            }
            String apiVersion = VirtualIP.GROUP + "/" + VirtualIP.VERSION;
            if (!apiVersion.equals(node.path("apiVersion").asText())) {
                throw error("apiVersion", "must be " + apiVersion + ", was '" + node.path("apiVersion").asText()
                        + "'");
            }
            VirtualIP vip = typed();
            String name = vip.getMetadata() == null ? null : vip.getMetadata().getName();
            if (name == null || name.isBlank()) {
                throw error("metadata.name", "required");
            }
            VirtualIPSpec spec = vip.getSpec();
            if (spec == null) {
                throw error("spec", "required");
            }
            List<AddressPrefix> addresses = addresses(spec);
            boolean ipv6 = addresses.get(0).ipv6();
            String interfaceName = spec.getInterfaceName();
            if (interfaceName != null && !INTERFACE_NAME.matcher(interfaceName).matches()) {
                throw error("spec.interface", "'" + interfaceName
                        + "' is not an interface name (1 to 15 characters, no '/', ':' or spaces)");
            }
            int vrid = vrid(vip);
            int version = SpecDefaults.version(spec);
            if (version != 2 && version != 3) {
                throw error("spec.version", "must be 2 or 3, was " + version);
            }
            if (version == 2 && ipv6) {
                throw error("spec.version", "version 2 (RFC 3768) carries IPv4 addresses only: use version 3 for IPv6");
            }
            int interval = interval(spec, version);
            int priority = priority(spec);
            Duration preemptDelay = duration("spec.preemptDelay", SpecDefaults.preemptDelay(spec));
            if (preemptDelay.compareTo(Duration.ofSeconds(1000)) > 0) {
                throw error("spec.preemptDelay", "must be at most 1000s");
            }
            return new VipDefinition(where, name, interfaceName, addresses, vrid, version, priority, interval,
                    SpecDefaults.preempt(spec), preemptDelay, password(spec, version),
                    unicastPeers(spec, ipv6), tracks(spec), httpTracks(spec));
        }

        private VirtualIP typed() throws ConfigException {
            try {
                return yaml.treeToValue(node, VirtualIP.class);
            } catch (UnrecognizedPropertyException e) {
                throw error(path(e), "unknown field");
            } catch (InvalidFormatException e) {
                String allowed = e.getTargetType() != null && e.getTargetType().isEnum()
                        ? " (allowed: " + Arrays.toString(e.getTargetType().getEnumConstants())
                                .replaceAll("[\\[\\]]", "") + ")"
                        : " (expected " + (e.getTargetType() == null ? "another type"
                                : e.getTargetType().getSimpleName()) + ")";
                throw error(path(e), "invalid value '" + e.getValue() + "'" + allowed);
            } catch (JsonMappingException e) {
                throw error(path(e), "invalid value: " + firstLine(e.getOriginalMessage()));
            } catch (JsonProcessingException e) {
                throw new ConfigException(where + ": " + firstLine(e.getOriginalMessage()));
            }
        }

        private String path(JsonMappingException e) {
            StringBuilder path = new StringBuilder();
            for (JsonMappingException.Reference ref : e.getPath()) {
                if (ref.getFieldName() != null) {
                    path.append(path.length() == 0 ? "" : ".").append(ref.getFieldName());
                } else if (ref.getIndex() >= 0) {
                    path.append('[').append(ref.getIndex()).append(']');
                }
            }
            return path.length() == 0 ? "(document)" : path.toString();
        }

        private List<AddressPrefix> addresses(VirtualIPSpec spec) throws ConfigException {
            List<String> texts = spec.getAddresses();
            if (texts == null || texts.isEmpty()) {
                throw error("spec.addresses", "required: at least one address with prefix length");
            }
            if (texts.size() > 16) {
                throw error("spec.addresses", "at most 16 addresses, found " + texts.size());
            }
            List<AddressPrefix> addresses = new ArrayList<>();
            for (int i = 0; i < texts.size(); i++) {
                AddressPrefix prefix;
                try {
                    prefix = AddressPrefix.parse(String.valueOf(texts.get(i)));
                } catch (IllegalArgumentException e) {
                    throw error("spec.addresses[" + i + "]", e.getMessage());
                }
                if (prefix.ipv6() != (addresses.isEmpty() ? prefix.ipv6() : addresses.get(0).ipv6())) {
                    throw error("spec.addresses[" + i + "]", "addresses must all be IPv4 or all be IPv6: one VRRP "
                            + "instance carries one address family");
                }
                for (AddressPrefix earlier : addresses) {
                    if (earlier.address().equals(prefix.address())) {
                        throw error("spec.addresses[" + i + "]", "'" + texts.get(i) + "' repeats an address");
                    }
                }
                addresses.add(prefix);
            }
            return addresses;
        }

        private int vrid(VirtualIP vip) throws ConfigException {
            Integer vrid = vip.getSpec().getVirtualRouterId();
            if (vrid == null && vip.getStatus() != null) {
                vrid = vip.getStatus().getVirtualRouterId();
            }
            if (vrid == null) {
                throw error("spec.virtualRouterId", "required by the standalone agent (no operator allocates one)");
            }
            if (vrid < 1 || vrid > 255) {
                throw error("spec.virtualRouterId", "must be 1 to 255, was " + vrid);
            }
            return vrid;
        }

        private int interval(VirtualIPSpec spec, int version) throws ConfigException {
            String text = SpecDefaults.advertisementInterval(spec);
            Duration d = duration("spec.advertisementInterval", text);
            long millis = d.toMillis();
            if (version == 2) {
                if (!text.matches("\\d+s") || millis < 1000 || millis > 255_000) {
                    throw error("spec.advertisementInterval", "'" + text
                            + "': with version 2 it must be whole seconds from 1s to 255s");
                }
            } else if (d.toNanos() % 10_000_000 != 0 || millis < 10 || millis > 40_950) {
                throw error("spec.advertisementInterval", "'" + text
                        + "': with version 3 it must be 10ms to 40.95s in steps of 10ms");
            }
            return (int) (millis / 10);
        }

        private int priority(VirtualIPSpec spec) throws ConfigException {
            Map<String, Integer> priorities = spec.getPriorities();
            if (priorities != null) {
                for (Map.Entry<String, Integer> e : priorities.entrySet()) {
                    if (e.getValue() == null || e.getValue() < 1 || e.getValue() > 254) {
                        throw error("spec.priorities." + e.getKey(), "must be 1 to 254 (255 is reserved for the "
                                + "address owner, 0 for shutdown), was " + e.getValue());
                    }
                }
            }
            Integer fallback = spec.getDefaultPriority();
            if (fallback != null && (fallback < 1 || fallback > 254)) {
                throw error("spec.defaultPriority", "must be 1 to 254, was " + fallback);
            }
            return SpecDefaults.priority(spec, nodeName);
        }

        private byte[] password(VirtualIPSpec spec, int version) throws ConfigException {
            Authentication auth = spec.getAuthentication();
            if (auth == null || auth.getType() == null || auth.getType() == AuthenticationType.None) {
                return null;
            }
            if (version != 2) {
                throw error("spec.authentication", "type Password exists only in version 2 (RFC 3768); VRRPv3 has "
                        + "no authentication");
            }
            SecretKeySelector ref = auth.getSecretRef();
            if (ref == null || ref.getName() == null || ref.getKey() == null) {
                throw error("spec.authentication.secretRef", "required with type Password: {name, key}");
            }
            if (secretsDir == null) {
                throw error("spec.authentication.secretRef", "needs --secrets-dir to read " + ref.getName() + "/"
                        + ref.getKey());
            }
            if (!safePathElement(ref.getName()) || !safePathElement(ref.getKey())) {
                throw error("spec.authentication.secretRef", "name and key must not contain '/' or '..'");
            }
            Path file = secretsDir.resolve(ref.getName()).resolve(ref.getKey());
            byte[] password;
            try {
                password = Files.readAllBytes(file);
            } catch (IOException e) {
                throw error("spec.authentication.secretRef", "cannot read " + file + ": "
                        + (e instanceof NoSuchFileException ? "no such file" : e.getMessage()));
            }
            // A trailing newline is what `echo secret > file` leaves; it is never part of a VRRP password.
            int length = password.length;
            if (length > 0 && password[length - 1] == '\n') {
                length--;
            }
            if (length == 0 || length > MAX_PASSWORD_BYTES) {
                throw error("spec.authentication.secretRef", file + " must hold 1 to 8 bytes (VRRPv2 simple text "
                        + "password), has " + length);
            }
            return Arrays.copyOf(password, length);
        }

        private List<InetAddress> unicastPeers(VirtualIPSpec spec, boolean ipv6) throws ConfigException {
            List<String> peers = spec.getUnicastPeers() == null ? List.of() : spec.getUnicastPeers();
            Mode mode = SpecDefaults.mode(spec);
            if (mode == Mode.Multicast) {
                if (!peers.isEmpty()) {
                    throw error("spec.unicastPeers", "only used with mode Unicast (mode is Multicast)");
                }
                return List.of();
            }
            if (peers.isEmpty()) {
                throw error("spec.unicastPeers", "required with mode Unicast by the standalone agent");
            }
            List<InetAddress> addresses = new ArrayList<>();
            for (int i = 0; i < peers.size(); i++) {
                InetAddress peer;
                try {
                    peer = AddressPrefix.parseAddress(String.valueOf(peers.get(i)));
                } catch (IllegalArgumentException e) {
                    throw error("spec.unicastPeers[" + i + "]", e.getMessage());
                }
                if ((peer.getAddress().length == 16) != ipv6) {
                    throw error("spec.unicastPeers[" + i + "]", "must be of the same address family as addresses");
                }
                addresses.add(peer);
            }
            return addresses;
        }

        private List<VipDefinition.InterfaceTrack> tracks(VirtualIPSpec spec) throws ConfigException {
            List<VipDefinition.InterfaceTrack> tracks = new ArrayList<>();
            List<Track> specs = spec.getTracks() == null ? List.of() : spec.getTracks();
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < specs.size(); i++) {
                Track t = specs.get(i);
                String field = "spec.tracks[" + i + "]";
                if (t.getHttpGet() != null) {
                    continue; // see httpTracks
                }
                if (t.getPods() != null) {
                    throw error(field, "pods tracks need Kubernetes; the standalone agent supports interface and "
                            + "httpGet tracks");
                }
                if (t.getInterfaceName() == null) {
                    throw error(field, "a track needs exactly one of interface, httpGet or pods");
                }
                if (!INTERFACE_NAME.matcher(t.getInterfaceName()).matches()) {
                    throw error(field + ".interface", "'" + t.getInterfaceName() + "' is not an interface name");
                }
                if (!seen.add(t.getInterfaceName())) {
                    throw error(field + ".interface", "'" + t.getInterfaceName() + "' is tracked twice");
                }
                tracks.add(new VipDefinition.InterfaceTrack(t.getInterfaceName(), weight(t, field)));
            }
            return tracks;
        }

        private List<VipDefinition.ExternalTrack> httpTracks(VirtualIPSpec spec) throws ConfigException {
            List<VipDefinition.ExternalTrack> tracks = new ArrayList<>();
            List<Track> specs = spec.getTracks() == null ? List.of() : spec.getTracks();
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < specs.size(); i++) {
                Track t = specs.get(i);
                HttpGetTrack http = t.getHttpGet();
                if (http == null) {
                    continue;
                }
                String field = "spec.tracks[" + i + "]";
                if (t.getInterfaceName() != null || t.getPods() != null) {
                    throw error(field, "a track needs exactly one of interface, httpGet or pods");
                }
                if (http.getPort() == null || http.getPort() < 1 || http.getPort() > 65535) {
                    throw error(field + ".httpGet.port", "required, 1 to 65535");
                }
                String path = orDefault(http.getPath(), "/");
                if (!path.startsWith("/")) {
                    throw error(field + ".httpGet.path", "must start with '/'");
                }
                String host = orDefault(http.getHost(), "127.0.0.1");
                int interval = range(t.getIntervalSeconds(), 2, 1, 3600, field + ".intervalSeconds");
                int failures = range(t.getFailureThreshold(), 2, 1, 100, field + ".failureThreshold");
                int successes = range(t.getSuccessThreshold(), 1, 1, 100, field + ".successThreshold");
                String name = "httpGet " + (host.contains(":") ? "[" + host + "]" : host) + ":" + http.getPort()
                        + path;
                if (!seen.add(name)) {
                    throw error(field + ".httpGet", "'" + name + "' is tracked twice");
                }
                tracks.add(new VipDefinition.ExternalTrack(name, weight(t, field),
                        new VipDefinition.HttpGetCheck(host, http.getPort(), path, interval, failures, successes)));
            }
            return tracks;
        }

        private int weight(Track t, String field) throws ConfigException {
            return range(t.getWeight(), 0, -254, 254, field + ".weight");
        }

        private int range(Integer value, int fallback, int min, int max, String field) throws ConfigException {
            int v = orDefault(value, fallback);
            if (v < min || v > max) {
                throw error(field, "must be " + min + " to " + max + ", was " + v);
            }
            return v;
        }

        private Duration duration(String field, String text) throws ConfigException {
            Matcher m = DURATION.matcher(text);
            if (!m.matches()) {
                throw error(field, "'" + text + "' is not a duration (for example 1s, 100ms, 0.25s)");
            }
            if (m.group(3) != null) {
                try {
                    return Duration.ofNanos(new BigDecimal(m.group(3)).movePointRight(9).longValueExact());
                } catch (ArithmeticException e) {
                    throw error(field, "'" + text + "' is finer than a nanosecond or too long");
                }
            }
            long amount = Long.parseLong(m.group(1));
            return "ms".equals(m.group(2)) ? Duration.ofMillis(amount) : Duration.ofSeconds(amount);
        }
    }

    /** A Secret name or key used as a file name must not climb out of the secrets directory. */
    private static boolean safePathElement(String s) {
        return !s.isEmpty() && !s.contains("/") && !s.equals(".") && !s.equals("..");
    }

    private static <T> T orDefault(T value, T fallback) {
        return value == null ? fallback : value;
    }
}
