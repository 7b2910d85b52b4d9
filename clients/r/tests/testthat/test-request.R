# A fault-injecting proxy in front of the real server answers the first tries
# with 503 or 429; the client must retry a 503 with the very same request, and
# take a 429 as the answer.
local_flaky_proxy <- function(status, failures, envir = parent.frame()) {
  log <- tempfile(fileext = ".jsonl")
  proc <- processx::process$new(test_python(), c(
    test_path("fixtures", "flaky_proxy.py"), test_server$http_url, status, failures, log
  ), stdout = "|", stderr = "2>&1", cleanup = TRUE, env = python_env())
  withr::defer(proc$kill(), envir = envir)
  lines <- character()
  deadline <- Sys.time() + 15
  while (length(lines) == 0 && Sys.time() < deadline && proc$is_alive()) {
    proc$poll_io(1000)
    lines <- proc$read_output_lines()
  }
  port <- as.integer(lines[1])
  if (is.na(port)) stop("flaky proxy did not start: ", paste(lines, proc$read_all_output(), collapse = "\n"))
  list(client = trackd_client(sprintf("http://127.0.0.1:%d", port)), log = log)
}

proxy_log <- function(proxy) {
  lapply(readLines(proxy$log), jsonlite::fromJSON)
}

test_that("request ids are random version-4 UUIDs, unaffected by set.seed", {
  set.seed(1)
  a <- trackd:::new_request_id()
  set.seed(1)
  b <- trackd:::new_request_id()
  expect_false(identical(a, b))
  expect_match(a, "^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
})

test_that("a mutating call retried after 503 sends the same request id and takes effect once", {
  withr::local_options(trackd.retry_base_seconds = 0.01)
  proxy <- local_flaky_proxy(503, 2)
  name <- unique_name()
  # The server answered: no word of an unreachable server.
  expect_silent(id <- trackd_create_experiment(name, client = proxy$client))
  tries <- Filter(function(r) r$path == "/v1/experiments", proxy_log(proxy))
  expect_length(tries, 3)
  bodies <- vapply(tries, function(r) r$body, "")
  expect_length(unique(bodies), 1)
  expect_match(bodies[1], "\"request_id\":\"[0-9a-f-]{36}\"")
  expect_equal(trackd_get_experiment(id)$name, name)
})

test_that("an upload retried after 503 sends the whole file again, once stored", {
  withr::local_options(trackd.retry_base_seconds = 0.01)
  proxy <- local_flaky_proxy(503, 2)
  local_experiment()
  run <- trackd_start_run()
  file <- file.path(withr::local_tempdir(), "notes.txt")
  writeLines(rep("retried upload", 1000), file)
  trackd_log_artifact(file, run_id = run$run_id, client = proxy$client)
  tries <- Filter(function(r) r$method == "PUT", proxy_log(proxy))
  expect_length(tries, 3)
  expect_equal(unique(vapply(tries, function(r) r$body, "")),
               paste0(paste(readLines(file), collapse = "\n"), "\n"))
  back <- trackd_download_artifacts("notes.txt", dst_path = withr::local_tempdir())
  expect_equal(unname(tools::md5sum(back)), unname(tools::md5sum(file)))
  trackd_end_run()
})

test_that("429 is not retried (only UNAVAILABLE is), and reads carry no request id", {
  withr::local_options(trackd.retry_base_seconds = 0.01)
  proxy <- local_flaky_proxy(429, 1)
  expect_trackd_error(trackd_get_experiment("0", client = proxy$client),
                      "trackd_error_resource_exhausted")
  tries <- proxy_log(proxy)
  expect_length(tries, 1)
  expect_equal(tries[[1]]$body, "")
  expect_equal(trackd_get_experiment("0", client = proxy$client)$name, "Default")
})

test_that("the policy's numbers are the shared service config's", {
  shared <- jsonlite::fromJSON(file.path(repo_root(), "proto", "trackd", "v1", "service_config.json"),
                               simplifyVector = FALSE)$methodConfig[[1]]
  policy <- trackd:::retry_policy()
  expect_equal(policy$max_attempts, shared$retryPolicy$maxAttempts)
  expect_equal(c(policy$initial, policy$max, policy$multiplier, policy$timeout), c(1, 8, 2, 60))
  expect_equal(paste0(c(policy$initial, policy$max, policy$timeout), "s"),
               c(shared$retryPolicy$initialBackoff, shared$retryPolicy$maxBackoff, shared$timeout))
  expect_equal(trackd:::max_tries(), 5L)
  expect_equal(vapply(1:5, trackd:::retry_ceiling, numeric(1)), c(1, 2, 4, 8, 8))
  delays <- vapply(rep(3, 200), trackd:::retry_delay, numeric(1))
  expect_true(all(delays >= 0 & delays <= 4))
  expect_true(any(delays < 2)) # full jitter, not the upper half only
})

test_that("retries stop after trackd.max_retries and the last error is raised", {
  withr::local_options(trackd.retry_base_seconds = 0.01, trackd.max_retries = 2)
  proxy <- local_flaky_proxy(503, 10)
  err <- expect_trackd_error(trackd_get_experiment("0", client = proxy$client), "trackd_error_unavailable")
  expect_equal(err$reason, "INJECTED")
  expect_length(proxy_log(proxy), 3)
})

test_that("a retry whose first try reached the server changes nothing twice", {
  local_experiment()
  run <- trackd_start_run()
  body <- list(key = "once", value = trackd:::json_double(1)[[1]], step = "0", timestamp = "5",
               request_id = trackd:::new_request_id())
  path <- trackd:::run_path(run$run_id, "/metrics")
  trackd:::trackd_call(NULL, "POST", path, body, mutating = TRUE)
  trackd:::trackd_call(NULL, "POST", path, body, mutating = TRUE)
  expect_equal(nrow(trackd_get_metric_history("once")), 1)
  trackd_end_run()
})
