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
    String id = client.experiments().create(name);
    Experiment e = client.experiments().get(id);
    assertEquals(id, e.experimentId());
    assertEquals(name, e.name());
    assertEquals(LifecycleStage.ACTIVE, e.lifecycleStage());
    assertTrue(e.creationTime() > 0);
    assertFalse(e.artifactLocation().isEmpty());
  }

  @Test
  void createsWithArtifactLocationAndTags() {
    String id =
        client
            .experiments()
            .create(
                unique("tagged"),
                CreateExperimentOptions.defaults()
                    .withArtifactLocation("/tmp/trackd-art")
                    .withTags(Map.of("team", "risk")));
    Experiment e = client.experiments().get(id);
    assertEquals("/tmp/trackd-art", e.artifactLocation());
    assertEquals(Map.of("team", "risk"), e.tags());
  }

  @Test
  void defaultExperimentExists() {
    assertEquals("Default", client.experiments().get("0").name());
  }

  @Test
  void getsByNameOrEmpty() {
    String name = unique("byname");
    String id = client.experiments().create(name);
    assertEquals(id, client.experiments().getByName(name).orElseThrow().experimentId());
    assertEquals(Optional.empty(), client.experiments().getByName(unique("absent")));
  }

  @Test
  void renames() {
    String id = newExperiment();
    String newName = unique("renamed");
    assertEquals(newName, client.experiments().rename(id, newName).name());
    assertEquals(newName, client.experiments().get(id).name());
  }

  @Test
  void deletesAndRestores() {
    String name = unique("lifecycle");
    String id = client.experiments().create(name);
    client.experiments().delete(id);
    assertEquals(LifecycleStage.DELETED, client.experiments().get(id).lifecycleStage());
    SearchExperimentsOptions byName =
        SearchExperimentsOptions.defaults().withFilter("name = '" + name + "'");
    assertEquals(List.of(), names(client.experiments().search(byName)));
    assertEquals(
        List.of(name),
        names(client.experiments().search(byName.withViewType(ViewType.DELETED_ONLY))));
    client.experiments().restore(id);
    assertEquals(LifecycleStage.ACTIVE, client.experiments().get(id).lifecycleStage());
    assertEquals(
        List.of(name), names(client.experiments().search(byName.withViewType(ViewType.ALL))));
  }

  @Test
  void setsAndDeletesExperimentTags() {
    String id = newExperiment();
    client.experiments().setTag(id, "owner", "ana");
    client.experiments().setTag(id, "owner", "bo");
    assertEquals(Map.of("owner", "bo"), client.experiments().get(id).tags());
    client.experiments().deleteTag(id, "owner");
    assertEquals(Map.of(), client.experiments().get(id).tags());
  }

  @Test
  void searchIteratesOverEveryPage() {
    String prefix = unique("paged");
    List<String> created = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      created.add(prefix + "-" + i);
      client.experiments().create(prefix + "-" + i);
    }
    SearchExperimentsOptions search =
        SearchExperimentsOptions.defaults()
            .withFilter("name LIKE '" + prefix + "-%'")
            .withOrderBy("name ASC")
            .withPageSize(2);
    assertEquals(created, names(client.experiments().search(search)));
    // Iterating again starts over.
    assertEquals(created, names(client.experiments().search(search)));

    Page<Experiment> first = client.experiments().searchPage(search.withPageToken(null));
    assertEquals(2, first.getPageSize());
    assertTrue(first.hasNextPage());
    Page<Experiment> second = first.nextPage();
    assertEquals(created.subList(2, 4), names(second.getItems()));
    Page<Experiment> resumed =
        client
            .experiments()
            .searchPage(search.withPageToken(second.getNextPageToken().orElseThrow()));
    assertEquals(created.subList(4, 5), names(resumed.getItems()));
    assertFalse(resumed.hasNextPage());
    assertEquals(Optional.empty(), resumed.getNextPageToken());
    assertEquals(List.of(), resumed.nextPage().getItems());
  }

  @Test
  void searchWithoutArgumentsListsActiveExperiments() {
    String name = unique("listed");
    client.experiments().create(name);
    assertTrue(names(client.experiments().search()).contains(name));
  }

  static List<String> names(Iterable<Experiment> experiments) {
    List<String> out = new ArrayList<>();
    experiments.forEach(e -> out.add(e.name()));
    return out;
  }
}
