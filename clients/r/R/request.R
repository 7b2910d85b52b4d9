# The one place that talks HTTP: base URL, JSON bodies, request ids on
# mutating calls, retries and error bodies turned into conditions. Every
# resource file calls trackd_call().

# The retry and deadline policy all trackd clients share is the gRPC service
# config proto/trackd/v1/service_config.json; `make gen` copies it to
# inst/service_config.json. Over HTTP, its one retryable code, UNAVAILABLE, is
# status 503 (429 is an answer, not an outage: it is not retried); connection
# failures are retried too. Mutating requests keep their request_id across
# retries, so a retry whose first try had in fact succeeded returns the first
# answer and changes nothing. Options override the file's numbers:
# trackd.max_retries, trackd.retry_base_seconds, trackd.timeout_seconds.
.retry_status <- 503L

retry_policy <- function() {
  if (is.null(.globals$retry_policy)) {
    file <- system.file("service_config.json", package = "trackd", mustWork = TRUE)
    entry <- jsonlite::fromJSON(file, simplifyVector = FALSE)$methodConfig[[1]]
    retry <- entry$retryPolicy
    .globals$retry_policy <- list(
      max_attempts = as.integer(retry$maxAttempts),
      initial = duration_seconds(retry$initialBackoff),
      max = duration_seconds(retry$maxBackoff),
      multiplier = as.numeric(retry$backoffMultiplier),
      timeout = duration_seconds(entry$timeout)
    )
  }
  .globals$retry_policy
}

# "1s", "0.25s": a protobuf JSON duration in seconds.
duration_seconds <- function(text) as.numeric(sub("s$", "", text))

max_tries <- function() 1L + getOption("trackd.max_retries", retry_policy()$max_attempts - 1L)

timeout_seconds <- function() getOption("trackd.timeout_seconds", retry_policy()$timeout)

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

# The longest wait before retry `attempt` (1-based): the policy's backoff,
# growing by its multiplier up to its maximum.
retry_ceiling <- function(attempt) {
  policy <- retry_policy()
  base <- getOption("trackd.retry_base_seconds", policy$initial)
  min(base * policy$multiplier^(attempt - 1), max(policy$max, base))
}

# Seconds to wait before retry `attempt`: uniform in [0, ceiling], as gRPC picks
# its own, so clients that failed together do not retry together; from
# /dev/urandom so it leaves the user's RNG stream alone.
retry_delay <- function(attempt) {
  bytes <- urandom_bytes(2L) %||% as.raw(c(128L, 0L))
  retry_ceiling(attempt) * sum(as.integer(bytes) * c(256, 1)) / 65535
}

# What the client says, once per outage, when the server cannot be reached.
announce_outage <- function(client) {
  if (exists(client$base_url, envir = .globals$outages)) return(invisible())
  assign(client$base_url, TRUE, envir = .globals$outages)
  tries <- max_tries()
  wait <- sum(vapply(seq_len(tries - 1L), retry_ceiling, numeric(1)))
  message(sprintf(
    "trackd: server %s unreachable, retrying up to %d times (at most %s s of backoff) before UNAVAILABLE",
    sub("^https?://", "", sub("/+$", "", client$base_url)), tries - 1L, format(wait, digits = 15)
  ))
}

# httr2's req_retry with the shared policy. httr2 sends the same request again
# (body, headers; `rewind` restarts a streamed upload); its callbacks run before
# each retry: `after` for a 503, `backoff` for that and for a connection failure,
# which is how the client tells an unreachable server from a 503.
with_retries <- function(req, client, rewind = function() NULL) {
  tries <- max_tries()
  answered <- FALSE
  after <- function(resp) {
    answered <<- TRUE
    rewind()
    NA # the backoff below decides
  }
  backoff <- function(attempt) {
    if (!answered && attempt < tries) announce_outage(client)
    answered <<- FALSE
    rewind()
    # httr2 0.2 also waits after the last try before it gives up.
    if (attempt >= tries) 0 else retry_delay(attempt)
  }
  args <- list(req, max_tries = tries, max_seconds = timeout_seconds(),
               is_transient = function(resp) httr2::resp_status(resp) == .retry_status,
               backoff = backoff, after = after)
  # httr2 0.2 (Debian's) retries connection failures by itself; from 1.0 on only
  # when asked to.
  if ("retry_on_failure" %in% names(formals(httr2::req_retry))) args$retry_on_failure <- TRUE
  do.call(httr2::req_retry, args)
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
    req <- httr2::req_timeout(req, timeout_seconds())
  } else {
    # A transfer may rightly take longer than any fixed total: only a stall (no
    # byte moved for trackd.timeout_seconds) fails it.
    req <- httr2::req_options(req, connecttimeout = 30, low_speed_limit = 1L,
                              low_speed_time = timeout_seconds())
  }
  rewind <- function() NULL
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
    rewind <- function() seek(con, 0)
  }
  req <- with_retries(req, client, rewind)
  req <- httr2::req_error(req, is_error = function(resp) FALSE)
  resp <- tryCatch(httr2::req_perform(req, path = output), error = function(e) e)
  if (inherits(resp, "error")) {
    return(list(status = NA_integer_, error = resp))
  }
  # It answered: the outage, if any, is over.
  if (exists(client$base_url, envir = .globals$outages)) rm(list = client$base_url, envir = .globals$outages)
  status <- httr2::resp_status(resp)
  body <- if (is.null(output)) {
    rawToChar(httr2::resp_body_raw(resp))
  } else if (status >= 400 && file.exists(output)) {
    # An error's JSON document went to the output file; it is small.
    paste(readLines(output, warn = FALSE, encoding = "UTF-8"), collapse = "\n")
  } else {
    ""
  }
  list(status = status, body = body, headers = httr2::resp_headers(resp))
}

# Sends one request, retrying on 503 and connection failures (httr2, by the
# shared policy) with the very same request (body, file, headers); signals the
# final error. Returns perform_once()'s list.
perform_with_retries <- function(client, method, path, query = list(), body_json = NULL,
                                 headers = list(), upload = NULL, output = NULL) {
  what <- sprintf("%s %s", method, path)
  result <- perform_once(client, method, path, query, body_json, headers, upload, output)
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
