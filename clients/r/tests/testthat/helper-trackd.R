# Helpers shared by the test files.

unique_name <- function(prefix = "r-exp") {
  sprintf("%s-%s", prefix, substr(trackd:::new_request_id(), 1, 8))
}

# Ends whatever runs a test left active and forgets the active experiment, so
# each test starts from a clean fluent state (on the server nothing is shared:
# every test uses its own experiment).
local_clean_state <- function(envir = parent.frame()) {
  reset <- function() {
    globals <- trackd:::.globals
    globals$run_stack <- list()
    globals$active_experiment_id <- NULL
    globals$tracking_uri <- NULL
  }
  reset()
  withr::defer(reset(), envir = envir)
}

# A fresh experiment, made active for the calling test.
local_experiment <- function(envir = parent.frame()) {
  local_clean_state(envir)
  trackd_set_experiment(unique_name())
}

# Expects `expr` to signal a trackd condition of class `class` and returns it.
expect_trackd_error <- function(expr, class) {
  err <- expect_error(expr, class = class)
  expect_identical(class(err), c(class, "trackd_error", "error", "condition"))
  invisible(err)
}
