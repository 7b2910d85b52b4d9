# A run written from R is read back identically through the gRPC stubs from
# Python (fixtures/read_run.py).
test_that("a run logged from R reads back identically from Python over gRPC", {
  local_experiment()
  run <- trackd_start_run(run_name = "from-r", start_time = 1.7e12)
  values <- c(1 / 3, NaN, Inf, -Inf, 0.1, 123456.789e-7)
  steps <- c(0, 1, 1e5, 2^40, 2^53, 7)
  stamps <- 1.7e12 + 0:5
  for (i in seq_along(values)) {
    trackd_log_metric("m", values[i], step = steps[i], timestamp = stamps[i])
  }
  trackd_log_param("big", 1e5)
  trackd_log_param("utf8", "grüße ✓")
  trackd_set_tag("note", "line1\nline2")
  trackd_end_run("FINISHED", end_time = 1.8e12)

  out <- processx::run(test_python(), c(test_path("fixtures", "read_run.py"), test_server$grpc_target,
                                        run$run_id, "m"), env = python_env())
  py <- jsonlite::fromJSON(out$stdout, simplifyVector = FALSE)
  r <- trackd_get_run(run$run_id)
  expect_equal(py$run_id, r$run_id)
  expect_equal(py$run_name, "from-r")
  expect_equal(py$status, "RUN_STATUS_FINISHED")
  expect_equal(py$start_time, "1700000000000")
  expect_equal(py$end_time, "1800000000000")
  expect_equal(py$params, list(big = "100000", utf8 = "grüße ✓"))
  expect_equal(py$tags$note, "line1\nline2")
  points <- py$history$m
  py_values <- vapply(points, function(p) switch(p$value, "NaN" = NaN, "Inf" = Inf, "-Inf" = -Inf,
                                                  as.numeric(p$value)), numeric(1))
  order_r <- order(steps, stamps)
  expect_identical(py_values, values[order_r])
  expect_equal(vapply(points, function(p) p$step, ""), sprintf("%.0f", steps[order_r]))
  expect_equal(vapply(points, function(p) p$timestamp, ""), sprintf("%.0f", stamps[order_r]))
  expect_identical(trackd_get_metric_history("m", run_id = run$run_id)$value, values[order_r])
})
