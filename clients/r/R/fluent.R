# The active run stack: trackd_start_run() pushes, trackd_end_run() pops, and
# logging functions without a run_id write to the run on top.

active_run_entry <- function() {
  stack <- .globals$run_stack
  if (length(stack) == 0) NULL else stack[[length(stack)]]
}

# The client for a call about `run_id`: the one given, else the one the run was
# started with when it is on the stack, else the default.
run_client <- function(client, run_id = NULL) {
  if (!is.null(client)) return(resolve_client(client))
  for (entry in rev(.globals$run_stack)) {
    if (is.null(run_id) || identical(entry$run_id, run_id)) return(entry$client)
  }
  trackd_client()
}

source_name <- function() {
  file_arg <- grep("^--file=", commandArgs(trailingOnly = FALSE), value = TRUE)
  if (length(file_arg) > 0) normalizePath(sub("^--file=", "", file_arg[1]), mustWork = FALSE) else "<console>"
}

#' Start a run
#'
#' Creates a run (or resumes one by `run_id`) and makes it the active run:
#' logging functions called without `run_id` write to it until
#' [trackd_end_run()]. With `nested = TRUE` the new run becomes a child of the
#' active run (tag `mlflow.parentRunId`) and is pushed on top of it;
#' otherwise starting a run while one is active is an error.
#'
#' Pair it with [trackd_end_run()] through `on.exit()` or `withr::defer()`,
#' or use `with()`, which ends the run as `"FINISHED"`, or `"FAILED"` when
#' the code signals an error.
#'
#' @param run_id Resume this existing run instead of creating one.
#' @param experiment_id The experiment; `NULL` for the active experiment (see
#'   [trackd_set_experiment()]), else `TRACKD_EXPERIMENT_ID`, else `"0"`.
#' @param run_name The run's name; `NULL` for a generated one.
#' @param start_time Milliseconds since the epoch; `NULL` for now.
#' @param tags Tags to set: a named list or a key/value data frame. The
#'   client adds `mlflow.source.name` and `mlflow.source.type` unless given.
#' @param nested Start a child of the active run.
#' @param client A [trackd_client()]; `NULL` for the default one.
#' @return The run, a `trackd_run` (see [trackd_get_run()]), invisibly.
#' @examples
#' \dontrun{
#' run <- trackd_start_run(run_name = "baseline")
#' on.exit(trackd_end_run(), add = TRUE)
#' trackd_log_metric("loss", 0.25)
#'
#' with(trackd_start_run(), {
#'   trackd_log_param("alpha", 0.5)
#' })
#' }
#' @export
trackd_start_run <- function(run_id = NULL, experiment_id = NULL, run_name = NULL,
                             start_time = NULL, tags = NULL, nested = FALSE, client = NULL) {
  active <- active_run_entry()
  if (!is.null(active) && !nested) {
    trackd_abort("FAILED_PRECONDITION", sprintf(
      "run %s is already active; end it with trackd_end_run() or pass nested = TRUE",
      active$run_id), reason = "CLIENT_RUN_ALREADY_ACTIVE")
  }
  client <- resolve_client(client %||% active$client)
  if (!is.null(run_id)) {
    run <- trackd_get_run(run_id, client = client)
  } else {
    tags <- key_values(tags, "tags")
    given <- vapply(tags, function(t) t$key, character(1))
    defaults <- list(mlflow.source.name = source_name(), mlflow.source.type = "LOCAL")
    for (key in setdiff(names(defaults), given)) {
      tags[[length(tags) + 1]] <- list(key = key, value = defaults[[key]])
    }
    body <- list(
      experiment_id = experiment_id %||% active_experiment_id(),
      run_name = run_name,
      start_time = if (!is.null(start_time)) int64_string(start_time, "start_time"),
      tags = tags,
      parent_run_id = if (nested && !is.null(active)) active$run_id,
      user_id = Sys.info()[["user"]]
    )
    resp <- trackd_call(client, "POST", "v1/runs", body, mutating = TRUE)
    run <- as_trackd_run(resp$run)
  }
  .globals$run_stack[[length(.globals$run_stack) + 1]] <- list(run_id = run$run_id, client = client)
  invisible(run)
}

#' End a run
#'
#' Sets a run's final status and end time. Ending the active run pops it off
#' the stack, making its parent (if any) active again. With no `run_id` and
#' no active run this does nothing, so it is safe in `on.exit()` handlers that
#' may run after an explicit end.
#'
#' @param status `"FINISHED"` (default), `"FAILED"` or `"KILLED"`.
#' @param end_time Milliseconds since the epoch; `NULL` for now.
#' @param run_id The run; `NULL` for the active run.
#' @inheritParams trackd_start_run
#' @return The ended run as a `trackd_run`, invisibly (`NULL` when there was
#'   nothing to end).
#' @examples
#' \dontrun{
#' trackd_start_run()
#' trackd_end_run("FAILED")
#' }
#' @export
trackd_end_run <- function(status = c("FINISHED", "FAILED", "KILLED"), end_time = NULL,
                           run_id = NULL, client = NULL) {
  status <- match.arg(status)
  active <- active_run_entry()
  run_id <- run_id %||% active$run_id
  if (is.null(run_id)) return(invisible(NULL))
  body <- list(status = paste0("RUN_STATUS_", status),
               end_time = int64_string(end_time %||% now_ms(), "end_time"))
  resp <- trackd_call(run_client(client, run_id), "PATCH", run_path(run_id), body, mutating = TRUE)
  if (!is.null(active) && identical(active$run_id, run_id)) {
    .globals$run_stack[[length(.globals$run_stack)]] <- NULL
  }
  invisible(as_trackd_run(list(info = resp$run_info)))
}

#' The active run
#'
#' @inheritParams trackd_start_run
#' @return The run on top of the stack as a `trackd_run` read from the
#'   server, or `NULL` when no run is active.
#' @examples
#' \dontrun{
#' trackd_start_run()
#' trackd_active_run()$run_id
#' }
#' @export
trackd_active_run <- function(client = NULL) {
  active <- active_run_entry()
  if (is.null(active)) return(NULL)
  trackd_get_run(active$run_id, client = client %||% active$client)
}

#' Run code inside a run
#'
#' `with(trackd_start_run(), { ... })` evaluates the code with the run
#' active, then ends it: `"FINISHED"` when the code completes, `"FAILED"` when
#' it signals an error (which is re-raised), `"KILLED"` on an interrupt.
#'
#' @param data A run from [trackd_start_run()].
#' @param expr The code to run.
#' @param ... Unused.
#' @return The value of `expr`.
#' @examples
#' \dontrun{
#' with(trackd_start_run(), trackd_log_metric("loss", 0.1))
#' }
#' @export
with.trackd_run <- function(data, expr, ...) {
  status <- "FAILED"
  on.exit(trackd_end_run(status, run_id = data$run_id), add = TRUE)
  value <- withCallingHandlers(
    eval.parent(substitute(expr)),
    interrupt = function(i) status <<- "KILLED"
  )
  status <- "FINISHED"
  value
}
