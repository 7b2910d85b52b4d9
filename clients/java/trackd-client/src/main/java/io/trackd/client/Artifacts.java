package io.trackd.client;

import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The artifacts area of a {@link TrackingClient} ({@code client.artifacts()}): files and directory
 * trees to and from a run, and listings. Artifact paths are relative to the run's artifact root and
 * use {@code /} whatever the local OS.
 */
public interface Artifacts {
  /**
   * Uploads a local file to the root of the run's artifacts, under the file's own name.
   *
   * @param runId the run's id
   * @param localFile the file
   * @return what the server stored
   * @throws TrackdException see {@link #upload(String, Path, UploadOptions)}
   */
  default FileInfo upload(String runId, Path localFile) {
    return upload(runId, localFile, UploadOptions.root());
  }

  /**
   * Uploads a local file into a directory of the run's artifacts, under the file's own name,
   * replacing a file there. The file is streamed in chunks of 1 MiB (never read into memory whole)
   * with its SHA-256, which the server checks before it stores the file atomically. A retry after a
   * lost connection reuses the request id, so the file is stored once.
   *
   * @param runId the run's id
   * @param localFile the file
   * @param options the directory, e.g. {@code UploadOptions.into("model")}
   * @return what the server stored
   * @throws TrackdException INVALID_ARGUMENT (reason UNSAFE_ARTIFACT_PATH) for a path such as
   *     {@code ../x}, or NOT_A_FILE; NOT_FOUND; FAILED_PRECONDITION if the run is deleted
   * @throws UncheckedIOException if the local file cannot be read
   */
  FileInfo upload(String runId, Path localFile, UploadOptions options);

  /**
   * Uploads every file under a local directory, recursively, to the root of the run's artifacts,
   * keeping the layout (empty directories are not represented).
   *
   * @param runId the run's id
   * @param localDir the directory
   * @return what the server stored, one entry per file
   * @throws TrackdException see {@link #upload(String, Path, UploadOptions)}; NOT_A_DIRECTORY
   */
  default List<FileInfo> uploadDirectory(String runId, Path localDir) {
    return uploadDirectory(runId, localDir, UploadOptions.root());
  }

  /**
   * Uploads every file under a local directory, recursively, into a directory of the run's
   * artifacts, keeping the layout. Each file is uploaded as by {@link #upload(String, Path,
   * UploadOptions)}; if one fails, the ones before it stay stored.
   *
   * @param runId the run's id
   * @param localDir the directory
   * @param options the target directory
   * @return what the server stored, one entry per file
   * @throws TrackdException see {@link #upload(String, Path, UploadOptions)}; NOT_A_DIRECTORY
   */
  List<FileInfo> uploadDirectory(String runId, Path localDir, UploadOptions options);

  /**
   * The files and directories directly at the root of the run's artifacts.
   *
   * @param runId the run's id
   * @return ordered by name
   * @throws TrackdException NOT_FOUND if there is no such run
   */
  default List<FileInfo> list(String runId) {
    return list(runId, "");
  }

  /**
   * The files and directories directly in a directory of the run's artifacts, every page fetched.
   * Paths are relative to the run's artifact root, not to {@code path}.
   *
   * @param runId the run's id
   * @param path the directory; null or empty for the root
   * @return ordered by name; empty if {@code path} is missing or a file
   * @throws TrackdException NOT_FOUND if there is no such run, INVALID_ARGUMENT for an unsafe path
   */
  List<FileInfo> list(String runId, String path);

  /**
   * Downloads an artifact file or directory into a new temporary directory.
   *
   * @param runId the run's id
   * @param path the file or directory; empty for every artifact of the run
   * @return the local copy: {@code <temporary directory>/<path>}
   * @throws TrackdException see {@link #download(String, String, Path)}
   * @throws UncheckedIOException if the temporary directory cannot be created
   */
  Path download(String runId, String path);

  /**
   * Downloads an artifact file or directory (recursively) to {@code dst/path}, replacing files
   * there. Each file streams into a temporary file, is checked against the SHA-256 the server
   * announces, and is moved into place only when complete.
   *
   * @param runId the run's id
   * @param path the file or directory, relative to the run's artifact root; empty for all
   * @param dst the local directory to download into (created if missing)
   * @return the local copy, {@code dst/path}
   * @throws TrackdException NOT_FOUND if there is no such run or artifact, INVALID_ARGUMENT for an
   *     unsafe path, DATA_LOSS if a file arrived corrupt
   * @throws UncheckedIOException if a local file cannot be written
   */
  Path download(String runId, String path, Path dst);
}
