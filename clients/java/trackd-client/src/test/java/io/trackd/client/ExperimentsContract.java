package io.trackd.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

abstract class ExperimentsContract extends ServerContract {
  @Test
  void createsAndReadsAnExperiment() {
    String name = unique("create");
    String id = client.createExperiment(name);
    Experiment e = client.getExperiment(id);
    assertEquals(id, e.experimentId());
    assertEquals(name, e.name());
    assertEquals(LifecycleStage.ACTIVE, e.lifecycleStage());
    assertTrue(e.creationTime() > 0);
    assertFalse(e.artifactLocation().isEmpty());
  }

  @Test
  void createsWithArtifactLocationAndTags() {
    String id =
        client.createExperiment(unique("tagged"), "/tmp/trackd-art", Map.of("team", "risk"));
    Experiment e = client.getExperiment(id);
    assertEquals("/tmp/trackd-art", e.artifactLocation());
    assertEquals(Map.of("team", "risk"), e.tags());
  }

  @Test
  void defaultExperimentExists() {
    assertEquals("Default", client.getExperiment("0").name());
  }

  @Test
  void getsByNameOrEmpty() {
    String name = unique("byname");
    String id = client.createExperiment(name);
    assertEquals(id, client.getExperimentByName(name).orElseThrow().experimentId());
    assertEquals(Optional.empty(), client.getExperimentByName(unique("absent")));
  }

  @Test
  void renames() {
    String id = newExperiment();
    String newName = unique("renamed");
    assertEquals(newName, client.renameExperiment(id, newName).name());
    assertEquals(newName, client.getExperiment(id).name());
  }

  @Test
  void deletesAndRestores() {
    String name = unique("lifecycle");
    String id = client.createExperiment(name);
    client.deleteExperiment(id);
    assertEquals(LifecycleStage.DELETED, client.getExperiment(id).lifecycleStage());
    ExperimentSearch byName = ExperimentSearch.all().withFilter("name = '" + name + "'");
    assertEquals(List.of(), names(client.searchExperiments(byName)));
    assertEquals(
        List.of(name), names(client.searchExperiments(byName.withViewType(ViewType.DELETED_ONLY))));
    client.restoreExperiment(id);
    assertEquals(LifecycleStage.ACTIVE, client.getExperiment(id).lifecycleStage());
    assertEquals(List.of(name), names(client.searchExperiments(byName.withViewType(ViewType.ALL))));
  }

  @Test
  void setsAndDeletesExperimentTags() {
    String id = newExperiment();
    client.setExperimentTag(id, "owner", "ana");
    client.setExperimentTag(id, "owner", "bo");
    assertEquals(Map.of("owner", "bo"), client.getExperiment(id).tags());
    client.deleteExperimentTag(id, "owner");
    assertEquals(Map.of(), client.getExperiment(id).tags());
  }

  @Test
  void searchIteratesOverEveryPage() {
    String prefix = unique("paged");
    List<String> created = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      created.add(prefix + "-" + i);
      client.createExperiment(prefix + "-" + i);
    }
    ExperimentSearch search =
        ExperimentSearch.all()
            .withFilter("name LIKE '" + prefix + "-%'")
            .withOrderBy("name ASC")
            .withPageSize(2);
    assertEquals(created, names(client.searchExperiments(search)));
    // Iterating again starts over.
    assertEquals(created, names(client.searchExperiments(search)));

    Page<Experiment> first = client.searchExperimentsPage(search, null);
    assertEquals(2, first.getPageSize());
    assertTrue(first.hasNextPage());
    Page<Experiment> second = first.nextPage();
    assertEquals(created.subList(2, 4), names(second.getItems()));
    Page<Experiment> resumed =
        client.searchExperimentsPage(search, second.getNextPageToken().orElseThrow());
    assertEquals(created.subList(4, 5), names(resumed.getItems()));
    assertFalse(resumed.hasNextPage());
    assertEquals(Optional.empty(), resumed.getNextPageToken());
    assertEquals(List.of(), resumed.nextPage().getItems());
  }

  @Test
  void searchWithoutArgumentsListsActiveExperiments() {
    String name = unique("listed");
    client.createExperiment(name);
    assertTrue(names(client.searchExperiments()).contains(name));
  }

  static List<String> names(Iterable<Experiment> experiments) {
    List<String> out = new ArrayList<>();
    experiments.forEach(e -> out.add(e.name()));
    return out;
  }
}
