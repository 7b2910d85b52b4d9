# The one place that talks HTTP: base URL, JSON bodies, request ids on
# mutating calls, retries and error bodies turned into conditions. Every
# resource file calls trackd_call().

# HTTP statuses after which the same request is sent again: the server was
# overloaded (429) or briefly unable to reach its store (503). Mutating
# requests keep their request_id across retries, so a retry whose first try
# had in fact succeeded returns the first answer and changes nothing.
.retry_statuses <- c(429L, 503L)

# A random version-4 UUID for request ids. It reads /dev/urandom where there
# is one rather than R's RNG, so set.seed() in user code cannot make two
# sessions send the same id.
new_request_id <- function() {
  bytes <- urandom_bytes(16L) %||% fallback_random_bytes()
  bytes[7] <- as.raw(bitwOr(bitwAnd(as.integer(bytes[7]), 0x0f), 0x40))
  bytes[9] <- as.raw(bitwOr(bitwAnd(as.integer(bytes[9]), 0x3f), 0x80))
  hex <- paste(format(as.hexmode(as.integer(bytes)), width = 2), collapse = "")
  paste(substring(hex, c(1, 9, 13, 17, 21), c(8, 12, 16, 20, 32)), collapse = "-")
}

# `n` bytes from the OS's random source, or NULL where there is none (Windows).
urandom_bytes <- function(n) {
  if (!file.exists("/dev/urandom")) return(NULL)
  con <- file("/dev/urandom", open = "rb", raw = TRUE)
  on.exit(close(con))
  readBin(con, "raw", n)
}

# Without /dev/urandom: R's RNG seeded from the clock, pid and a counter,
# leaving the user's RNG state as it was.
fallback_random_bytes <- function() {
  .globals$request_counter <- .globals$request_counter + 1
  old_seed <- if (exists(".Random.seed", globalenv())) get(".Random.seed", globalenv()) else NULL
  on.exit(if (!is.null(old_seed)) assign(".Random.seed", old_seed, globalenv()))
  seed <- (as.numeric(Sys.time()) * 1000 + Sys.getpid() * 7919 + .globals$request_counter) %% .Machine$integer.max
  set.seed(as.integer(seed))
  as.raw(sample.int(256, 16, replace = TRUE) - 1L)
}

# Seconds to wait before retry `attempt` (1-based): the server's Retry-After
# when given, else exponential backoff with jitter, capped.
retry_delay <- function(attempt, retry_after = NULL) {
  if (!is.null(retry_after) && !is.na(suppressWarnings(as.numeric(retry_after)))) {
    return(min(as.numeric(retry_after), 30))
  }
  base <- getOption("trackd.retry_base_seconds", 0.25)
  min(base * 2^(attempt - 1), 10) * jitter()
}

# A factor in [0.5, 1] so clients that failed together do not retry together;
# from /dev/urandom so it leaves the user's RNG stream alone.
jitter <- function() {
  byte <- urandom_bytes(1L) %||% as.raw(128L)
  0.5 + 0.5 * as.integer(byte) / 255
}

# One HTTP exchange. Returns list(status, body, headers) or, when the server
# could not be reached, list(status = NA, error = <condition>).
#
# `body_json` is a JSON request body; `upload` (a local file) is streamed as
# the body instead, read piece by piece; with `output` (a local file) the
# response body is written there as it arrives, never held in memory.
perform_once <- function(client, method, path, query, body_json, headers = list(),
                         upload = NULL, output = NULL) {
  req <- httr2::request(client$base_url)
  req <- httr2::req_url_path_append(req, path)
  if (length(query) > 0) req <- do.call(httr2::req_url_query, c(list(req), query))
  req <- httr2::req_method(req, method)
  req <- httr2::req_user_agent(req, sprintf("trackd-r-client/%s", utils::packageVersion("trackd")))
  req <- httr2::req_headers(req, Accept = "application/json")
  if (length(headers) > 0) req <- do.call(httr2::req_headers, c(list(req), headers))
  if (is.null(upload) && is.null(output)) {
    req <- httr2::req_timeout(req, getOption("trackd.timeout_seconds", 60))
  } else {
    # A transfer may rightly take longer than any fixed total: only a stall (no
    # byte moved for trackd.timeout_seconds) fails it.
    req <- httr2::req_options(req, connecttimeout = 30, low_speed_limit = 1L,
                              low_speed_time = getOption("trackd.timeout_seconds", 60))
  }
  if (!is.null(body_json)) {
    req <- httr2::req_body_raw(req, body_json, type = "application/json")
  }
  if (!is.null(upload)) {
    # httr2's req_body_file() leaves its file open when the server answers before
    # reading everything (an early error); this reader is closed on exit instead.
    con <- file(upload, open = "rb")
    on.exit(close(con), add = TRUE)
    req <- httr2::req_headers(req, `Content-Type` = "application/octet-stream")
    req <- httr2::req_options(req, upload = TRUE, infilesize_large = file.size(upload),
                              readfunction = function(nbytes, ...) readBin(con, "raw", nbytes))
  }
  req <- httr2::req_error(req, is_error = function(resp) FALSE)
  resp <- tryCatch(httr2::req_perform(req, path = output), error = function(e) e)
  if (inherits(resp, "error")) {
    return(list(status = NA_integer_, error = resp))
  }
  status <- httr2::resp_status(resp)
  body <- if (is.null(output)) {
    rawToChar(httr2::resp_body_raw(resp))
  } else if (status >= 400 && file.exists(output)) {
    # An error's JSON document went to the output file; it is small.
    paste(readLines(output, warn = FALSE, encoding = "UTF-8"), collapse = "\n")
  } else {
    ""
  }
  list(
    status = status,
    body = body,
    headers = httr2::resp_headers(resp),
    retry_after = if (httr2::resp_header_exists(resp, "Retry-After")) httr2::resp_header(resp, "Retry-After")
  )
}

# Sends one request, retrying on 429, 503 and connection failures with the
# very same request (body, file, headers); signals the final error. Returns
# perform_once()'s list.
perform_with_retries <- function(client, method, path, query = list(), body_json = NULL,
                                 headers = list(), upload = NULL, output = NULL) {
  max_tries <- 1 + getOption("trackd.max_retries", 4)
  what <- sprintf("%s %s", method, path)
  for (attempt in seq_len(max_tries)) {
    result <- perform_once(client, method, path, query, body_json, headers, upload, output)
    retryable <- is.na(result$status) || result$status %in% .retry_statuses
    if (!retryable || attempt == max_tries) break
    Sys.sleep(retry_delay(attempt, result$retry_after))
  }
  if (is.na(result$status)) {
    stop(trackd_condition(
      "UNAVAILABLE",
      sprintf("could not reach trackd at %s (%s): %s", client$base_url, what,
              conditionMessage(result$error)),
      reason = "CONNECTION_FAILED"
    ))
  }
  if (result$status >= 400) {
    stop(error_from_response(result$status, result$body, what))
  }
  result
}

# Calls one RPC over HTTP/JSON and returns the decoded response (a list).
#
# `body` is a list encoded with to_json(); NULL fields are dropped. With
# `mutating = TRUE` a fresh request_id is added unless the body has one, and
# every retry sends the very same bytes. Connection failures are retried for
# mutating and reading calls alike: a request that never arrived changed
# nothing, and one that did is deduplicated by its request_id.
trackd_call <- function(client, method, path, body = NULL, query = list(), mutating = FALSE) {
  client <- client %||% trackd_client()
  if (mutating) {
    body <- body %||% list()
    if (is.null(body$request_id)) body$request_id <- new_request_id()
  }
  body_json <- if (!is.null(body)) to_json(compact(body)) else NULL
  result <- perform_with_retries(client, method, path, query = query, body_json = body_json)
  if (!nzchar(result$body)) return(list())
  jsonlite::fromJSON(result$body, simplifyVector = FALSE, bigint_as_char = TRUE)
}

# Path segments are ids; escape them so an id can never change the route.
path_id <- function(x, what) {
  if (is.null(x) || length(x) != 1 || is.na(x) || !nzchar(as.character(x))) {
    trackd_abort("INVALID_ARGUMENT", sprintf("%s must be a single non-empty string", what))
  }
  utils::URLencode(as.character(x), reserved = TRUE)
}

# A `/`-separated artifact path as URL path segments, each percent-encoded (so
# a name may hold spaces, `%`, `:` or non-ASCII characters). The server
# decodes them once and checks the result for traversal.
artifact_url_path <- function(path) {
  segments <- strsplit(enc2utf8(path), "/", fixed = TRUE)[[1]]
  segments <- segments[nzchar(segments)]
  encoded <- vapply(segments, utils::URLencode, character(1), reserved = TRUE, USE.NAMES = FALSE)
  # "." and ".." are sent encoded: HTTP clients would otherwise resolve them in the URL,
  # and the server, not the URL, must judge the path.
  encoded[segments == "."] <- "%2E"
  encoded[segments == ".."] <- "%2E%2E"
  paste(encoded, collapse = "/")
}
