# Metric history options: downsampling, step ranges and the bulk call.

test_that("max_points downsamples a long series, keeping ends and extremes", {
  local_experiment()
  run <- trackd_start_run()
  values <- sin(seq_len(1000) / 50)
  values[400] <- 5
  values[700] <- -5
  trackd_log_batch(metrics = data.frame(key = "wave", value = values, step = 1:1000,
                                        timestamp = 1.7e12))
  chart <- trackd_get_metric_history("wave", max_points = 40)
  expect_lte(nrow(chart), 40)
  expect_true(attr(chart, "downsampled"))
  expect_equal(attr(chart, "total_points"), 1000)
  expect_true(all(c(1, 400, 700, 1000) %in% chart$step))
  expect_equal(range(chart$value), c(-5, 5))
  expect_false(is.unsorted(chart$step))

  short <- trackd_get_metric_history("wave", max_points = 40, start_step = 101, end_step = 120)
  expect_equal(short$step, 101:120)
  expect_false(attr(short, "downsampled"))
  paged <- trackd_get_metric_history("wave", page_size = 7, start_step = 990)
  expect_equal(paged$step, 990:1000)
  expect_equal(paged$value, values[990:1000])
  expect_equal(trackd_get_metric_history("wave", end_step = 3)$step, 1:3)
  err <- expect_trackd_error(trackd_get_metric_history("wave", max_points = 2),
                             "trackd_error_invalid_argument")
  trackd_end_run()
})

test_that("bulk history returns every run and key as one long data frame", {
  local_experiment()
  ids <- character()
  for (r in 1:2) {
    run <- trackd_start_run()
    ids[r] <- run$run_id
    trackd_log_batch(metrics = data.frame(key = "loss", value = r + (1:50) / 100, step = 1:50,
                                          timestamp = 1.7e12))
    trackd_log_metric("acc", r / 10, step = 5)
    trackd_end_run()
  }
  bulk <- trackd_get_metric_history_bulk(ids, c("loss", "acc", "absent"), max_points = 20)
  expect_equal(names(bulk), c("run_id", "key", "step", "timestamp", "value"))
  expect_equal(unique(bulk[, c("run_id", "key")]),
               data.frame(run_id = rep(ids, each = 2), key = rep(c("loss", "acc"), 2)),
               ignore_attr = TRUE)
  expect_equal(attr(bulk, "max_points"), 20)
  loss1 <- bulk[bulk$run_id == ids[1] & bulk$key == "loss", ]
  expect_lte(nrow(loss1), 20)
  expect_equal(range(loss1$step), c(1, 50))
  expect_equal(bulk$value[bulk$key == "acc"], c(0.1, 0.2))
  ranged <- trackd_get_metric_history_bulk(ids[2], "loss", start_step = 48)
  expect_equal(ranged$step, 48:50)
  expect_equal(ranged$timestamp, rep(1.7e12, 3))
  expect_equal(nrow(trackd_get_metric_history_bulk(ids, "absent")), 0)
  expect_trackd_error(trackd_get_metric_history_bulk("0123456789abcdef0123456789abcdef", "loss"),
                      "trackd_error_not_found")
})

test_that("a long series reads back exactly as logged, NaN and infinities included", {
  local_experiment()
  run <- trackd_start_run()
  n <- 30000 # more than one page of rows (at most 25000 each)
  i <- seq_len(n) - 1
  specials <- c(NaN, Inf, -Inf, .Machine$double.xmax, -.Machine$double.xmax, 5e-324, 0.1 + 0.2)
  values <- cos(i) * i
  values[i %% 7 == 0] <- specials[(i[i %% 7 == 0] / 7) %% length(specials) + 1]
  # Two points per step; with equal step and timestamp the logging order decides.
  steps <- i %/% 2
  timestamps <- 1.7e12 + steps * 10 + ifelse(i %% 3 == 0, 0, i %% 2)
  logged <- data.frame(key = "loss", value = values, step = steps, timestamp = timestamps,
                       stringsAsFactors = FALSE)
  logged <- logged[order(logged$step, logged$timestamp), ] # a stable order
  rownames(logged) <- NULL
  trackd_log_batch(metrics = logged)

  history <- trackd_get_metric_history("loss")
  expect_identical(history, logged[, c("key", "value", "step", "timestamp")])
  paged <- trackd_get_metric_history("loss", page_size = 700, start_step = 14000) # 3 pages
  expect_identical(paged$value, logged$value[logged$step >= 14000])
  whole <- trackd_get_metric_history("loss", max_points = 25000, end_step = 9999)
  expect_identical(whole$value, values[1:20000])
  expect_identical(whole$step, steps[1:20000])
  expect_false(attr(whole, "downsampled"))
  bulk <- trackd_get_metric_history_bulk(run$run_id, "loss", max_points = 10000)
  expect_lte(nrow(bulk), 10000)
  expect_equal(attr(bulk, "max_points"), 10000)
  expect_identical(bulk$value[c(1, nrow(bulk))], logged$value[c(1, n)])
  expect_true(any(is.nan(bulk$value)))
  expect_true(all(paste(bulk$step, bulk$timestamp) %in% paste(logged$step, logged$timestamp)))
  trackd_end_run()
})
