package io.trackd.client;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.trackd.testing.Subprocess;
import io.trackd.testing.TestPaths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What Java writes, Python reads identically: values written with this client are read back with
 * the generated Python stubs (readback.py, run by the repository's Python) and compared.
 */
abstract class PythonReadbackContract extends ServerContract {
  private static final String UNICODE_KEY = "précision/ß/测试/λ/🚀";

  @Test
  void pythonReadsBackExactlyWhatJavaWrote() throws Exception {
    String exp = newExperiment();
    String run;
    String paramValue = "é".repeat(5998) + "xy";
    String tagValue = "标".repeat(7999) + "z";
    assertEquals(6000, paramValue.length());
    assertEquals(8000, tagValue.length());
    double[] values = {
      Double.NaN,
      Double.POSITIVE_INFINITY,
      Double.NEGATIVE_INFINITY,
      0.1,
      -1.5e300,
      Double.MIN_VALUE
    };
    try (TrackingContext ctx = new TrackingContext(client).setExperimentId(exp);
        ActiveRun active = ctx.startRun("readback-ü")) {
      run = active.getId();
      for (int i = 0; i < values.length; i++) {
        client.metrics().log(run, new Metric(UNICODE_KEY, values[i], 1_700_000_000_000L + i, i));
      }
      client.metrics().log(run, new Metric("nan", Double.NaN, 1_700_000_000_000L, 0));
      active.logParam("long-param", paramValue);
      active.logParam(UNICODE_KEY, "värde ✓");
      active.setTag("long-tag", tagValue);
      active.setTag(UNICODE_KEY, "🏷");
    }

    JsonNode py = readBack(server().uri(), run);
    Run java = client.runs().get(run);

    assertEquals(run, py.get("run_id").asText());
    assertEquals("readback-ü", py.get("run_name").asText());
    assertEquals(exp, py.get("experiment_id").asText());
    assertEquals("RUN_STATUS_FINISHED", py.get("status").asText());
    assertEquals(paramValue, py.get("params").get("long-param").asText());
    assertEquals("värde ✓", py.get("params").get(UNICODE_KEY).asText());
    assertEquals(tagValue, py.get("tags").get("long-tag").asText());
    assertEquals("🏷", py.get("tags").get(UNICODE_KEY).asText());
    assertEquals(asMap(java.data().params()), stringMap(py.get("params")));
    assertEquals(tagMap(java.data().tags()), stringMap(py.get("tags")));

    List<Metric> expected = new ArrayList<>();
    for (int i = 0; i < values.length; i++) {
      expected.add(new Metric(UNICODE_KEY, values[i], 1_700_000_000_000L + i, i));
    }
    assertEquals(expected, metrics(py.get("history").get(UNICODE_KEY)));
    assertEquals(
        List.of(new Metric("nan", Double.NaN, 1_700_000_000_000L, 0)),
        metrics(py.get("history").get("nan")));
    assertEquals(expected.get(values.length - 1), metric(py.get("metrics").get(UNICODE_KEY)));
  }

  static JsonNode readBack(String uri, String runId) throws Exception {
    String script =
        TestPaths.repoRoot()
            .resolve("clients/java/trackd-client/src/test/python/readback.py")
            .toString();
    String json = Subprocess.run(List.of(TestPaths.python().toString(), script, uri, runId));
    return new ObjectMapper().readTree(json);
  }

  private static List<Metric> metrics(JsonNode points) {
    List<Metric> out = new ArrayList<>();
    points.forEach(p -> out.add(metric(p)));
    return out;
  }

  private static Metric metric(JsonNode p) {
    return new Metric(
        p.get("key").asText(),
        Double.parseDouble(p.get("value").asText()),
        p.get("timestamp").asLong(),
        p.get("step").asLong());
  }

  private static Map<String, String> stringMap(JsonNode object) {
    Map<String, String> out = new HashMap<>();
    object.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
    return out;
  }

  private static Map<String, String> asMap(List<Param> params) {
    Map<String, String> out = new HashMap<>();
    params.forEach(p -> out.put(p.key(), p.value()));
    return out;
  }

  private static Map<String, String> tagMap(List<Tag> tags) {
    Map<String, String> out = new HashMap<>();
    tags.forEach(t -> out.put(t.key(), t.value()));
    return out;
  }
}
