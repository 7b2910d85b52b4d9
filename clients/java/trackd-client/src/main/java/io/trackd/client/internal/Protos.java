package io.trackd.client.internal;

import io.trackd.client.Experiment;
import io.trackd.client.FileInfo;
import io.trackd.client.LifecycleStage;
import io.trackd.client.Metric;
import io.trackd.client.Param;
import io.trackd.client.Run;
import io.trackd.client.RunData;
import io.trackd.client.RunInfo;
import io.trackd.client.RunReadMask;
import io.trackd.client.RunStatus;
import io.trackd.client.Tag;
import io.trackd.client.ViewType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/** Conversions between the generated messages (io.trackd.v1) and the public value types. */
final class Protos {
  private Protos() {}

  static Experiment experiment(io.trackd.v1.Experiment e) {
    Map<String, String> tags = new LinkedHashMap<>();
    e.getTagsList().forEach(t -> tags.put(t.getKey(), t.getValue()));
    return new Experiment(
        e.getExperimentId(),
        e.getName(),
        e.getArtifactLocation(),
        lifecycleStage(e.getLifecycleStage()),
        e.getCreationTime(),
        e.getLastUpdateTime(),
        tags);
  }

  static Run run(io.trackd.v1.Run r) {
    io.trackd.v1.RunData d = r.getData();
    return new Run(
        runInfo(r.getInfo()),
        new RunData(
            d.getMetricsList().stream().map(Protos::metric).toList(),
            d.getParamsList().stream().map(p -> new Param(p.getKey(), p.getValue())).toList(),
            d.getTagsList().stream().map(t -> new Tag(t.getKey(), t.getValue())).toList()));
  }

  static RunInfo runInfo(io.trackd.v1.RunInfo i) {
    return new RunInfo(
        i.getRunId(),
        i.getRunName(),
        i.getExperimentId(),
        i.getUserId(),
        runStatus(i.getStatus()),
        i.getStartTime(),
        i.hasEndTime() ? OptionalLong.of(i.getEndTime()) : OptionalLong.empty(),
        i.getArtifactUri(),
        lifecycleStage(i.getLifecycleStage()));
  }

  static Metric metric(io.trackd.v1.Metric m) {
    return new Metric(m.getKey(), m.getValue(), m.getTimestamp(), m.getStep());
  }

  static io.trackd.v1.Metric metric(Metric m) {
    return io.trackd.v1.Metric.newBuilder()
        .setKey(m.key())
        .setValue(m.value())
        .setTimestamp(m.timestamp())
        .setStep(m.step())
        .build();
  }

  static io.trackd.v1.Param param(Param p) {
    return io.trackd.v1.Param.newBuilder().setKey(p.key()).setValue(p.value()).build();
  }

  static io.trackd.v1.RunTag tag(Tag t) {
    return io.trackd.v1.RunTag.newBuilder().setKey(t.key()).setValue(t.value()).build();
  }

  static List<io.trackd.v1.RunTag> tags(Map<String, String> tags) {
    List<io.trackd.v1.RunTag> out = new ArrayList<>(tags.size());
    tags.forEach((k, v) -> out.add(tag(new Tag(k, v))));
    return out;
  }

  static List<io.trackd.v1.ExperimentTag> experimentTags(Map<String, String> tags) {
    List<io.trackd.v1.ExperimentTag> out = new ArrayList<>(tags.size());
    tags.forEach(
        (k, v) -> out.add(io.trackd.v1.ExperimentTag.newBuilder().setKey(k).setValue(v).build()));
    return out;
  }

  static RunStatus runStatus(io.trackd.v1.RunStatus s) {
    return switch (s) {
      case RUN_STATUS_RUNNING -> RunStatus.RUNNING;
      case RUN_STATUS_SCHEDULED -> RunStatus.SCHEDULED;
      case RUN_STATUS_FINISHED -> RunStatus.FINISHED;
      case RUN_STATUS_FAILED -> RunStatus.FAILED;
      case RUN_STATUS_KILLED -> RunStatus.KILLED;
      case RUN_STATUS_UNSPECIFIED, UNRECOGNIZED ->
          throw new IllegalStateException("the server sent run status " + s);
    };
  }

  static io.trackd.v1.RunStatus runStatus(RunStatus s) {
    return switch (s) {
      case RUNNING -> io.trackd.v1.RunStatus.RUN_STATUS_RUNNING;
      case SCHEDULED -> io.trackd.v1.RunStatus.RUN_STATUS_SCHEDULED;
      case FINISHED -> io.trackd.v1.RunStatus.RUN_STATUS_FINISHED;
      case FAILED -> io.trackd.v1.RunStatus.RUN_STATUS_FAILED;
      case KILLED -> io.trackd.v1.RunStatus.RUN_STATUS_KILLED;
    };
  }

  static LifecycleStage lifecycleStage(io.trackd.v1.LifecycleStage s) {
    return switch (s) {
      case LIFECYCLE_STAGE_ACTIVE -> LifecycleStage.ACTIVE;
      case LIFECYCLE_STAGE_DELETED -> LifecycleStage.DELETED;
      case LIFECYCLE_STAGE_UNSPECIFIED, UNRECOGNIZED ->
          throw new IllegalStateException("the server sent lifecycle stage " + s);
    };
  }

  static io.trackd.v1.ViewType viewType(ViewType v) {
    return switch (v) {
      case ACTIVE_ONLY -> io.trackd.v1.ViewType.VIEW_TYPE_ACTIVE_ONLY;
      case DELETED_ONLY -> io.trackd.v1.ViewType.VIEW_TYPE_DELETED_ONLY;
      case ALL -> io.trackd.v1.ViewType.VIEW_TYPE_ALL;
    };
  }

  static io.trackd.v1.RunReadMask readMask(RunReadMask m) {
    return io.trackd.v1.RunReadMask.newBuilder()
        .addAllMetricKeys(m.metricKeys())
        .setAllMetrics(m.allMetrics())
        .addAllParamKeys(m.paramKeys())
        .setAllParams(m.allParams())
        .addAllTagKeys(m.tagKeys())
        .setAllTags(m.allTags())
        .build();
  }

  static FileInfo fileInfo(io.trackd.v1.FileInfo f) {
    return new FileInfo(f.getPath(), f.getIsDir(), f.getIsDir() ? 0 : f.getSize());
  }
}
