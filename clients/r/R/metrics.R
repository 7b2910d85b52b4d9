# Metrics: MetricService over HTTP/JSON.

# The run to log to: the given id, else the active run, else (as the mlflow
# package does) a newly started run.
logging_run_id <- function(run_id) {
  run_id %||% active_run_entry()$run_id %||% trackd_start_run()$run_id
}

#' Log a metric
#'
#' Appends one point to a metric's history. Steps and timestamps are sent as
#' exact integers (never in scientific notation). `NaN`, `Inf` and `-Inf` are
#' valid values and read back as such; `NA` is refused with
#' `trackd_error_invalid_argument`: log `NaN` to record a missing value.
#'
#' @param key The metric's name (at most 250 characters).
#' @param value A number.
#' @param step A whole number (64-bit), default 0.
#' @param timestamp Milliseconds since the epoch; `NULL` for now.
#' @param run_id The run; `NULL` for the active run (one is started if none is).
#' @param client A [trackd_client()]; `NULL` for the default one.
#' @return `NULL`, invisibly.
#' @examples
#' \dontrun{
#' trackd_log_metric("loss", 0.25, step = 100000)
#' trackd_log_metric("loss", NaN, step = 100001)
#' }
#' @export
trackd_log_metric <- function(key, value, step = 0, timestamp = NULL, run_id = NULL, client = NULL) {
  if (length(value) != 1) {
    trackd_abort("INVALID_ARGUMENT", "value must be a single number; use trackd_log_batch() for many")
  }
  body <- list(
    key = key,
    value = json_double(value)[[1]],
    step = int64_string(step, "step"),
    timestamp = int64_string(timestamp %||% now_ms(), "timestamp")
  )
  run_id <- logging_run_id(run_id)
  trackd_call(run_client(client, run_id), "POST", run_path(run_id, "/metrics"), body,
              mutating = TRUE)
  invisible(NULL)
}

#' Get a metric's history
#'
#' Fetches every page of a metric's history, ordered by step, then timestamp.
#'
#' @param metric_key The metric's name.
#' @param run_id The run; `NULL` for the active run.
#' @param page_size Points per request (at most 25000); `NULL` for 25000.
#' @inheritParams trackd_log_metric
#' @return A data frame with columns `key`, `value` (`NaN`, `Inf` and `-Inf`
#'   as logged), `step` and `timestamp` (milliseconds since the epoch), one
#'   row per logged point; steps and timestamps are doubles, exact up to
#'   2^53.
#' @examples
#' \dontrun{
#' history <- trackd_get_metric_history("loss")
#' plot(history$step, history$value, type = "l")
#' }
#' @export
trackd_get_metric_history <- function(metric_key, run_id = NULL, page_size = NULL, client = NULL) {
  run_id <- resolve_run_id(run_id)
  client <- run_client(client, run_id)
  points <- list()
  token <- NULL
  repeat {
    query <- compact(list(metric_key = metric_key, page_size = page_size %||% 25000,
                          page_token = token))
    resp <- trackd_call(client, "GET", run_path(run_id, "/metrics:history"), query = query)
    points <- c(points, resp$metrics)
    token <- resp$next_page_token
    if (is.null(token) || !nzchar(token)) break
  }
  metric_frame(points)
}
