.default_tracking_uri <- "http://127.0.0.1:50052"

#' Set the tracking server
#'
#' Sets the URL of the trackd server's HTTP/JSON port that functions use when
#' no `client` is passed. Without it, the environment variable
#' `TRACKD_TRACKING_URI` is used, and without that `http://127.0.0.1:50052`.
#'
#' @param uri An `http://` or `https://` URL, for example
#'   `"http://127.0.0.1:50052"`.
#' @return The previous URI (or `NULL`), invisibly.
#' @examples
#' old <- trackd_set_tracking_uri("http://127.0.0.1:50052")
#' trackd_get_tracking_uri()
#' trackd_set_tracking_uri(old)
#' @export
trackd_set_tracking_uri <- function(uri) {
  if (!is.null(uri)) uri <- check_tracking_uri(uri)
  old <- .globals$tracking_uri
  .globals$tracking_uri <- uri
  invisible(old)
}

#' Get the tracking server
#'
#' @return The tracking URI in effect: the one set with
#'   [trackd_set_tracking_uri()], else `TRACKD_TRACKING_URI`, else
#'   `http://127.0.0.1:50052`.
#' @examples
#' trackd_get_tracking_uri()
#' @export
trackd_get_tracking_uri <- function() {
  uri <- .globals$tracking_uri
  if (is.null(uri)) {
    env <- Sys.getenv("TRACKD_TRACKING_URI", "")
    uri <- if (nzchar(env)) env else .default_tracking_uri
  }
  check_tracking_uri(uri)
}

check_tracking_uri <- function(uri) {
  if (!is.character(uri) || length(uri) != 1 || is.na(uri) ||
      !grepl("^https?://[^/]+", uri)) {
    hint <- if (is.character(uri) && length(uri) == 1 && grepl("^grpc", uri)) {
      " (the R client speaks HTTP/JSON: use the server's --http-port, default 50052)"
    } else {
      ""
    }
    trackd_abort("INVALID_ARGUMENT",
      sprintf("tracking URI must be an http:// or https:// URL, got %s%s",
              format(uri), hint), reason = "CLIENT_INVALID_URI")
  }
  sub("/+$", "", uri)
}

#' Create a trackd client
#'
#' A client names the server to talk to. Functions take it as their `client`
#' argument; without one they use `trackd_client()`, the server of
#' [trackd_get_tracking_uri()].
#'
#' @param tracking_uri The server's HTTP/JSON URL; `NULL` for
#'   [trackd_get_tracking_uri()].
#' @return An object of class `trackd_client`.
#' @examples
#' client <- trackd_client("http://127.0.0.1:50052")
#' client
#' @export
trackd_client <- function(tracking_uri = NULL) {
  uri <- if (is.null(tracking_uri)) trackd_get_tracking_uri() else check_tracking_uri(tracking_uri)
  structure(list(base_url = uri), class = "trackd_client")
}

#' @export
print.trackd_client <- function(x, ...) {
  cat("<trackd_client>", x$base_url, "\n")
  invisible(x)
}

resolve_client <- function(client) {
  if (is.null(client)) return(trackd_client())
  if (!inherits(client, "trackd_client")) {
    trackd_abort("INVALID_ARGUMENT", "client must be created with trackd_client()")
  }
  client
}
