# Hookshard's service image: built from this repository, run as an unprivileged user.
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml .
COPY shard-router shard-router
COPY embedded embedded
COPY service service
COPY devstack devstack
RUN mvn -B -q -pl service -am package -DskipTests

FROM eclipse-temurin:17-jre
RUN useradd --system --uid 10001 hookshard
COPY --from=build /src/service/target/hookshard.jar /opt/hookshard/hookshard.jar
COPY config-docker.yml /etc/hookshard/config.yml
USER hookshard
EXPOSE 8080 8081
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-jar", "/opt/hookshard/hookshard.jar"]
CMD ["server", "/etc/hookshard/config.yml"]
