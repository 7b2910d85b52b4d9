package io.trackd.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class ValueTypesTest {
  @Test
  void runDataLooksUpByKey() {
    RunData data =
        new RunData(
            List.of(new Metric("loss", 0.5, 1, 2)),
            List.of(new Param("lr", "0.1")),
            List.of(new Tag("team", "risk")));
    assertEquals(Optional.of(new Metric("loss", 0.5, 1, 2)), data.metric("loss"));
    assertEquals(Optional.of("0.1"), data.param("lr"));
    assertEquals(Optional.of("risk"), data.tag("team"));
    assertEquals(Optional.empty(), data.param("missing"));
  }

  @Test
  void valueTypesAreImmutableCopies() {
    Map<String, String> tags = new HashMap<>(Map.of("a", "1"));
    CreateRunOptions spec = CreateRunOptions.defaults().withTags(tags);
    tags.put("b", "2");
    assertEquals(Map.of("a", "1"), spec.tags());
    assertThrows(UnsupportedOperationException.class, () -> spec.tags().put("c", "3"));
    Experiment e = new Experiment("1", "n", "", LifecycleStage.ACTIVE, 0, 0, tags);
    assertThrows(UnsupportedOperationException.class, () -> e.tags().clear());
  }

  @Test
  void nanMetricsAreEqualAsValues() {
    assertEquals(new Metric("m", Double.NaN, 1, 1), new Metric("m", Double.NaN, 1, 1));
  }

  @Test
  void searchesValidateTheirArguments() {
    assertThrows(IllegalArgumentException.class, () -> SearchRunsOptions.inExperiments(List.of()));
    assertThrows(
        IllegalArgumentException.class, () -> SearchExperimentsOptions.defaults().withPageSize(-1));
    SearchRunsOptions search =
        SearchRunsOptions.inExperiments("1", "2")
            .withFilter("metrics.a > 1")
            .withViewType(ViewType.ALL)
            .withOrderBy("metrics.a DESC")
            .withPageSize(5);
    assertEquals(
        new SearchRunsOptions(
            List.of("1", "2"),
            "metrics.a > 1",
            ViewType.ALL,
            List.of("metrics.a DESC"),
            5,
            RunReadMask.all(),
            ""),
        search);
  }

  @Test
  void runIdShortcut() {
    RunInfo info =
        new RunInfo(
            "abc",
            "n",
            "0",
            "u",
            RunStatus.RUNNING,
            1,
            OptionalLong.empty(),
            "",
            LifecycleStage.ACTIVE);
    assertEquals("abc", new Run(info, new RunData(List.of(), List.of(), List.of())).id());
  }
}
