# The operator: Quarkus' fast-jar from `mvn -B -DskipTests package` (operator/target/quarkus-app/).
# Build from the repository root:  docker build -f images/operator.Dockerfile -t virtualip/operator:0.1.0 .
FROM eclipse-temurin:17-jre

LABEL org.opencontainers.image.title="virtualip-operator" \
      org.opencontainers.image.description="VirtualIP operator: agent DaemonSets, VRID allocation, split-brain detection" \
      org.opencontainers.image.version="0.1.0"

# Dependencies change least often: their layers come first so rebuilds reuse them.
COPY --chown=1001:1001 operator/target/quarkus-app/lib/ /app/lib/
COPY --chown=1001:1001 operator/target/quarkus-app/*.jar /app/
COPY --chown=1001:1001 operator/target/quarkus-app/app/ /app/app/
COPY --chown=1001:1001 operator/target/quarkus-app/quarkus/ /app/quarkus/

# Same numeric user as the chart's runAsUser, so runAsNonRoot can be checked without a passwd entry.
USER 1001:1001
ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75 -Djava.util.logging.manager=org.jboss.logmanager.LogManager"

WORKDIR /app
# /q/health/*, /q/metrics
EXPOSE 8080
ENTRYPOINT ["java", "-jar", "/app/quarkus-run.jar"]
