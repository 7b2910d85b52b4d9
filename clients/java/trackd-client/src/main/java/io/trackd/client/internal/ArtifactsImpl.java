package io.trackd.client.internal;

import io.trackd.client.Artifacts;
import io.trackd.client.ErrorCode;
import io.trackd.client.FileInfo;
import io.trackd.client.TrackdException;
import io.trackd.client.UploadOptions;
import io.trackd.v1.ListArtifactsRequest;
import io.trackd.v1.ListArtifactsResponse;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * {@link Artifacts} over ArtifactService (documented there): files and directory trees to and from
 * a run, and listings. Artifact paths are relative to the run's artifact root and use {@code /}
 * whatever the local OS.
 */
final class ArtifactsImpl implements Artifacts {
  /** The server's largest listing page: fewer round trips for big directories. */
  static final int LIST_PAGE_SIZE = 10_000;

  private final Transport transport;
  private final ArtifactUpload upload;
  private final ArtifactDownload download;

  ArtifactsImpl(Transport transport) {
    this.transport = transport;
    this.upload = new ArtifactUpload(transport);
    this.download = new ArtifactDownload(transport);
  }

  @Override
  public FileInfo upload(String runId, Path localFile, UploadOptions options) {
    if (!Files.isRegularFile(localFile)) {
      throw new TrackdException(
          ErrorCode.INVALID_ARGUMENT,
          "NOT_A_FILE",
          "upload needs a file; " + localFile + " is not one (uploadDirectory takes a directory)",
          Map.of("path", localFile.toString()),
          null);
    }
    String name = localFile.getFileName().toString();
    return upload.upload(runId, localFile, join(artifactDir(options.artifactPath()), name));
  }

  @Override
  public List<FileInfo> uploadDirectory(String runId, Path localDir, UploadOptions options) {
    if (!Files.isDirectory(localDir)) {
      throw new TrackdException(
          ErrorCode.INVALID_ARGUMENT,
          "NOT_A_DIRECTORY",
          "uploadDirectory needs a directory; " + localDir + " is not one",
          Map.of("path", localDir.toString()),
          null);
    }
    String base = artifactDir(options.artifactPath());
    List<Path> files;
    // Symbolic links to files are uploaded as files; linked directories are not descended.
    try (Stream<Path> walk = Files.walk(localDir)) {
      files = walk.filter(Files::isRegularFile).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + localDir, e);
    }
    List<FileInfo> stored = new ArrayList<>(files.size());
    for (Path file : files) {
      String relative = artifactDir(localDir.relativize(file).toString());
      stored.add(upload.upload(runId, file, join(base, relative)));
    }
    return List.copyOf(stored);
  }

  @Override
  public List<FileInfo> list(String runId, String path) {
    return list(runId, path, LIST_PAGE_SIZE);
  }

  /** Every page of a listing, {@code pageSize} entries at a time (tests use small pages). */
  List<FileInfo> list(String runId, String path, int pageSize) {
    List<FileInfo> out = new ArrayList<>();
    String token = "";
    do {
      ListArtifactsRequest request =
          ListArtifactsRequest.newBuilder()
              .setRunId(runId)
              .setPath(artifactDir(path))
              .setPageSize(pageSize)
              .setPageToken(token)
              .build();
      ListArtifactsResponse response =
          transport.call(request, (s, r) -> s.artifacts().listArtifacts(r));
      response.getFilesList().forEach(f -> out.add(Protos.fileInfo(f)));
      token = response.getNextPageToken();
    } while (!token.isEmpty());
    return List.copyOf(out);
  }

  @Override
  public Path download(String runId, String path) {
    try {
      return download(runId, path, Files.createTempDirectory("trackd-"));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a temporary directory", e);
    }
  }

  @Override
  public Path download(String runId, String path, Path dst) {
    Path root = dst.toAbsolutePath().normalize();
    String rel = artifactDir(path);
    Path target = localTarget(root, rel);
    createDirectories(root);
    if (!rel.isEmpty()) {
      try {
        download.download(runId, rel, target);
        return target;
      } catch (TrackdException e) {
        boolean isDirectory =
            e.getCode() == ErrorCode.FAILED_PRECONDITION
                && e.getReason().filter("ARTIFACT_IS_DIRECTORY"::equals).isPresent();
        if (!isDirectory) {
          throw e;
        }
      }
    }
    downloadTree(runId, rel, root);
    return target;
  }

  private void downloadTree(String runId, String directory, Path root) {
    createDirectories(localTarget(root, directory));
    Deque<String> pending = new ArrayDeque<>(List.of(directory));
    while (!pending.isEmpty()) {
      for (FileInfo entry : list(runId, pending.pop())) {
        Path local = localTarget(root, entry.path());
        if (entry.isDir()) {
          createDirectories(local);
          pending.push(entry.path());
        } else {
          download.download(runId, entry.path(), local);
        }
      }
    }
  }

  /** The {@code /}-separated form of an artifact directory; "" for the root. */
  static String artifactDir(String artifactPath) {
    if (artifactPath == null) {
      return "";
    }
    String path = artifactPath;
    if (File.separatorChar != '/') {
      path = path.replace(File.separatorChar, '/');
    }
    int start = 0;
    int end = path.length();
    while (start < end && path.charAt(start) == '/') {
      start++;
    }
    while (end > start && path.charAt(end - 1) == '/') {
      end--;
    }
    return path.substring(start, end);
  }

  private static String join(String directory, String name) {
    return directory.isEmpty() ? name : directory + "/" + name;
  }

  /**
   * Where artifact {@code artifactPath} goes under {@code root}; refuses a path that would leave it
   * (the server refuses such paths too, so only a misbehaving server could send one).
   */
  static Path localTarget(Path root, String artifactPath) {
    Path target = artifactPath.isEmpty() ? root : root.resolve(artifactPath).normalize();
    if (!target.startsWith(root)) {
      throw new TrackdException(
          ErrorCode.INVALID_ARGUMENT,
          "UNSAFE_ARTIFACT_PATH",
          "artifact path " + artifactPath + " would be written outside " + root,
          Map.of("path", artifactPath),
          null);
    }
    return target;
  }

  private static void createDirectories(Path dir) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + dir, e);
    }
  }
}
