# The node agent: the shaded jar from `mvn -B -DskipTests package` (agent/target/virtualip-agent.jar).
# Build from the repository root:  docker build -f images/agent.Dockerfile -t virtualip/agent:0.1.0 .
FROM eclipse-temurin:17-jre

LABEL org.opencontainers.image.title="virtualip-agent" \
      org.opencontainers.image.description="VirtualIP node agent: VRRP (RFC 3768/5798) engine that holds the virtual IP" \
      org.opencontainers.image.version="0.1.0"

COPY agent/target/virtualip-agent.jar /app/virtualip-agent.jar

# The DaemonSet runs this as user 0 with only NET_ADMIN and NET_RAW (Kubernetes grants no ambient capabilities
# to non-root users) and a read-only root filesystem. jnr-ffi unpacks its native stub into java.io.tmpdir, so
# that points at the pod's writable emptyDir, /run/virtualip (which also holds the control socket and the ready
# file). -XX:-UsePerfData keeps the JVM from writing hsperfdata to /tmp. The serial collector and the C1 compiler
# alone keep the agent's footprint (RSS) near 70 MiB under the chart's 128Mi limit: G1's own structures took ~35 MiB
# more and C2 ~15 MiB more, for an agent that allocates nothing per advert and has little code to optimise.
# src/ benchmarks the agent with these options (FailoverBenchmark.AGENT_JVM_OPTIONS, checked by a test).
ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75 -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:-UsePerfData -Djava.io.tmpdir=/run/virtualip"

WORKDIR /app
# The operator's DaemonSet passes the subcommand: ["kubernetes"].
ENTRYPOINT ["java", "-jar", "/app/virtualip-agent.jar"]
