test_that("start_run makes the run active and end_run finishes and pops it", {
  exp_id <- local_experiment()
  expect_null(trackd_active_run())
  run <- trackd_start_run(run_name = "fluent", tags = list(stage = "dev"))
  expect_equal(run$experiment_id, exp_id)
  expect_equal(trackd_active_run()$run_id, run$run_id)
  tags <- setNames(run$tags$value, run$tags$key)
  expect_equal(tags[["stage"]], "dev")
  expect_equal(tags[["mlflow.source.type"]], "LOCAL")
  ended <- trackd_end_run(end_time = 1.8e12)
  expect_equal(ended$status, "FINISHED")
  expect_equal(ended$end_time, 1.8e12)
  expect_null(trackd_active_run())
  expect_null(trackd_end_run())  # nothing active: a no-op
})

test_that("nested runs keep a stack and get their parent's id", {
  local_experiment()
  parent <- trackd_start_run()
  expect_trackd_error(trackd_start_run(), "trackd_error_failed_precondition")
  child <- trackd_start_run(nested = TRUE)
  child_tags <- setNames(child$tags$value, child$tags$key)
  expect_equal(child_tags[["mlflow.parentRunId"]], parent$run_id)
  expect_equal(trackd_active_run()$run_id, child$run_id)
  trackd_end_run("KILLED")
  expect_equal(trackd_get_run(child$run_id)$status, "KILLED")
  expect_equal(trackd_active_run()$run_id, parent$run_id)
  trackd_end_run()
  expect_null(trackd_active_run())
})

test_that("on.exit and withr::defer end the run when the function returns", {
  local_experiment()
  train <- function() {
    run <- trackd_start_run()
    on.exit(trackd_end_run(), add = TRUE)
    trackd_log_metric("loss", 1)
    run$run_id
  }
  id <- train()
  expect_equal(trackd_get_run(id)$status, "FINISHED")
  evaluate <- function() {
    run <- trackd_start_run()
    withr::defer(trackd_end_run("FAILED"))
    run$run_id
  }
  expect_equal(trackd_get_run(evaluate())$status, "FAILED")
  expect_null(trackd_active_run())
})

test_that("with() finishes a run, or fails it and re-raises on error", {
  local_experiment()
  value <- with(trackd_start_run(), {
    trackd_log_param("p", "v")
    trackd_active_run()$run_id
  })
  expect_equal(trackd_get_run(value)$status, "FINISHED")
  expect_null(trackd_active_run())
  captured <- NULL
  expect_error(with(trackd_start_run(), {
    captured <- trackd_active_run()$run_id
    stop("boom")
  }), "boom")
  expect_equal(trackd_get_run(captured)$status, "FAILED")
  expect_null(trackd_active_run())
})

test_that("start_run resumes an existing run by id", {
  local_experiment()
  first <- trackd_start_run()
  trackd_end_run()
  resumed <- trackd_start_run(run_id = first$run_id)
  expect_equal(resumed$run_id, first$run_id)
  expect_equal(trackd_active_run()$run_id, first$run_id)
  trackd_end_run()
})

test_that("logging with no active run starts one, as the mlflow package does", {
  local_experiment()
  trackd_log_param("auto", "yes")
  active <- trackd_active_run()
  expect_equal(active$params$value, "yes")
  trackd_end_run()
})
