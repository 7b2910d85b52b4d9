test_that("params are write-once and tags are mutable", {
  local_experiment()
  run <- trackd_start_run()
  trackd_log_param("alpha", 1e5)
  trackd_log_param("alpha", "100000")  # the same value again is fine
  expect_trackd_error(trackd_log_param("alpha", 2), "trackd_error_invalid_argument")
  trackd_set_tag("stage", "a")
  trackd_set_tag("stage", "b", run_id = run$run_id)
  got <- trackd_get_run()
  expect_equal(got$params, data.frame(key = "alpha", value = "100000"))
  expect_equal(got$tags$value[got$tags$key == "stage"], "b")
  trackd_delete_tag("stage")
  expect_false("stage" %in% trackd_get_run()$tags$key)
  expect_trackd_error(trackd_delete_tag("stage"), "trackd_error_not_found")
  trackd_end_run()
})

test_that("log_batch splits large batches within the server's limits", {
  local_experiment()
  run <- trackd_start_run()
  metrics <- data.frame(key = rep(c("a", "b"), each = 1250), value = c(1:1250, (1:1250) / 3),
                        step = rep(1:1250, 2), timestamp = 1.7e12)
  params <- data.frame(key = sprintf("p%03d", 1:250), value = 1:250)
  tags <- data.frame(key = sprintf("t%03d", 1:150), value = "x")
  trackd_log_batch(metrics = metrics, params = params, tags = tags)
  got <- trackd_get_run()
  expect_equal(nrow(got$params), 250)
  expect_equal(got$params$value[order(got$params$key)], as.character(1:250))
  expect_true(all(sprintf("t%03d", 1:150) %in% got$tags$key))
  b <- trackd_get_metric_history("b")
  expect_equal(b$value, (1:1250) / 3)
  expect_equal(b$timestamp, rep(1.7e12, 1250))
  trackd_end_run()
})

test_that("log_batch defaults step and timestamp and checks its input", {
  local_experiment()
  trackd_start_run()
  trackd_log_batch(metrics = data.frame(key = "d", value = c(NaN, Inf)))
  history <- trackd_get_metric_history("d")
  expect_identical(history$value, c(NaN, Inf))
  expect_equal(history$step, c(0, 0))
  expect_true(all(history$timestamp > 1.6e12))
  expect_trackd_error(trackd_log_batch(metrics = data.frame(key = "d", value = NA_real_)),
                      "trackd_error_invalid_argument")
  expect_trackd_error(trackd_log_batch(metrics = data.frame(name = "d", value = 1)),
                      "trackd_error_invalid_argument")
  expect_trackd_error(trackd_log_batch(params = data.frame(key = "p", value = NA)),
                      "trackd_error_invalid_argument")
  expect_null(trackd_log_batch())
  trackd_end_run()
})

test_that("a batch over a server limit in one request is rejected atomically", {
  local_experiment()
  run <- trackd_start_run()
  body <- list(params = lapply(1:101, function(i) list(key = paste0("p", i), value = "v")))
  expect_trackd_error(trackd:::trackd_call(NULL, "POST", trackd:::run_path(run$run_id, ":logBatch"),
                                           body, mutating = TRUE), "trackd_error_invalid_argument")
  expect_equal(nrow(trackd_get_run()$params), 0)
  trackd_end_run()
})
