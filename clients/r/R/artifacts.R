# Artifacts: ArtifactService over HTTP. Files are streamed both ways (never
# read into memory whole) and checked with SHA-256: the server verifies what
# it received against the X-Trackd-Sha256 header before storing anything, and
# downloads are verified against the checksum the server announces.

# SHA-256 of a local file as 64 hex characters, read in pieces by openssl.
file_sha256 <- function(path) {
  # raw = TRUE: without it file() sees a gzip, bzip2 or xz file (saveRDS's, any .gz) and
  # hands over its decompressed bytes, whose hash is not the file's, so every transfer of a
  # compressed file failed its checksum.
  # The digest's raw bytes as lowercase hex (as.character() would keep class "hash").
  paste(unclass(openssl::sha256(file(path, raw = TRUE))), collapse = "")
}

# `a/b` from its parts, without empty parts or stray slashes.
join_artifact_path <- function(...) {
  parts <- unlist(lapply(list(...), function(p) if (is.null(p)) character() else as.character(p)))
  parts <- gsub("^/+|/+$", "", gsub("\\\\", "/", parts))
  paste(parts[nzchar(parts)], collapse = "/")
}

artifact_route <- function(run_id, path) {
  run_path(run_id, paste0("/artifacts/", artifact_url_path(path)))
}

upload_file <- function(client, run_id, local_file, artifact_file) {
  headers <- list(`X-Trackd-Sha256` = file_sha256(local_file), `X-Request-Id` = new_request_id())
  perform_with_retries(client, "PUT", artifact_route(run_id, artifact_file),
                       headers = headers, upload = local_file)
  invisible(NULL)
}

#' Log an artifact
#'
#' Uploads a local file, or every file under a local directory, to a run's
#' artifacts. A file goes to `artifact_path/<file name>`; a directory's
#' contents go under `artifact_path`, keeping their layout (as mlflow does).
#' Files are streamed, and each is stored only if its size and SHA-256 as
#' received match what the client computed (else `trackd_error_data_loss`);
#' an existing artifact at the same path is replaced. Retries after a lost
#' answer reuse the request id, so they store nothing twice.
#'
#' @param path A local file or directory.
#' @param artifact_path The directory within the run's artifacts, for example
#'   `"model"`; `NULL` for the root.
#' @param run_id The run; `NULL` for the active run (one is started if none is).
#' @param client A [trackd_client()]; `NULL` for the default one.
#' @return The artifact paths written (relative to the run's artifact root),
#'   invisibly.
#' @examples
#' \dontrun{
#' writeLines("hello", "notes.txt")
#' trackd_log_artifact("notes.txt", artifact_path = "docs")
#' trackd_log_artifact("plots/")  # every file under plots/
#' }
#' @export
trackd_log_artifact <- function(path, artifact_path = NULL, run_id = NULL, client = NULL) {
  if (!is.character(path) || length(path) != 1 || is.na(path) || !file.exists(path)) {
    trackd_abort("INVALID_ARGUMENT", sprintf("path must name an existing file or directory, got %s",
                                             format(path)), reason = "CLIENT_NO_SUCH_FILE")
  }
  run_id <- logging_run_id(run_id)
  client <- run_client(client, run_id)
  if (dir.exists(path)) {
    files <- sort(list.files(path, recursive = TRUE, all.files = TRUE, no.. = TRUE))
    targets <- vapply(files, function(f) join_artifact_path(artifact_path, f), character(1),
                      USE.NAMES = FALSE)
    for (i in seq_along(files)) upload_file(client, run_id, file.path(path, files[i]), targets[i])
    return(invisible(targets))
  }
  target <- join_artifact_path(artifact_path, basename(path))
  upload_file(client, run_id, path, target)
  invisible(target)
}

#' List artifacts
#'
#' Lists the files and directories directly in one directory of a run's
#' artifacts, fetching every page.
#'
#' @param path A directory within the run's artifacts; `NULL` for the root.
#' @param run_id The run; `NULL` for the active run.
#' @param page_size Entries per request (at most 10000); `NULL` for the
#'   server's default (1000).
#' @inheritParams trackd_log_artifact
#' @return A data frame ordered by name with columns `path` (relative to the
#'   run's artifact root, not to `path`), `is_dir` and `file_size` (bytes; `NA`
#'   for directories). A path that is missing or is a file lists nothing.
#' @examples
#' \dontrun{
#' trackd_list_artifacts()
#' trackd_list_artifacts("model")
#' }
#' @export
trackd_list_artifacts <- function(path = NULL, run_id = NULL, page_size = NULL, client = NULL) {
  run_id <- resolve_run_id(run_id)
  client <- run_client(client, run_id)
  files <- list()
  token <- NULL
  repeat {
    query <- compact(list(path = path, page_size = page_size, page_token = token))
    resp <- trackd_call(client, "GET", run_path(run_id, "/artifacts"), query = query)
    files <- c(files, resp$files)
    token <- resp$next_page_token
    if (is.null(token) || !nzchar(token)) break
  }
  is_dir <- vapply(files, function(f) isTRUE(f$is_dir), logical(1))
  size <- vapply(files, function(f) as.numeric(f$size %||% 0), numeric(1))
  data.frame(
    path = vapply(files, function(f) f$path %||% "", character(1)),
    is_dir = is_dir,
    file_size = ifelse(is_dir, NA_real_, size),
    stringsAsFactors = FALSE
  )
}

# Downloads one artifact file to `local` through a temporary file next to it,
# renamed into place only once its size and SHA-256 match what the server
# announced. Returns FALSE (and writes nothing) when `path` is a directory.
download_file <- function(client, run_id, path, local) {
  segments <- strsplit(path, "/", fixed = TRUE)[[1]]
  if (startsWith(path, "/") || any(segments %in% c("..", "."))) {
    # The server never names such a path; refusing it keeps writes inside dst_path regardless.
    trackd_abort("INVALID_ARGUMENT", sprintf("refusing to write artifact path %s outside dst_path",
                                             path), reason = "UNSAFE_ARTIFACT_PATH")
  }
  dir.create(dirname(local), recursive = TRUE, showWarnings = FALSE)
  partial <- tempfile(paste0(".", basename(local), "."), tmpdir = dirname(local), fileext = ".partial")
  on.exit(unlink(partial), add = TRUE)
  result <- tryCatch(
    perform_with_retries(client, "GET", artifact_route(run_id, path), output = partial),
    trackd_error_failed_precondition = function(e) {
      if (identical(e$reason, "ARTIFACT_IS_DIRECTORY")) NULL else stop(e)
    }
  )
  if (is.null(result)) return(FALSE)
  headers <- result$headers
  expected_size <- headers[["x-trackd-size"]]
  got_size <- file.size(partial)
  if (!is.null(expected_size) && !identical(as.numeric(expected_size), as.numeric(got_size))) {
    stop(trackd_condition("DATA_LOSS", sprintf(
      "artifact %s arrived with %s bytes, but the server announced %s", path, got_size,
      expected_size), reason = "CLIENT_SIZE_MISMATCH"))
  }
  expected_sha <- headers[["x-trackd-sha256"]]
  if (!is.null(expected_sha) && nzchar(expected_sha)) {
    actual <- file_sha256(partial)
    if (!identical(tolower(as.character(expected_sha)), actual)) {
      stop(trackd_condition("DATA_LOSS", sprintf(
        "artifact %s arrived with SHA-256 %s, but the server announced %s", path, actual,
        expected_sha), reason = "CLIENT_CHECKSUM_MISMATCH"))
    }
  }
  if (file.exists(local)) unlink(local, recursive = TRUE)
  if (!file.rename(partial, local)) {
    trackd_abort("INTERNAL", sprintf("could not move the download into place at %s", local))
  }
  TRUE
}

download_tree <- function(client, run_id, path, dst_path) {
  local <- if (nzchar(path)) file.path(dst_path, path) else dst_path
  dir.create(local, recursive = TRUE, showWarnings = FALSE)
  entries <- trackd_list_artifacts(if (nzchar(path)) path, run_id = run_id, client = client)
  for (i in seq_len(nrow(entries))) {
    if (entries$is_dir[i]) {
      download_tree(client, run_id, entries$path[i], dst_path)
    } else {
      download_file(client, run_id, entries$path[i], file.path(dst_path, entries$path[i]))
    }
  }
}

#' Download artifacts
#'
#' Downloads an artifact file, or a directory with everything under it, to
#' `dst_path/path`. Files are streamed to disk, checked against the size and
#' SHA-256 the server announces (`trackd_error_data_loss` on a mismatch) and
#' appear only when complete.
#'
#' @param path A file or directory within the run's artifacts; `""` for all of
#'   them.
#' @param dst_path A local directory; `NULL` for a new temporary directory.
#' @param run_id The run; `NULL` for the active run.
#' @inheritParams trackd_log_artifact
#' @return The local path of the downloaded file or directory.
#' @examples
#' \dontrun{
#' local <- trackd_download_artifacts("model/weights.bin", dst_path = "downloads")
#' everything <- trackd_download_artifacts("")
#' }
#' @export
trackd_download_artifacts <- function(path, dst_path = NULL, run_id = NULL, client = NULL) {
  if (!is.character(path) || length(path) != 1 || is.na(path)) {
    trackd_abort("INVALID_ARGUMENT", "path must be a single string (\"\" for every artifact)")
  }
  run_id <- resolve_run_id(run_id)
  client <- run_client(client, run_id)
  if (is.null(dst_path)) {
    dst_path <- tempfile("trackd-artifacts-")
  }
  dir.create(dst_path, recursive = TRUE, showWarnings = FALSE)
  path <- join_artifact_path(path)
  if (nzchar(path) && download_file(client, run_id, path, file.path(dst_path, path))) {
    return(file.path(dst_path, path))
  }
  download_tree(client, run_id, path, dst_path)
  if (nzchar(path)) file.path(dst_path, path) else dst_path
}
