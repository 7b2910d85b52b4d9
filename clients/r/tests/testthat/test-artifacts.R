# Artifacts over HTTP: streamed uploads and downloads through the real server,
# checksummed both ways.

random_file <- function(dir, name, bytes) {
  path <- file.path(dir, name)
  dir.create(dirname(path), recursive = TRUE, showWarnings = FALSE)
  con <- file(path, "wb")
  writeBin(as.raw(sample.int(256, bytes, replace = TRUE) - 1L), con)
  close(con)
  path
}

same_bytes <- function(a, b) {
  identical(readBin(a, "raw", file.size(a)), readBin(b, "raw", file.size(b)))
}

test_that("a file logged from R lists and downloads byte for byte", {
  local_experiment()
  run <- trackd_start_run()
  src <- withr::local_tempdir()
  big <- random_file(src, "weights.bin", 2.5 * 1024 * 1024)  # several 1 MiB messages
  odd <- random_file(src, "ü 100% real.txt", 1000)
  written <- trackd_log_artifact(big, artifact_path = "model/v1")
  expect_equal(written, "model/v1/weights.bin")
  trackd_log_artifact(odd)

  root <- trackd_list_artifacts()
  expect_equal(root, data.frame(path = c("model", "ü 100% real.txt"), is_dir = c(TRUE, FALSE),
                                file_size = c(NA, 1000)))
  expect_equal(trackd_list_artifacts("model/v1")$file_size, file.size(big))

  dst <- withr::local_tempdir()
  local <- trackd_download_artifacts("model/v1/weights.bin", dst_path = dst)
  expect_equal(local, file.path(dst, "model/v1/weights.bin"))
  expect_true(same_bytes(big, local))
  local_odd <- trackd_download_artifacts("ü 100% real.txt", dst_path = dst)
  expect_true(same_bytes(odd, local_odd))
  expect_equal(list.files(dst, recursive = TRUE, all.files = TRUE),
               c("model/v1/weights.bin", "ü 100% real.txt"))  # no partial files left
  trackd_end_run()
})

test_that("compressed files (saveRDS, gzip, bzip2, xz) upload and download as they are", {
  local_experiment()
  run <- trackd_start_run()
  src <- withr::local_tempdir()
  saveRDS(mtcars, file.path(src, "model.rds"))  # gzip-compressed, as saveRDS writes by default
  for (kind in c("gzip", "bzip2", "xz")) {
    con <- switch(kind, gzip = gzfile, bzip2 = bzfile, xz = xzfile)(file.path(src, kind), "wb")
    writeLines(rep("a,b,c", 1000), con)
    close(con)
  }
  written <- trackd_log_artifact(src, artifact_path = "packed")
  expect_setequal(written, paste0("packed/", c("model.rds", "gzip", "bzip2", "xz")))
  sizes <- trackd_list_artifacts("packed")
  expect_equal(sizes$file_size, file.size(file.path(src, basename(sizes$path))))

  dst <- withr::local_tempdir()
  local <- trackd_download_artifacts("packed", dst_path = dst)
  for (f in c("model.rds", "gzip", "bzip2", "xz")) {
    expect_true(same_bytes(file.path(src, f), file.path(local, f)))
  }
  expect_equal(readRDS(file.path(local, "model.rds")), mtcars)
  trackd_end_run()
})

test_that("a directory uploads with its layout and downloads whole", {
  local_experiment()
  run <- trackd_start_run()
  src <- withr::local_tempdir()
  random_file(src, "top.txt", 10)
  random_file(src, "sub/a.bin", 3000)
  random_file(src, "sub/deeper/b.bin", 0)
  written <- trackd_log_artifact(src, artifact_path = "tree")
  expect_setequal(written, c("tree/top.txt", "tree/sub/a.bin", "tree/sub/deeper/b.bin"))
  expect_equal(trackd_list_artifacts("tree/sub")$path, c("tree/sub/a.bin", "tree/sub/deeper"))

  dst <- withr::local_tempdir()
  local <- trackd_download_artifacts("tree", dst_path = dst, run_id = run$run_id)
  expect_equal(local, file.path(dst, "tree"))
  for (f in c("top.txt", "sub/a.bin", "sub/deeper/b.bin")) {
    expect_true(same_bytes(file.path(src, f), file.path(local, f)))
  }
  everything <- trackd_download_artifacts("", dst_path = file.path(dst, "all"))
  expect_equal(sort(list.files(everything, recursive = TRUE)),
               c("tree/sub/a.bin", "tree/sub/deeper/b.bin", "tree/top.txt"))
  temp <- trackd_download_artifacts("tree/top.txt")
  expect_true(same_bytes(file.path(src, "top.txt"), temp))
  trackd_end_run()
})

test_that("listing fetches every page", {
  local_experiment()
  run <- trackd_start_run()
  src <- withr::local_tempdir()
  for (i in 1:5) random_file(src, sprintf("f%d.txt", i), i)
  trackd_log_artifact(src)
  listed <- trackd_list_artifacts(page_size = 2)
  expect_equal(listed$path, sprintf("f%d.txt", 1:5))
  expect_equal(listed$file_size, 1:5)
  expect_equal(nrow(trackd_list_artifacts("f1.txt")), 0)  # a file lists nothing
  trackd_end_run()
})

test_that("artifact errors are classed conditions", {
  local_experiment()
  run <- trackd_start_run()
  src <- withr::local_tempdir()
  file <- random_file(src, "x.txt", 5)
  expect_trackd_error(trackd_log_artifact(file.path(src, "missing.txt")),
                      "trackd_error_invalid_argument")
  err <- expect_trackd_error(trackd_download_artifacts("nope.txt", dst_path = src),
                             "trackd_error_not_found")
  expect_equal(err$reason, "ARTIFACT_NOT_FOUND")
  for (bad in c("..", "%2e%2e%2f..", "%252e%252e%252fescape")) {
    err <- expect_trackd_error(trackd_log_artifact(file, artifact_path = bad),
                               "trackd_error_invalid_argument")
    expect_equal(err$reason, "UNSAFE_ARTIFACT_PATH")
    err <- expect_trackd_error(trackd_download_artifacts(paste0(bad, "/x.txt"), dst_path = src),
                               "trackd_error_invalid_argument")
    expect_equal(err$reason, "UNSAFE_ARTIFACT_PATH")
  }
  # A checksum that does not match the content: DATA_LOSS (HTTP 500), nothing stored.
  err <- expect_trackd_error(
    trackd:::perform_with_retries(trackd_client(), "PUT",
                                  trackd:::artifact_route(run$run_id, "x.txt"),
                                  headers = list(`X-Trackd-Sha256` = strrep("0", 64)),
                                  upload = file),
    "trackd_error_data_loss")
  expect_equal(c(err$reason, err$http_status), c("ARTIFACT_CHECKSUM_MISMATCH", "500"))
  expect_equal(nrow(trackd_list_artifacts()), 0)
  trackd_end_run()
  trackd_delete_run(run$run_id)
  expect_trackd_error(trackd_log_artifact(file, run_id = run$run_id),
                      "trackd_error_failed_precondition")
})
