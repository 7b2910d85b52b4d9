# Search filters with OR, NOT and parentheses, and the read mask.

test_that("filters combine with OR, NOT and parentheses", {
  exp_id <- local_experiment()
  specs <- data.frame(name = c("a", "b", "c", "d"), opt = c("adam", "sgd", "adam", "rmsprop"),
                      loss = c(0.1, 0.2, 0.5, 0.05), status = c("FINISHED", "FINISHED",
                                                                "FAILED", "FINISHED"))
  for (i in seq_len(nrow(specs))) {
    trackd_start_run(run_name = specs$name[i])
    trackd_log_param("opt", specs$opt[i])
    trackd_log_metric("loss", specs$loss[i])
    trackd_end_run(specs$status[i])
  }
  search <- function(filter) sort(trackd_search_runs(exp_id, filter = filter)$run_name)
  expect_equal(search("params.opt = 'sgd' OR metrics.loss < 0.08"), c("b", "d"))
  expect_equal(search("NOT params.opt = 'adam'"), c("b", "d"))
  expect_equal(search("(params.opt = 'adam' OR params.opt = 'sgd') AND NOT status = 'FAILED'"),
               c("a", "b"))
  expect_equal(search("params.opt = 'adam' OR params.opt = 'sgd' AND metrics.loss > 0.3"),
               c("a", "c"))  # AND binds tighter than OR
  expect_equal(search("(params.opt = 'adam' OR params.opt = 'sgd') AND metrics.loss > 0.3"), "c")
  err <- expect_trackd_error(trackd_search_runs(exp_id, filter = "(params.opt = 'adam'"),
                             "trackd_error_invalid_argument")
})

test_that("the read mask limits the metrics, params and tags returned", {
  exp_id <- local_experiment()
  trackd_start_run(run_name = "wide")
  trackd_log_batch(metrics = data.frame(key = c("loss", "acc"), value = c(0.5, 0.9), step = 0,
                                        timestamp = 1.7e12),
                   params = list(lr = 0.1, opt = "adam"), tags = list(team = "x"))
  trackd_end_run()
  full <- trackd_search_runs(exp_id)
  expect_true(all(c("metrics.loss", "metrics.acc", "params.lr", "params.opt", "tags.team")
                  %in% names(full)))
  masked <- trackd_search_runs(exp_id, metric_keys = "loss", param_keys = "opt",
                               tag_keys = character())
  expect_equal(grep("^(metrics|params|tags)\\.", names(masked), value = TRUE),
               c("metrics.loss", "params.opt"))
  expect_equal(masked$metrics.loss, 0.5)
  only_metrics <- trackd_search_runs(exp_id, metric_keys = "acc")
  expect_true("params.lr" %in% names(only_metrics))  # NULL: every key of that kind
  expect_true("tags.team" %in% names(only_metrics))
  expect_false("metrics.loss" %in% names(only_metrics))
})
