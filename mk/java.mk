# The Java/Scala client (clients/java): `make test-java` builds it with Maven, generating the
# stubs from proto/, and runs its JUnit suites against real trackd servers over SQLite and
# PostgreSQL. Maven downloads its dependencies (protoc included) from Maven Central.
JAVA_DIR := clients/java
# Surefire's "Tests run:" lines stay visible; -ntp hides the download progress.
MVN ?= mvn -B -ntp

.PHONY: java-tools test-java

# JDK 17 and Maven from Debian's packages when they are missing (idempotent; needs root).
java-tools:
	@if ! command -v mvn >/dev/null 2>&1 || ! command -v javac >/dev/null 2>&1; then \
	  echo "installing JDK 17 and Maven"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    openjdk-17-jdk-headless maven >/dev/null; \
	fi

# Surefire keeps test output in files; the conformance runner's count lines are printed from
# there whether the build passed or not.
CONFORMANCE_JAVA_OUT := $(JAVA_DIR)/trackd-client/target/surefire-reports/io.trackd.client.ConformanceTest-output.txt

test-java: venv postgres java-tools
	@rm -f $(CONFORMANCE_JAVA_OUT)
	TRACKD_SERVER_BIN=$(CURDIR)/$(BIN)/trackd TRACKD_PYTHON=$(CURDIR)/$(BIN)/python \
	  $(MVN) -f $(JAVA_DIR) install; status=$$?; \
	  grep -h '^conformance java' $(CONFORMANCE_JAVA_OUT) 2>/dev/null \
	    || echo "conformance java: no counts (ConformanceTest did not run)"; \
	  exit $$status

TEST_SUITES += test-java
