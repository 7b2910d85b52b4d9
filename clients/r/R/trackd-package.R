#' trackd: a client for the trackd experiment tracking server
#'
#' The functions mirror those of the `mlflow` R package with a `trackd_` prefix
#' (`mlflow_log_metric()` is [trackd_log_metric()], and so on). They talk to the
#' server's HTTP/JSON port (see [trackd_set_tracking_uri()]).
#'
#' Errors reported by the server are conditions of class
#' `trackd_error_<code>` (for example `trackd_error_not_found`), which inherit
#' from `trackd_error`, `error` and `condition`; see [trackd_error].
#'
#' @keywords internal
"_PACKAGE"

# Session state of the fluent API: the tracking URI set by
# trackd_set_tracking_uri(), the active experiment and the stack of active runs
# (each entry a list(run_id, client)); the shared retry policy once read, and the
# servers whose outage was announced (by base URL).
.globals <- new.env(parent = emptyenv())
.globals$retry_policy <- NULL
.globals$outages <- new.env(parent = emptyenv())
.globals$tracking_uri <- NULL
.globals$active_experiment_id <- NULL
.globals$run_stack <- list()
.globals$request_counter <- 0
