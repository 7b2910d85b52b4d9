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
#' Fetches a metric's history, ordered by step, then timestamp: every point,
#' page by page, or with `max_points` a downsampled series for charts in one
#' request (the first, last, minimum and maximum point of each of
#' `max_points / 4` equal-count buckets are kept; see the server's
#' docs/metrics-history.md).
#'
#' @param metric_key The metric's name.
#' @param run_id The run; `NULL` for the active run.
#' @param page_size Points per request (at most 100000); `NULL` for the
#'   server's default (100000). Not used with `max_points`.
#' @param max_points `NULL` for every point; else 4..25000, the most points
#'   to return.
#' @param start_step,end_step Only points with `start_step <= step <=
#'   end_step` (either may be `NULL`).
#' @inheritParams trackd_log_metric
#' @return A data frame with columns `key`, `value` (`NaN`, `Inf` and `-Inf`
#'   as logged), `step` and `timestamp` (milliseconds since the epoch), one
#'   row per point; steps and timestamps are doubles, exact up to 2^53. With
#'   `max_points` it has attributes `total_points` (points in the step range)
#'   and `downsampled` (whether points were left out).
#' @examples
#' \dontrun{
#' history <- trackd_get_metric_history("loss")
#' plot(history$step, history$value, type = "l")
#' chart <- trackd_get_metric_history("loss", max_points = 500, start_step = 1000)
#' attr(chart, "downsampled")
#' }
#' @export
trackd_get_metric_history <- function(metric_key, run_id = NULL, page_size = NULL,
                                      max_points = NULL, start_step = NULL, end_step = NULL,
                                      client = NULL) {
  run_id <- resolve_run_id(run_id)
  client <- run_client(client, run_id)
  range <- step_range(start_step, end_step)
  path <- run_path(run_id, "/metrics:history")
  if (!is.null(max_points)) {
    query <- c(list(metric_key = metric_key, max_points = int64_string(max_points, "max_points"),
                    layout = COLUMNS_LAYOUT), range)
    resp <- trackd_call(client, "GET", path, query = query)
    frame <- history_frame(resp, metric_key)
    attr(frame, "total_points") <- as.numeric(resp$total_points %||% 0)
    attr(frame, "downsampled") <- isTRUE(resp$downsampled)
    return(frame)
  }
  pages <- list()
  token <- NULL
  repeat {
    query <- c(compact(list(metric_key = metric_key,
                            page_size = if (!is.null(page_size)) int64_string(page_size, "page_size"),
                            page_token = token, layout = COLUMNS_LAYOUT)), range)
    resp <- trackd_call(client, "GET", path, query = query)
    pages[[length(pages) + 1]] <- history_frame(resp, metric_key)
    token <- resp$next_page_token
    if (is.null(token) || !nzchar(token)) break
  }
  frame <- do.call(rbind, pages)
  rownames(frame) <- NULL
  frame
}

# History is asked for as three parallel arrays (steps, timestamps, values)
# rather than one JSON object per point: smaller answers, faster to decode,
# and pages of up to 100000 points.
COLUMNS_LAYOUT <- "HISTORY_LAYOUT_COLUMNS"

# Decoded int64s as doubles, each converted on its own: unlist() of mixed
# strings and numbers would print the numbers with 15 digits and lose some.
int64_column <- function(x) {
  vapply(x %||% list(), function(v) as.numeric(v), numeric(1), USE.NAMES = FALSE)
}

# The points of one history answer (a response or a bulk series) as a metric
# frame. Reads `columns`, or the rows (`metrics` / `points`) an older server
# that ignores the layout sends.
history_frame <- function(answer, metric_key) {
  columns <- answer$columns
  if (is.null(columns)) {
    frame <- metric_frame(answer$metrics %||% answer$points %||% list())
    frame$key <- rep(metric_key, nrow(frame))
    return(frame)
  }
  # int64 come as strings (or numbers); doubles as numbers or "NaN"/"Infinity"/"-Infinity".
  steps <- int64_column(columns$steps)
  timestamps <- int64_column(columns$timestamps)
  values <- parse_double(columns$values %||% list())
  if (length(steps) != length(values) || length(timestamps) != length(values)) {
    trackd_abort("DATA_LOSS", sprintf(
      "history columns differ in length: %d steps, %d timestamps, %d values",
      length(steps), length(timestamps), length(values)))
  }
  data.frame(key = rep(metric_key, length(values)), value = values, step = steps,
             timestamp = timestamps, stringsAsFactors = FALSE)
}

# The optional step bounds as exact integer strings, absent when NULL.
step_range <- function(start_step, end_step) {
  compact(list(
    start_step = if (!is.null(start_step)) int64_string(start_step, "start_step"),
    end_step = if (!is.null(end_step)) int64_string(end_step, "end_step")
  ))
}

#' Get the histories of several metrics of several runs
#'
#' One request for charts: every (run, key) series, each downsampled to at
#' most `max_points` points like [trackd_get_metric_history()]. The server
#' caps a response at 100 runs, 100 keys, 10000 points per series and 100000
#' points in all.
#'
#' @param run_ids The runs (1 to 100).
#' @param metric_keys The metric names (1 to 100).
#' @param max_points Points per series, 4..10000; `NULL` lets the server pick
#'   (1000, lowered so that all series fit in 100000 points).
#' @inheritParams trackd_get_metric_history
#' @return A data frame with columns `run_id`, `key`, `step`, `timestamp` and
#'   `value`, ordered as `run_ids`, then `metric_keys`, then by step; pairs
#'   without points have no rows. Attribute `max_points` is the per-series
#'   limit the server applied.
#' @examples
#' \dontrun{
#' runs <- trackd_search_runs(order_by = "metrics.loss ASC", max_results = 10)
#' curves <- trackd_get_metric_history_bulk(runs$run_id, c("loss", "accuracy"), max_points = 200)
#' }
#' @export
trackd_get_metric_history_bulk <- function(run_ids, metric_keys, max_points = NULL,
                                           start_step = NULL, end_step = NULL, client = NULL) {
  body <- c(list(
    run_ids = I(as.character(run_ids)),
    metric_keys = I(as.character(metric_keys)),
    max_points = if (!is.null(max_points)) int64_string(max_points, "max_points"),
    layout = COLUMNS_LAYOUT
  ), step_range(start_step, end_step))
  resp <- trackd_call(resolve_client(client), "POST", "v1/metrics:historyBulk", compact(body))
  series <- resp$series %||% list()
  frames <- lapply(series, function(s) {
    points <- history_frame(s, s$metric_key)
    data.frame(run_id = rep(s$run_id, nrow(points)), key = rep(s$metric_key, nrow(points)),
               step = points$step, timestamp = points$timestamp, value = points$value,
               stringsAsFactors = FALSE)
  })
  empty <- data.frame(run_id = character(), key = character(), step = numeric(),
                      timestamp = numeric(), value = numeric(), stringsAsFactors = FALSE)
  frame <- do.call(rbind, c(list(empty), frames))
  rownames(frame) <- NULL
  attr(frame, "max_points") <- as.numeric(resp$max_points %||% NA)
  frame
}
