test_that("64-bit integers are exact digit strings, never scientific notation", {
  expect_equal(trackd:::int64_string(c(1e5, 1.7e12, 0, -5, 2^53), "step"),
               c("100000", "1700000000000", "0", "-5", "9007199254740992"))
  expect_trackd_error(trackd:::int64_string(1.5, "step"), "trackd_error_invalid_argument")
  expect_trackd_error(trackd:::int64_string(NA, "step"), "trackd_error_invalid_argument")
  expect_trackd_error(trackd:::int64_string(Inf, "step"), "trackd_error_invalid_argument")
})

test_that("doubles are written with the fewest digits that read back exactly", {
  x <- c(0.1, 1 / 3, 2 / 3, 1e-300, 123456.789, .Machine$double.xmax, 5e-324, pi * 1e10)
  text <- trackd:::shortest_double(x)
  expect_identical(jsonlite::parse_json(paste0("[", paste(text, collapse = ","), "]"),
                                        simplifyVector = TRUE), x)
  expect_equal(text[1], "0.1")
  # R's as.numeric("-2554.007212083892") is this double, but the exact reading is its neighbour.
  expect_equal(trackd:::shortest_double(-2554.0072120838922), "-2554.0072120838922")
})

test_that("NaN and infinities become the proto3 JSON strings and NA is refused", {
  encoded <- vapply(trackd:::json_double(c(NaN, Inf, -Inf, 2.5)), as.character, "")
  expect_equal(encoded, c("\"NaN\"", "\"Infinity\"", "\"-Infinity\"", "2.5"))
  expect_identical(trackd:::parse_double(list("NaN", "Infinity", "-Infinity", 2.5)), c(NaN, Inf, -Inf, 2.5))
  err <- expect_trackd_error(trackd:::json_double(c(1, NA)), "trackd_error_invalid_argument")
  expect_match(err$message, "NaN")
})

test_that("negative zero keeps its sign on the wire", {
  encoded <- vapply(trackd:::json_double(c(-0, 0)), as.character, "")
  expect_identical(encoded, c("-0.0", "0"))
})

test_that("param and tag values keep whole numbers out of scientific notation", {
  expect_equal(trackd:::value_string(c(1e5, 0.5, 1e20)), c("100000", "0.5", "1e+20"))
  expect_equal(trackd:::value_string(TRUE), "TRUE")
})

test_that("request bodies drop NULL fields and keep verbatim numbers", {
  body <- list(a = NULL, step = trackd:::int64_string(1e5, "s"), value = trackd:::json_double(NaN)[[1]])
  expect_equal(trackd:::to_json(trackd:::compact(body)), "{\"step\":\"100000\",\"value\":\"NaN\"}")
})
