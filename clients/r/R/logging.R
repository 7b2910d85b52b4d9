# Params, tags and batches (RunService over HTTP/JSON).

# The server's LogBatch limits; a batch is sent in as many requests as needed.
.batch_limits <- list(metrics = 1000L, params = 100L, tags = 100L)

#' Log a parameter
#'
#' Params are write-once: logging the same value again is accepted, a
#' different value signals `trackd_error_invalid_argument`. Numbers are
#' written without scientific notation when whole (`1e5` becomes
#' `"100000"`).
#'
#' @param key The param's name (at most 250 characters).
#' @param value Its value (coerced to a string of at most 6000 characters).
#' @inheritParams trackd_log_metric
#' @return `NULL`, invisibly.
#' @examples
#' \dontrun{
#' trackd_log_param("optimizer", "adam")
#' }
#' @export
trackd_log_param <- function(key, value, run_id = NULL, client = NULL) {
  run_id <- logging_run_id(run_id)
  trackd_call(run_client(client, run_id), "POST", run_path(run_id, "/params"),
              list(key = key, value = value_string(value)), mutating = TRUE)
  invisible(NULL)
}

#' Set or delete a run tag
#'
#' Tags are mutable: setting a key again overwrites it. Setting
#' `mlflow.runName` renames the run. Deleting an absent tag signals
#' `trackd_error_not_found`.
#'
#' @param key The tag's key (at most 250 characters).
#' @param value Its value (coerced to a string of at most 8000 characters).
#' @inheritParams trackd_log_metric
#' @return `NULL`, invisibly.
#' @examples
#' \dontrun{
#' trackd_set_tag("stage", "tuning")
#' trackd_delete_tag("stage")
#' }
#' @export
trackd_set_tag <- function(key, value, run_id = NULL, client = NULL) {
  run_id <- logging_run_id(run_id)
  trackd_call(run_client(client, run_id), "POST", run_path(run_id, "/tags"),
              list(key = key, value = value_string(value)), mutating = TRUE)
  invisible(NULL)
}

#' @rdname trackd_set_tag
#' @export
trackd_delete_tag <- function(key, run_id = NULL, client = NULL) {
  run_id <- resolve_run_id(run_id)
  trackd_call(run_client(client, run_id), "POST", run_path(run_id, "/tags:delete"),
              list(key = key), mutating = TRUE)
  invisible(NULL)
}

batch_metrics <- function(metrics) {
  if (is.null(metrics) || nrow(metrics) == 0) return(list())
  if (!all(c("key", "value") %in% names(metrics))) {
    trackd_abort("INVALID_ARGUMENT", "metrics must be a data frame with columns key and value (and optionally step, timestamp)")
  }
  n <- nrow(metrics)
  keys <- as.character(metrics$key)
  if (anyNA(keys)) trackd_abort("INVALID_ARGUMENT", "metrics has NA keys")
  values <- json_double(metrics$value, "a metric value")
  steps <- int64_string(if (is.null(metrics$step)) rep(0, n) else metrics$step, "step")
  stamps <- int64_string(if (is.null(metrics$timestamp)) rep(now_ms(), n) else metrics$timestamp,
                         "timestamp")
  lapply(seq_len(n), function(i) {
    list(key = keys[i], value = values[[i]], step = steps[i], timestamp = stamps[i])
  })
}

#' Log a batch of metrics, params and tags
#'
#' Sends data frames in as few requests as the server's limits allow (1000
#' metrics, 100 params and 100 tags per request). Each request is atomic; a
#' batch larger than one request is not, as a whole.
#'
#' @param metrics A data frame with columns `key` and `value`, and optionally
#'   `step` (default 0) and `timestamp` (default now, in milliseconds). Values
#'   may be `NaN`, `Inf` or `-Inf`, not `NA`.
#' @param params A data frame with columns `key` and `value`.
#' @param tags A data frame with columns `key` and `value`.
#' @inheritParams trackd_log_metric
#' @return `NULL`, invisibly.
#' @examples
#' \dontrun{
#' trackd_log_batch(
#'   metrics = data.frame(key = "loss", value = c(0.9, 0.5), step = 1:2),
#'   params = data.frame(key = "alpha", value = "0.5")
#' )
#' }
#' @export
trackd_log_batch <- function(metrics = NULL, params = NULL, tags = NULL, run_id = NULL,
                             client = NULL) {
  items <- list(metrics = batch_metrics(metrics), params = key_values(params, "params"),
                tags = key_values(tags, "tags"))
  if (sum(lengths(items)) == 0) return(invisible(NULL))
  run_id <- logging_run_id(run_id)
  client <- run_client(client, run_id)
  chunks <- max(mapply(function(x, limit) ceiling(length(x) / limit), items, .batch_limits))
  for (chunk in seq_len(chunks)) {
    body <- mapply(function(x, limit) {
      first <- (chunk - 1) * limit + 1
      if (first > length(x)) list() else x[first:min(length(x), chunk * limit)]
    }, items, .batch_limits, SIMPLIFY = FALSE)
    trackd_call(client, "POST", run_path(run_id, ":logBatch"), body, mutating = TRUE)
  }
  invisible(NULL)
}
