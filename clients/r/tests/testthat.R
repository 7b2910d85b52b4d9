library(testthat)
library(trackd)

test_check("trackd")
