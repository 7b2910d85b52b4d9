# Runs: reading, searching, deleting and restoring (RunService over HTTP/JSON).

.run_statuses <- c("RUNNING", "SCHEDULED", "FINISHED", "FAILED", "KILLED")

metric_frame <- function(items) {
  data.frame(
    key = vapply(items, function(m) m$key %||% "", character(1)),
    value = parse_double(lapply(items, function(m) m$value %||% 0)),
    step = vapply(items, function(m) as.numeric(m$step %||% 0), numeric(1)),
    timestamp = vapply(items, function(m) as.numeric(m$timestamp %||% 0), numeric(1)),
    stringsAsFactors = FALSE
  )
}

# A decoded Run (or RunInfo alone) as a trackd_run: a list with the info
# fields at the top and metrics, params and tags as data frames.
as_trackd_run <- function(run) {
  info <- run$info %||% run
  data <- run$data %||% list()
  structure(list(
    run_id = info$run_id,
    run_name = info$run_name %||% "",
    experiment_id = info$experiment_id %||% "",
    user_id = info$user_id %||% "",
    status = sub("^RUN_STATUS_", "", info$status %||% "RUN_STATUS_UNSPECIFIED"),
    start_time = as.numeric(info$start_time %||% NA),
    end_time = as.numeric(info$end_time %||% NA),
    artifact_uri = info$artifact_uri %||% "",
    lifecycle_stage = sub("^LIFECYCLE_STAGE_", "", info$lifecycle_stage %||% ""),
    metrics = metric_frame(data$metrics %||% list()),
    params = key_value_frame(data$params %||% list()),
    tags = key_value_frame(data$tags %||% list())
  ), class = "trackd_run")
}

#' @export
print.trackd_run <- function(x, ...) {
  cat(sprintf("<trackd_run %s> %s, experiment %s, %s (%s)\n", x$run_id, x$run_name,
              x$experiment_id, x$status, x$lifecycle_stage))
  cat(sprintf("  %d metrics, %d params, %d tags\n", nrow(x$metrics), nrow(x$params), nrow(x$tags)))
  invisible(x)
}

# The run a call is about: the given id, else the active run's.
resolve_run_id <- function(run_id) {
  run_id <- run_id %||% active_run_entry()$run_id
  if (is.null(run_id)) {
    trackd_abort("FAILED_PRECONDITION", "run_id must be given when no run is active",
                 reason = "CLIENT_NO_ACTIVE_RUN")
  }
  run_id
}

run_path <- function(run_id, suffix = "") {
  paste0("v1/runs/", path_id(run_id, "run_id"), suffix)
}

#' Get a run
#'
#' Reads a run, deleted or not, with the latest value of each metric.
#'
#' @param run_id The run's id; `NULL` for the active run.
#' @param client A [trackd_client()]; `NULL` for the default one (or the
#'   active run's).
#' @return A `trackd_run`: a list with `run_id`, `run_name`, `experiment_id`,
#'   `user_id`, `status` (`"RUNNING"`, `"FINISHED"`, ...), `start_time` and
#'   `end_time` (milliseconds since the epoch; `end_time` is `NA` while the run
#'   has not ended), `artifact_uri`, `lifecycle_stage`, and data frames
#'   `metrics` (key, value, step, timestamp), `params` and `tags` (key, value).
#'   A missing run signals `trackd_error_not_found`.
#' @examples
#' \dontrun{
#' run <- trackd_get_run("0123456789abcdef0123456789abcdef")
#' run$params
#' }
#' @export
trackd_get_run <- function(run_id = NULL, client = NULL) {
  run_id <- resolve_run_id(run_id)
  resp <- trackd_call(run_client(client, run_id), "GET", run_path(run_id))
  as_trackd_run(resp$run)
}

#' Delete or restore a run
#'
#' Deletion is soft: the run is hidden from default searches and read-only
#' until restored.
#'
#' @param run_id The run's id.
#' @inheritParams trackd_get_run
#' @return `NULL`, invisibly.
#' @examples
#' \dontrun{
#' trackd_delete_run(run_id)
#' trackd_restore_run(run_id)
#' }
#' @export
trackd_delete_run <- function(run_id, client = NULL) {
  trackd_call(run_client(client, run_id), "POST", run_path(run_id, ":delete"), list(),
              mutating = TRUE)
  invisible(NULL)
}

#' @rdname trackd_delete_run
#' @export
trackd_restore_run <- function(run_id, client = NULL) {
  trackd_call(run_client(client, run_id), "POST", run_path(run_id, ":restore"), list(),
              mutating = TRUE)
  invisible(NULL)
}

# One row per run: the info columns, then metrics.<key> (latest value),
# params.<key> and tags.<key>, like mlflow's Python search_runs data frame.
runs_frame <- function(runs) {
  runs <- lapply(runs, as_trackd_run)
  info <- data.frame(
    run_id = vapply(runs, function(r) r$run_id, character(1)),
    run_name = vapply(runs, function(r) r$run_name, character(1)),
    experiment_id = vapply(runs, function(r) r$experiment_id, character(1)),
    user_id = vapply(runs, function(r) r$user_id, character(1)),
    status = vapply(runs, function(r) r$status, character(1)),
    start_time = vapply(runs, function(r) r$start_time, numeric(1)),
    end_time = vapply(runs, function(r) r$end_time, numeric(1)),
    artifact_uri = vapply(runs, function(r) r$artifact_uri, character(1)),
    lifecycle_stage = vapply(runs, function(r) r$lifecycle_stage, character(1)),
    stringsAsFactors = FALSE
  )
  wide_columns <- function(part, missing) {
    keys <- sort(unique(as.character(unlist(lapply(runs, function(r) r[[part]]$key)))))
    if (length(keys) == 0) return(list())
    columns <- lapply(keys, function(key) {
      vapply(runs, function(r) {
        hit <- r[[part]]$key == key
        if (any(hit)) r[[part]]$value[hit][1] else missing
      }, missing)
    })
    stats::setNames(columns, paste0(part, ".", keys))
  }
  extra <- c(wide_columns("metrics", NA_real_), wide_columns("params", NA_character_),
             wide_columns("tags", NA_character_))
  for (name in names(extra)) info[[name]] <- extra[[name]]
  info
}

# A RunReadMask for the given keys (NULL = every key of that kind), or NULL
# (no mask: everything) when no kind is restricted.
run_read_mask <- function(metric_keys, param_keys, tag_keys) {
  if (is.null(metric_keys) && is.null(param_keys) && is.null(tag_keys)) return(NULL)
  part <- function(keys, kind) {
    if (is.null(keys)) return(stats::setNames(list(TRUE), sprintf("all_%ss", kind)))
    if (anyNA(keys)) trackd_abort("INVALID_ARGUMENT", sprintf("%s_keys contains NA", kind))
    stats::setNames(list(I(as.character(keys))), sprintf("%s_keys", kind))
  }
  c(part(metric_keys, "metric"), part(param_keys, "param"), part(tag_keys, "tag"))
}

#' Search runs
#'
#' Fetches **every** page of matching runs (MLflow's R client returns only
#' the first).
#'
#' @param experiment_ids The experiments to search; `NULL` for the active
#'   experiment, else "0".
#' @param filter A filter such as
#'   `"metrics.loss < 0.2 AND params.optimizer = 'adam'"`; `NULL` matches all.
#' @param view_type `"ACTIVE_ONLY"` (default), `"DELETED_ONLY"` or `"ALL"`.
#' @param order_by Sort keys such as `"metrics.loss ASC"`; default newest
#'   first.
#' @param max_results Stop after this many runs; `NULL` for all.
#' @param page_size Runs per request (at most 1000); `NULL` for the server's
#'   default.
#' @param metric_keys,param_keys,tag_keys The read mask: which latest metrics,
#'   params and tags each run carries. `NULL` (the default) means all of that
#'   kind; a character vector means only those keys (`character()`: none).
#'   Naming only what is needed keeps pages of wide runs small.
#' @inheritParams trackd_get_run
#' @return A data frame with one row per run: `run_id`, `run_name`,
#'   `experiment_id`, `user_id`, `status`, `start_time`, `end_time`,
#'   `artifact_uri`, `lifecycle_stage`, then a column `metrics.<key>` (latest
#'   value) per metric key, `params.<key>` per param and `tags.<key>` per tag
#'   (`NA` where a run has none), limited to the keys of the read mask.
#' @examples
#' \dontrun{
#' trackd_search_runs("17", filter = "metrics.loss < 0.2", order_by = "metrics.loss ASC")
#' trackd_search_runs("17",
#'   filter = "(params.opt = 'adam' OR params.opt = 'sgd') AND NOT status = 'FAILED'",
#'   metric_keys = "loss", param_keys = "opt", tag_keys = character())
#' }
#' @export
trackd_search_runs <- function(experiment_ids = NULL, filter = NULL,
                               view_type = c("ACTIVE_ONLY", "DELETED_ONLY", "ALL"),
                               order_by = character(), max_results = NULL,
                               page_size = NULL, metric_keys = NULL, param_keys = NULL,
                               tag_keys = NULL, client = NULL) {
  view_type <- match.arg(view_type)
  experiment_ids <- experiment_ids %||% active_experiment_id() %||% "0"
  client <- resolve_client(client)
  read_mask <- run_read_mask(metric_keys, param_keys, tag_keys)
  runs <- list()
  token <- NULL
  repeat {
    body <- list(experiment_ids = I(as.character(experiment_ids)), filter = filter,
                 view_type = paste0("VIEW_TYPE_", view_type), order_by = I(as.character(order_by)),
                 page_size = page_size, page_token = token, read_mask = read_mask)
    resp <- trackd_call(client, "POST", "v1/runs:search", body)
    runs <- c(runs, resp$runs)
    token <- resp$next_page_token
    if (is.null(token) || !nzchar(token)) break
    if (!is.null(max_results) && length(runs) >= max_results) break
  }
  if (!is.null(max_results)) runs <- utils::head(runs, max_results)
  runs_frame(runs)
}
