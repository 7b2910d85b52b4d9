package io.trackd.client;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;

/**
 * The Java runner's one dispatcher: each conformance operation name mapped to one call of the
 * public {@link TrackingClient}, and each result turned into the neutral shape cases compare
 * against (tests/conformance/README.md, "Results"). When the client's API changes, only this
 * class follows it.
 */
final class ConformanceOperations {
  private final TrackingClient client;
  private final Path scratch;

  ConformanceOperations(TrackingClient client, Path scratch) {
    this.client = client;
    this.scratch = scratch;
  }

  /** Performs {@code op}; the result is a neutral value (null for calls that answer nothing). */
  Object call(String op, Map<String, Object> a) {
    return switch (op) {
      case "create_experiment" ->
          client
              .experiments()
              .create(
                  str(a, "name"),
                  CreateExperimentOptions.defaults()
                      .withArtifactLocation(strOr(a, "artifact_location", ""))
                      .withTags(strMap(a, "tags")));
      case "get_experiment" -> experiment(client.experiments().get(str(a, "experiment_id")));
      case "get_experiment_by_name" ->
          client.experiments().getByName(str(a, "name")).map(ConformanceOperations::experiment).orElse(null);
      case "search_experiments" ->
          limit(client.experiments().search(experimentSearch(a)), a).stream()
              .map(ConformanceOperations::experiment)
              .toList();
      case "search_experiments_page" ->
          page(
              client.experiments().searchPage(experimentSearch(a).withPageToken(str(a, "page_token"))),
              ConformanceOperations::experiment);
      case "rename_experiment" -> {
        client.experiments().rename(str(a, "experiment_id"), str(a, "new_name"));
        yield null;
      }
      case "delete_experiment" -> {
        client.experiments().delete(str(a, "experiment_id"));
        yield null;
      }
      case "restore_experiment" -> {
        client.experiments().restore(str(a, "experiment_id"));
        yield null;
      }
      case "set_experiment_tag" -> {
        client.experiments().setTag(str(a, "experiment_id"), str(a, "key"), str(a, "value"));
        yield null;
      }
      case "delete_experiment_tag" -> {
        client.experiments().deleteTag(str(a, "experiment_id"), str(a, "key"));
        yield null;
      }
      case "create_run" -> run(client.runs().create(str(a, "experiment_id"), runSpec(a)));
      case "get_run" -> run(client.runs().get(str(a, "run_id")));
      case "update_run" ->
          runInfo(
              client.runs().update(str(a, "run_id"), updateOptions(a)));
      case "delete_run" -> {
        client.runs().delete(str(a, "run_id"));
        yield null;
      }
      case "restore_run" -> {
        client.runs().restore(str(a, "run_id"));
        yield null;
      }
      case "set_tag" -> {
        client.runs().setTag(str(a, "run_id"), str(a, "key"), str(a, "value"));
        yield null;
      }
      case "delete_tag" -> {
        client.runs().deleteTag(str(a, "run_id"), str(a, "key"));
        yield null;
      }
      case "log_param" -> {
        client.runs().logParam(str(a, "run_id"), str(a, "key"), str(a, "value"));
        yield null;
      }
      case "log_batch" -> {
        client.runs().logBatch(
            str(a, "run_id"),
            maps(a, "metrics").stream().map(ConformanceOperations::metric).toList(),
            maps(a, "params").stream().map(p -> new Param(str(p, "key"), str(p, "value"))).toList(),
            maps(a, "tags").stream().map(t -> new Tag(str(t, "key"), str(t, "value"))).toList());
        yield null;
      }
      case "search_runs" ->
          limit(client.runs().search(runSearch(a)), a).stream().map(ConformanceOperations::run).toList();
      case "search_runs_page" ->
          page(client.runs().searchPage(runSearch(a).withPageToken(str(a, "page_token"))), ConformanceOperations::run);
      case "log_metric" -> {
        if (a.containsKey("timestamp") || a.containsKey("step")) {
          client
              .metrics()
              .log(
                  str(a, "run_id"),
                  new Metric(str(a, "key"), num(a, "value"), lng(a, "timestamp"), lng(a, "step")));
        } else {
          client.metrics().log(str(a, "run_id"), str(a, "key"), num(a, "value"));
        }
        yield null;
      }
      case "get_metric_history" -> history(a);
      case "get_metric_history_bulk" ->
          client
              .metrics()
              .bulkHistory(strings(a, "run_ids"), strings(a, "keys"), bulkOptions(a))
              .stream()
              .map(ConformanceOperations::series)
              .toList();
      case "upload_artifact" -> {
        upload(a);
        yield null;
      }
      case "download_artifact" -> download(a);
      case "list_artifacts" ->
          client.artifacts().list(str(a, "run_id"), str(a, "path")).stream()
              .map(ConformanceOperations::fileInfo)
              .toList();
      default -> throw new AssertionError("the Java runner has no operation " + op);
    };
  }

  // ---------------------------------------------------------------------------------- requests

  private static SearchExperimentsOptions experimentSearch(Map<String, Object> a) {
    return SearchExperimentsOptions.defaults()
        .withFilter(strOr(a, "filter", ""))
        .withViewType(viewType(a))
        .withOrderBy(strings(a, "order_by").toArray(String[]::new))
        .withPageSize((int) lng(a, "page_size"));
  }

  private static UpdateRunOptions updateOptions(Map<String, Object> a) {
    UpdateRunOptions options = UpdateRunOptions.unchanged();
    if (a.containsKey("status")) {
      options = options.withStatus(RunStatus.valueOf(str(a, "status")));
    }
    if (a.get("end_time") != null) {
      options = options.withEndTime(lng(a, "end_time"));
    }
    if (a.get("run_name") != null) {
      options = options.withRunName(str(a, "run_name"));
    }
    return options;
  }

  private static HistoryOptions bulkOptions(Map<String, Object> a) {
    int maxPoints = (int) lng(a, "max_points");
    HistoryOptions options =
        maxPoints == 0 ? HistoryOptions.serverChosen() : HistoryOptions.maxPoints(maxPoints);
    return options.withSteps(steps(a));
  }

  private static SearchRunsOptions runSearch(Map<String, Object> a) {
    RunReadMask mask =
        new RunReadMask(
            keys(a, "metric_keys"),
            !a.containsKey("metric_keys"),
            keys(a, "param_keys"),
            !a.containsKey("param_keys"),
            keys(a, "tag_keys"),
            !a.containsKey("tag_keys"));
    return SearchRunsOptions.inExperiments(strings(a, "experiment_ids"))
        .withFilter(strOr(a, "filter", ""))
        .withViewType(viewType(a))
        .withOrderBy(strings(a, "order_by").toArray(String[]::new))
        .withPageSize((int) lng(a, "page_size"))
        .withReadMask(mask);
  }

  private static CreateRunOptions runSpec(Map<String, Object> a) {
    return CreateRunOptions.defaults()
        .withRunName(strOr(a, "run_name", ""))
        .withParentRunId(strOr(a, "parent_run_id", ""))
        .withUserId(System.getProperty("user.name", ""))
        .withStartTime(lng(a, "start_time"))
        .withTags(strMap(a, "tags"));
  }

  private static ViewType viewType(Map<String, Object> a) {
    return ViewType.valueOf(strOr(a, "view_type", "ACTIVE_ONLY"));
  }

  private static StepRange steps(Map<String, Object> a) {
    Long start = (Long) a.get("start_step");
    Long end = (Long) a.get("end_step");
    if (start != null && end != null) {
      return StepRange.between(start, end);
    }
    if (start != null) {
      return StepRange.from(start);
    }
    return end != null ? StepRange.upTo(end) : StepRange.all();
  }

  private Object history(Map<String, Object> a) {
    String runId = str(a, "run_id");
    String key = str(a, "key");
    if (!a.containsKey("max_points") && !a.containsKey("start_step") && !a.containsKey("end_step")) {
      return client.metrics().history(runId, key).stream().map(ConformanceOperations::point).toList();
    }
    // The Java API takes a step range only with a point budget; the largest budget (25000)
    // answers every point of the short series cases log.
    int maxPoints = a.containsKey("max_points") ? (int) lng(a, "max_points") : 25_000;
    return client.metrics().downsampledHistory(runId, key, HistoryOptions.maxPoints(maxPoints).withSteps(steps(a))).points().stream()
        .map(ConformanceOperations::point)
        .toList();
  }

  private void upload(Map<String, Object> a) {
    String path = str(a, "path");
    int slash = path.lastIndexOf('/');
    try {
      Path dir = Files.createTempDirectory(scratch, "upload-");
      Path local = dir.resolve(path.substring(slash + 1));
      Files.writeString(local, str(a, "text"), StandardCharsets.UTF_8);
      client.artifacts().upload(str(a, "run_id"), local, slash < 0 ? UploadOptions.root() : UploadOptions.into(path.substring(0, slash)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private String download(Map<String, Object> a) {
    try {
      Path dir = Files.createTempDirectory(scratch, "download-");
      Path local = client.artifacts().download(str(a, "run_id"), str(a, "path"), dir);
      return Files.readString(local, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  // ----------------------------------------------------------------------------------- results

  static Map<String, Object> experiment(Experiment e) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("experiment_id", e.experimentId());
    m.put("name", e.name());
    m.put("artifact_location", e.artifactLocation());
    m.put("lifecycle_stage", e.lifecycleStage().name().toLowerCase(java.util.Locale.ROOT));
    m.put("tags", new LinkedHashMap<>(e.tags()));
    return m;
  }

  static Map<String, Object> runInfo(RunInfo i) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("run_id", i.runId());
    m.put("run_name", i.runName());
    m.put("experiment_id", i.experimentId());
    m.put("user_id", i.userId());
    m.put("status", i.status().name());
    m.put("start_time", i.startTime());
    m.put("end_time", i.endTime().isPresent() ? i.endTime().getAsLong() : null);
    m.put("artifact_uri", i.artifactUri());
    m.put("lifecycle_stage", i.lifecycleStage().name().toLowerCase(java.util.Locale.ROOT));
    return m;
  }

  static Map<String, Object> run(Run r) {
    Map<String, Object> m = runInfo(r.info());
    Map<String, Object> metrics = new LinkedHashMap<>();
    r.data().metrics().forEach(p -> metrics.put(p.key(), p.value()));
    Map<String, Object> params = new LinkedHashMap<>();
    r.data().params().forEach(p -> params.put(p.key(), p.value()));
    Map<String, Object> tags = new LinkedHashMap<>();
    r.data().tags().forEach(t -> tags.put(t.key(), t.value()));
    m.put("metrics", metrics);
    m.put("params", params);
    m.put("tags", tags);
    return m;
  }

  static Map<String, Object> point(Metric p) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("key", p.key());
    m.put("value", p.value());
    m.put("timestamp", p.timestamp());
    m.put("step", p.step());
    return m;
  }

  static Map<String, Object> series(MetricSeries s) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("run_id", s.runId());
    m.put("key", s.key());
    m.put("points", s.points().stream().map(ConformanceOperations::point).toList());
    return m;
  }

  static Map<String, Object> fileInfo(FileInfo f) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("path", f.path());
    m.put("is_dir", f.isDir());
    m.put("size", f.isDir() ? null : f.size());
    return m;
  }

  private static <T> Map<String, Object> page(Page<T> p, java.util.function.Function<T, Object> f) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("items", p.getItems().stream().map(f).toList());
    m.put("next_page_token", p.getNextPageToken().orElse(null));
    return m;
  }

  private static <T> List<T> limit(Iterable<T> items, Map<String, Object> a) {
    long max = a.containsKey("max_results") ? lng(a, "max_results") : Long.MAX_VALUE;
    return StreamSupport.stream(items.spliterator(), false).limit(max).toList();
  }

  // ------------------------------------------------------------------------------ arguments

  private static Metric metric(Map<String, Object> m) {
    return new Metric(str(m, "key"), num(m, "value"), lng(m, "timestamp"), lng(m, "step"));
  }

  private static double num(Map<String, Object> a, String name) {
    return ((Number) a.get(name)).doubleValue();
  }

  private static String str(Map<String, Object> a, String name) {
    return (String) a.get(name);
  }

  private static String strOr(Map<String, Object> a, String name, String otherwise) {
    return a.containsKey(name) ? str(a, name) : otherwise;
  }

  private static long lng(Map<String, Object> a, String name) {
    Object v = a.get(name);
    return v == null ? 0L : (Long) v;
  }

  @SuppressWarnings("unchecked")
  private static List<String> strings(Map<String, Object> a, String name) {
    return (List<String>) a.getOrDefault(name, List.of());
  }

  private static List<String> keys(Map<String, Object> a, String name) {
    return new ArrayList<>(strings(a, name));
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> maps(Map<String, Object> a, String name) {
    return (List<Map<String, Object>>) a.getOrDefault(name, List.of());
  }

  @SuppressWarnings("unchecked")
  private static Map<String, String> strMap(Map<String, Object> a, String name) {
    return (Map<String, String>) a.getOrDefault(name, Map.of());
  }
}
