package io.trackd.client;

import io.trackd.testing.TestPaths;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Performs the steps of a cross-language case that name {@code "client": "python"}: the
 * repository's Python runs them with the Python client (tests/conformance/run_steps.py), on the
 * same server, and hands the variables back. Python checks its own expectations.
 */
final class PythonSteps {
  private PythonSteps() {}

  @SuppressWarnings("unchecked")
  static void run(String trackingUri, List<Map<String, Object>> steps, Map<String, Object> vars) {
    Path script = TestPaths.repoRoot().resolve("tests/conformance/run_steps.py");
    Map<String, Object> request = new LinkedHashMap<>();
    request.put("steps", ConformanceCases.encode(steps));
    request.put("vars", ConformanceCases.encode(vars));
    try {
      Path input = Files.createTempFile("trackd-conformance", ".json");
      Files.writeString(input, ConformanceCases.toJson(request), StandardCharsets.UTF_8);
      Process process =
          new ProcessBuilder(TestPaths.python().toString(), script.toString(), trackingUri)
              .redirectInput(input.toFile())
              .redirectError(ProcessBuilder.Redirect.INHERIT)
              .start();
      String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(120, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new AssertionError("python steps timed out");
      }
      Files.deleteIfExists(input);
      Map<String, Object> answer = (Map<String, Object>) ConformanceCases.parseJson(out);
      if (answer.containsKey("failure")) {
        throw new AssertionError(answer.get("failure"));
      }
      if (process.exitValue() != 0) {
        throw new AssertionError("python steps exited " + process.exitValue() + ": " + out);
      }
      vars.putAll((Map<String, Object>) answer.get("vars"));
    } catch (IOException e) {
      throw new AssertionError("cannot run " + script, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted running python steps", e);
    }
  }
}
