test_that("the tracking URI comes from the setter, then TRACKD_TRACKING_URI, then the default", {
  local_clean_state()
  withr::local_envvar(TRACKD_TRACKING_URI = "http://env.example:1234/")
  expect_equal(trackd_get_tracking_uri(), "http://env.example:1234")
  old <- trackd_set_tracking_uri("https://set.example:9")
  expect_null(old)
  expect_equal(trackd_get_tracking_uri(), "https://set.example:9")
  expect_equal(trackd_client()$base_url, "https://set.example:9")
  expect_equal(trackd_set_tracking_uri(NULL), "https://set.example:9")
  withr::local_envvar(TRACKD_TRACKING_URI = NA)
  # The default's value is pinned against the server's default HTTP port by
  # tests/server/test_server_process.py; here: it is what applies when nothing is set.
  expect_equal(trackd_get_tracking_uri(), trackd:::.default_tracking_uri)
})

test_that("a client talks to the server it names", {
  local_clean_state()
  withr::local_envvar(TRACKD_TRACKING_URI = "http://127.0.0.1:9")  # nothing listens there
  client <- trackd_client(test_server$http_url)
  expect_s3_class(client, "trackd_client")
  expect_equal(trackd_get_experiment("0", client = client)$name, "Default")
  expect_output(print(client), test_server$http_url, fixed = TRUE)
})

test_that("URIs that are not http(s) are refused, with a hint for gRPC ones", {
  err <- expect_trackd_error(trackd_set_tracking_uri("grpc://127.0.0.1:7"),
                             "trackd_error_invalid_argument")
  expect_match(err$message, "http-port")
  expect_trackd_error(trackd_client("127.0.0.1:7"), "trackd_error_invalid_argument")
  expect_trackd_error(trackd_get_run("x", client = list()), "trackd_error_invalid_argument")
})
