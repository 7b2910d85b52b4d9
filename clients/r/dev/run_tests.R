# Runs the testthat suite of the installed package once per backend and prints
# testthat's summary for each, then one plain line "r: N passed, N failed"
# (test_that blocks; a skipped test counts as failed: nothing may skip).
#
# Usage: Rscript dev/run_tests.R LIBRARY BACKEND...
args <- commandArgs(trailingOnly = TRUE)
.libPaths(c(args[1], .libPaths()))
backends <- args[-1]
tests_dir <- normalizePath(file.path(dirname(sub("^--file=", "", grep("^--file=", commandArgs(), value = TRUE))),
                                     "..", "tests", "testthat"))
passed <- 0
failed <- 0
for (backend in backends) {
  cat(sprintf("== R client tests, %s backend\n", backend))
  Sys.setenv(TRACKD_TEST_BACKEND = backend)
  results <- as.data.frame(testthat::test_dir(
    tests_dir, package = "trackd", load_package = "installed",
    reporter = testthat::CheckReporter$new(), stop_on_failure = FALSE
  ))
  bad <- results$failed > 0 | results$error | results$skipped
  passed <- passed + sum(!bad)
  failed <- failed + sum(bad)
}
cat(sprintf("r: %d passed, %d failed\n", passed, failed))
quit(status = if (failed > 0) 1 else 0)
