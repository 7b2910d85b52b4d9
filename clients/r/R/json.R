# JSON encoding that keeps numbers exact.
#
# jsonlite on its own writes 1e5 as 1e+05 or, with digits = NA, rounds doubles
# to 15 significant digits. So numbers are formatted here and inserted
# verbatim: 64-bit integers (steps, timestamps) as exact decimal digit strings
# (proto3 JSON's own form for int64), doubles with the fewest digits that read
# back to the same double, and NaN / Inf / -Inf as "NaN" / "Infinity" /
# "-Infinity".

# Digit strings for whole numbers stored as doubles (R has no int64), e.g.
# 1e5 -> "100000", 1.7e12 -> "1700000000000". Rejects NA and fractions.
int64_string <- function(x, what) {
  x <- as.numeric(x)
  bad <- is.na(x) | !is.finite(x) | x != trunc(x) | abs(x) >= 2^63
  if (any(bad)) {
    trackd_abort("INVALID_ARGUMENT", sprintf(
      "%s must be a whole number of at most 64 bits, got %s", what,
      paste(format(x[bad], digits = 17), collapse = ", ")), reason = "CLIENT_INVALID_INTEGER")
  }
  sprintf("%.0f", x)
}

# The shortest of %.15g, %.16g, %.17g that reads back as the same double.
# R's own as.numeric() is not correctly rounded (it reads "-2554.007212083892"
# as -2554.0072120838922, which the server reads as its neighbour), so the
# candidates are read back by jsonlite's parser (C strtod, correctly rounded),
# as the server will. Values near the largest double (which that parser calls
# an overflow) and non-finite ones (sent as strings by the caller) get 17 digits.
shortest_double <- function(x) {
  out <- sprintf("%.17g", x)
  checkable <- which(is.finite(x) & abs(x) < 1e308)
  for (digits in c(15, 16)) {
    if (length(checkable) == 0) break
    candidate <- sprintf(paste0("%.", digits, "g"), x[checkable])
    exact <- strtod_numbers(candidate) == x[checkable]
    out[checkable[exact]] <- candidate[exact]
    checkable <- checkable[!exact]
  }
  out
}

# Decimal number strings read by a correctly rounded parser.
strtod_numbers <- function(text) {
  as.numeric(jsonlite::parse_json(paste0("[", paste(text, collapse = ","), "]"),
                                  simplifyVector = TRUE))
}

# Metric values as verbatim JSON. NA (that is not NaN) is refused: it means a
# value is missing, which a metric cannot record; log NaN to say so explicitly.
json_double <- function(x, what = "metric value") {
  x <- as.numeric(x)
  missing <- is.na(x) & !is.nan(x)
  if (any(missing)) {
    trackd_abort("INVALID_ARGUMENT", sprintf(
      "%s is NA; log NaN to record a missing value explicitly", what),
      reason = "CLIENT_NA_VALUE")
  }
  text <- ifelse(is.nan(x), "\"NaN\"",
    ifelse(x == Inf, "\"Infinity\"", ifelse(x == -Inf, "\"-Infinity\"", shortest_double(x))))
  # sprintf() writes -0.0 as "-0", which JSON parsers (the server's included) read as the
  # integer 0 and so lose the sign; "-0.0" is read as the double.
  text[!is.na(x) & x == 0 & 1 / x < 0] <- "-0.0"
  lapply(text, function(t) structure(t, class = "json"))
}

# Decodes doubles as the server sends them: numbers, or "NaN"/"Infinity"/"-Infinity".
parse_double <- function(x) {
  vapply(x, function(v) {
    if (is.null(v)) return(NA_real_)
    if (is.character(v)) {
      return(switch(v, "NaN" = NaN, "Infinity" = Inf, "-Infinity" = -Inf, as.numeric(v)))
    }
    as.numeric(v)
  }, numeric(1), USE.NAMES = FALSE)
}

# Strings for params and tags: whole numbers without scientific notation
# (1e5 -> "100000"), other numbers with 15 significant digits, as R prints them.
value_string <- function(x) {
  if (is.numeric(x)) {
    whole <- !is.na(x) & is.finite(x) & x == trunc(x) & abs(x) < 1e15
    out <- as.character(x)
    out[whole] <- sprintf("%.0f", x[whole])
    return(out)
  }
  as.character(x)
}

# Drops NULL entries so optional fields are simply absent from the JSON.
compact <- function(x) x[!vapply(x, is.null, logical(1))]

to_json <- function(x) {
  as.character(jsonlite::toJSON(x, auto_unbox = TRUE, null = "null", na = "null",
                                json_verbatim = TRUE, digits = NA))
}

# Name/value pairs (a named list or vector, or a data frame with key and value
# columns) as a list of list(key, value) for repeated tag fields.
key_values <- function(x, what) {
  if (is.null(x) || length(x) == 0) return(list())
  if (is.data.frame(x)) {
    if (!all(c("key", "value") %in% names(x))) {
      trackd_abort("INVALID_ARGUMENT", sprintf("%s must have columns key and value", what))
    }
    keys <- as.character(x$key)
    values <- value_string(x$value)
  } else {
    if (is.null(names(x)) || any(names(x) == "")) {
      trackd_abort("INVALID_ARGUMENT", sprintf("%s must be a named list or a data frame", what))
    }
    keys <- names(x)
    values <- vapply(x, function(v) value_string(v)[1], character(1), USE.NAMES = FALSE)
  }
  if (anyNA(keys) || anyNA(values)) {
    trackd_abort("INVALID_ARGUMENT", sprintf("%s contains NA keys or values", what))
  }
  unname(Map(function(k, v) list(key = k, value = v), keys, values))
}

# A response's key/value list as a data frame with character columns.
key_value_frame <- function(items) {
  data.frame(
    key = vapply(items, function(i) i$key %||% "", character(1)),
    value = vapply(items, function(i) i$value %||% "", character(1)),
    stringsAsFactors = FALSE
  )
}

# Milliseconds since the epoch, now.
now_ms <- function() round(as.numeric(Sys.time()) * 1000)
