#' Errors raised by trackd
#'
#' Every error from the server, and every request the client refuses before
#' sending it, is signalled as a condition whose classes are, in order,
#' `trackd_error_<code>`, `trackd_error`, `error` and `condition`, where
#' `<code>` is the lower-case gRPC code name: `trackd_error_invalid_argument`,
#' `trackd_error_not_found`, `trackd_error_already_exists`,
#' `trackd_error_failed_precondition`, `trackd_error_resource_exhausted`,
#' `trackd_error_permission_denied`, `trackd_error_unauthenticated`,
#' `trackd_error_unavailable`, `trackd_error_unimplemented`,
#' `trackd_error_internal`, `trackd_error_data_loss` (an artifact's content
#' did not match its checksum or size) (and `trackd_error_unknown` for answers that are not
#' trackd's, such as a proxy's HTML page).
#'
#' The condition carries the server's `message`, `code` (for example
#' `"NOT_FOUND"`), `reason` (a stable machine-readable reason such as
#' `"RUN_NOT_FOUND"`), `http_status` (`NA` for errors raised by the client)
#' and `metadata` (a named list).
#'
#' @name trackd_error
#' @examples
#' \dontrun{
#' tryCatch(
#'   trackd_get_run("0123456789abcdef0123456789abcdef"),
#'   trackd_error_not_found = function(e) message("no such run: ", e$reason)
#' )
#' }
NULL

# The gRPC code named by Google's HTTP mapping, for answers without a trackd
# error body (a proxy's 502, say).
.code_for_http_status <- function(status) {
  switch(as.character(status),
    "400" = "INVALID_ARGUMENT",
    "401" = "UNAUTHENTICATED",
    "403" = "PERMISSION_DENIED",
    "404" = "NOT_FOUND",
    "409" = "ALREADY_EXISTS",
    "413" = "RESOURCE_EXHAUSTED",
    "429" = "RESOURCE_EXHAUSTED",
    "499" = "CANCELLED",
    "501" = "UNIMPLEMENTED",
    "503" = "UNAVAILABLE",
    "504" = "DEADLINE_EXCEEDED",
    if (status >= 500) "INTERNAL" else "UNKNOWN"
  )
}

# gRPC code names by number (google/rpc/code.proto): the error body's `code` is
# the number, `.grpc_code_names[code + 1]` its name.
.grpc_code_names <- c(
  "OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND",
  "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION",
  "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS",
  "UNAUTHENTICATED"
)
.error_info_type <- "type.googleapis.com/google.rpc.ErrorInfo"

# Builds (does not signal) a classed trackd condition.
trackd_condition <- function(code, message, reason = code, http_status = NA_integer_,
                             metadata = list(), call = NULL) {
  code <- toupper(code)
  structure(
    class = c(paste0("trackd_error_", tolower(code)), "trackd_error", "error", "condition"),
    list(
      message = message,
      call = call,
      code = code,
      reason = reason,
      http_status = http_status,
      metadata = metadata
    )
  )
}

# Signals a trackd condition raised by the client itself (bad arguments, no
# active run): the same classes as the server's errors of the same code.
trackd_abort <- function(code, message, reason = code, call = sys.call(-1)) {
  stop(trackd_condition(code, message, reason = reason, call = call))
}

#' @export
conditionMessage.trackd_error <- function(c) {
  if (is.na(c$http_status)) {
    sprintf("%s (%s): %s", c$code, c$reason, c$message)
  } else {
    sprintf("%s (%s, HTTP %s): %s", c$code, c$reason, c$http_status, c$message)
  }
}

# The condition for an HTTP error response: from trackd's error body (a
# google.rpc.Status as JSON: numeric `code`, `message`, `details` holding a
# google.rpc.ErrorInfo with `reason` and `metadata`) when there is one, else
# from the status alone.
error_from_response <- function(status, body_text, what) {
  doc <- tryCatch(jsonlite::fromJSON(body_text, simplifyVector = FALSE),
                  error = function(e) NULL)
  number <- if (is.list(doc)) doc$code else NULL
  if (is.numeric(number) && length(number) == 1 && number >= 0 &&
      number < length(.grpc_code_names)) {
    code <- .grpc_code_names[[number + 1]]
    infos <- Filter(function(d) is.list(d) && identical(d[["@type"]], .error_info_type),
                    doc$details %||% list())
    info <- if (length(infos) > 0) infos[[1]] else list()
    return(trackd_condition(
      code = code,
      message = doc$message %||% "",
      reason = info$reason %||% code,
      http_status = status,
      metadata = info$metadata %||% list()
    ))
  }
  snippet <- substr(gsub("\\s+", " ", body_text), 1, 200)
  trackd_condition(
    code = .code_for_http_status(status),
    message = sprintf("%s answered HTTP %s: %s", what, status, snippet),
    reason = "HTTP_ERROR",
    http_status = status
  )
}

`%||%` <- function(a, b) if (is.null(a)) b else a
