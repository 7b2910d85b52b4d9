package io.trackd.client;

import io.trackd.testing.SharedServers;
import io.trackd.testing.TestPaths;
import io.trackd.testing.TrackdServer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The Java runner of the conformance cases (tests/conformance/cases/*.json): one dynamic test per
 * case and backend against the shared real servers. A case the Java client does not support is
 * reported as skipped (aborted) with its reason and counted as unsupported; the closing lines
 * read {@code conformance java <backend>: N passed, M failed, K unsupported}.
 */
class ConformanceTest {
  private static final Map<String, int[]> COUNTS = new TreeMap<>();

  @TestFactory
  Stream<DynamicNode> cases() {
    List<ConformanceCases.Case> cases =
        ConformanceCases.load(TestPaths.repoRoot().resolve("tests/conformance/cases"));
    return Stream.of(
        backend("sqlite", SharedServers::sqlite, cases),
        backend("postgresql", SharedServers::postgres, cases));
  }

  private static DynamicNode backend(
      String backend, Supplier<TrackdServer> server, List<ConformanceCases.Case> cases) {
    int[] counts = COUNTS.computeIfAbsent(backend, b -> new int[3]);
    List<DynamicTest> tests = new ArrayList<>();
    for (ConformanceCases.Case c : cases) {
      tests.add(
          DynamicTest.dynamicTest(
              c.name(),
              () -> {
                String reason = c.unsupportedReason(backend);
                if (reason != null) {
                  counts[2]++;
                  Assumptions.abort("unsupported by the Java client: " + reason);
                }
                try {
                  execute(c, server.get());
                  counts[0]++;
                } catch (Throwable t) {
                  counts[1]++;
                  throw t;
                }
              }));
    }
    return DynamicContainer.dynamicContainer(backend, tests);
  }

  @SuppressWarnings("unchecked")
  private static void execute(ConformanceCases.Case c, TrackdServer server) throws Exception {
    Map<String, Object> vars = new HashMap<>();
    vars.put("uid", java.util.UUID.randomUUID().toString().replace("-", "").substring(0, 12));
    List<Map<String, Object>> steps = c.steps();
    try (TrackingClient client = TrackingClient.create(server.uri())) {
      ConformanceOperations ops =
          new ConformanceOperations(client, SharedServers.tempDir("conformance"));
      int i = 0;
      while (i < steps.size()) {
        if (ConformanceCases.PARTNER.equals(steps.get(i).get("client"))) {
          // Consecutive Python steps go to one Python process.
          int j = i;
          while (j < steps.size() && ConformanceCases.PARTNER.equals(steps.get(j).get("client"))) {
            j++;
          }
          try {
            PythonSteps.run(server.uri(), steps.subList(i, j), vars);
          } catch (AssertionError e) {
            throw new AssertionError(where(c, i, steps.get(i)) + e.getMessage(), e);
          }
          i = j;
          continue;
        }
        Map<String, Object> step = steps.get(i);
        try {
          runStep(ops, step, vars);
        } catch (AssertionError e) {
          throw new AssertionError(where(c, i, step) + e.getMessage(), e);
        }
        i++;
      }
    }
  }

  private static String where(ConformanceCases.Case c, int index, Map<String, Object> step) {
    return c.file() + " " + c.name() + ", step " + index + " (" + step.get("op") + "): ";
  }

  @SuppressWarnings("unchecked")
  private static void runStep(
      ConformanceOperations ops, Map<String, Object> step, Map<String, Object> vars) {
    String op = (String) step.get("op");
    Map<String, Object> args =
        (Map<String, Object>)
            ConformanceCases.substitute(step.getOrDefault("args", Map.of()), vars);
    Object expectedError = step.get("expect_error");
    Object result;
    try {
      result = ops.call(op, args);
    } catch (TrackdException e) {
      if (expectedError == null) {
        throw new AssertionError(
            "unexpected error " + e.getCode() + " (" + e.getReason().orElse("") + "): "
                + e.getMessage(), e);
      }
      Map<String, Object> actual = new HashMap<>();
      actual.put("code", e.getCode().name());
      actual.put("reason", e.getReason().orElse(e.getCode().name()));
      ConformanceCases.match(expectedError, actual, op + " error");
      return;
    }
    if (expectedError != null) {
      throw new AssertionError("expected error " + expectedError + ", got result " + result);
    }
    if (step.containsKey("expect")) {
      ConformanceCases.match(ConformanceCases.substitute(step.get("expect"), vars), result, op);
    }
    if (step.containsKey("save")) {
      vars.put((String) step.get("save"), result);
    }
  }

  @AfterAll
  static void report() {
    COUNTS.forEach(
        (backend, c) ->
            System.out.printf(
                "conformance java %s: %d passed, %d failed, %d unsupported%n",
                backend, c[0], c[1], c[2]));
  }
}
