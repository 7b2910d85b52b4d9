test_that("server errors become classed conditions with code, reason and message", {
  local_experiment()
  run <- trackd_start_run()
  missing <- "0123456789abcdef0123456789abcdef"
  err <- expect_trackd_error(trackd_get_run(missing), "trackd_error_not_found")
  expect_equal(err$code, "NOT_FOUND")
  expect_equal(err$http_status, 404L)
  expect_true(nzchar(err$reason))
  expect_match(conditionMessage(err), "NOT_FOUND")

  trackd_log_param("lr", "0.1")
  err <- expect_trackd_error(trackd_log_param("lr", "0.2"), "trackd_error_invalid_argument")
  expect_match(err$message, "lr")

  name <- unique_name()
  trackd_create_experiment(name)
  expect_trackd_error(trackd_create_experiment(name), "trackd_error_already_exists")

  trackd_end_run()
  trackd_delete_run(run$run_id)
  expect_trackd_error(trackd_set_tag("k", "v", run_id = run$run_id), "trackd_error_failed_precondition")
})

test_that("a request over the server's size limit is resource_exhausted", {
  local_experiment()
  run <- trackd_start_run()
  big <- strrep("x", 17 * 1024 * 1024)
  err <- expect_trackd_error(trackd_set_tag("big", big), "trackd_error_resource_exhausted")
  expect_equal(err$http_status, 413L)
  trackd_end_run()
})

test_that("an unreachable server is unavailable after retries, said once on stderr", {
  withr::local_options(trackd.max_retries = 2, trackd.retry_base_seconds = 0.01)
  port <- free_ports(1) # a new server each time: an outage is announced once per session
  client <- trackd_client(sprintf("http://127.0.0.1:%d", port))
  said <- character()
  withCallingHandlers(
    for (call in 1:2) {
      err <- expect_trackd_error(trackd_get_experiment("0", client = client), "trackd_error_unavailable")
      expect_equal(err$reason, "CONNECTION_FAILED")
    },
    message = function(m) {
      said <<- c(said, conditionMessage(m))
      invokeRestart("muffleMessage")
    }
  )
  # One outage, two calls, six tries: one line, saying where and what happens.
  expect_equal(said, sprintf(paste0("trackd: server 127.0.0.1:%d unreachable, retrying up to 2 times ",
                                    "(at most 0.03 s of backoff) before UNAVAILABLE\n"), port))
})

test_that("every error code of the HTTP mapping has its class", {
  codes <- c(INVALID_ARGUMENT = 400, FAILED_PRECONDITION = 400, NOT_FOUND = 404, ALREADY_EXISTS = 409,
             PERMISSION_DENIED = 403, UNAUTHENTICATED = 401, RESOURCE_EXHAUSTED = 429,
             UNAVAILABLE = 503, INTERNAL = 500, UNIMPLEMENTED = 501, DEADLINE_EXCEEDED = 504,
             ABORTED = 409)
  numbers <- c(INVALID_ARGUMENT = 3, FAILED_PRECONDITION = 9, NOT_FOUND = 5, ALREADY_EXISTS = 6,
               PERMISSION_DENIED = 7, UNAUTHENTICATED = 16, RESOURCE_EXHAUSTED = 8,
               UNAVAILABLE = 14, INTERNAL = 13, UNIMPLEMENTED = 12, DEADLINE_EXCEEDED = 4,
               ABORTED = 10)
  for (code in names(codes)) {
    body <- sprintf(paste0('{"code": %d, "message": "m", "details": [{"@type": ',
                           '"type.googleapis.com/google.rpc.ErrorInfo", "reason": "R_%s", ',
                           '"domain": "trackd.io", "metadata": {"k": "v"}}]}'),
                    numbers[[code]], code)
    cond <- trackd:::error_from_response(codes[[code]], body, "GET /x")
    expect_identical(class(cond), c(paste0("trackd_error_", tolower(code)), "trackd_error", "error", "condition"))
    expect_equal(cond$reason, paste0("R_", code))
    expect_equal(cond$metadata, list(k = "v"))
  }
})

test_that("answers without a trackd error body are classed by HTTP status", {
  cond <- trackd:::error_from_response(502L, "<html>Bad gateway</html>", "GET /x")
  expect_s3_class(cond, "trackd_error_internal")
  expect_match(cond$message, "Bad gateway")
  expect_s3_class(trackd:::error_from_response(404L, "", "GET /x"), "trackd_error_not_found")
  expect_s3_class(trackd:::error_from_response(418L, "teapot", "GET /x"), "trackd_error_unknown")
})

test_that("an unknown route from the server is a not_found condition", {
  err <- expect_trackd_error(trackd:::trackd_call(NULL, "GET", "v1/nothing/here"), "trackd_error_not_found")
  expect_equal(err$reason, "ROUTE_NOT_FOUND")
})
