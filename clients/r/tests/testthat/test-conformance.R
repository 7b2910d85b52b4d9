# The R runner of the conformance cases (tests/conformance/cases/*.json in the
# repository): one test per case against this suite's server (run once per
# backend by dev/run_tests.R). A case the R client does not support is not run:
# it is listed with its reason and counted as unsupported in the closing line
# "conformance r <backend>: N passed, M failed, K unsupported". The rules
# (typed values, ${...} substitution, matching) are those of
# tests/conformance/README.md.

conformance_dir <- function() {
  dir <- Sys.getenv("TRACKD_CONFORMANCE_DIR")
  if (!nzchar(dir)) dir <- file.path(getwd(), "..", "..", "..", "..", "tests", "conformance")
  if (!file.exists(file.path(dir, "cases"))) {
    stop("cannot find the conformance cases: set TRACKD_CONFORMANCE_DIR (make test-r does), not ", dir)
  }
  normalizePath(dir)
}

# --------------------------------------------------------------- typed values

# The shapes jsonlite gives: objects are named lists, arrays unnamed lists.
is_object <- function(x) is.list(x) && !is.null(names(x))

# {"$double": "..."} through a correctly rounded parser (R's as.numeric is not).
read_double <- function(text) {
  switch(text, "NaN" = NaN, "Infinity" = Inf, "-Infinity" = -Inf,
         jsonlite::parse_json(paste0("[", text, "]"))[[1]] * 1)
}

decode <- function(x) {
  if (is_object(x)) {
    if (identical(names(x), "$double")) return(read_double(x[["$double"]]))
    if (identical(names(x), "$int")) return(as.numeric(x[["$int"]]))
    return(lapply(x, decode))
  }
  if (is.list(x)) return(lapply(x, decode))
  x
}

# Variables for the Python side: whole numbers go as JSON integers (R cannot
# tell 1 from 1.0), every other double is tagged.
encode <- function(x) {
  if (is.list(x)) {
    out <- lapply(x, encode)
    if (is.null(names(x))) out <- unname(out)
    return(out)
  }
  if (is.numeric(x) && length(x) == 1 && !is.na(x) && is.finite(x) && x == trunc(x) &&
      abs(x) < 2^53 && (x != 0 || 1 / x > 0)) {
    return(x)
  }
  if (is.numeric(x) && length(x) == 1) {
    text <- if (is.nan(x)) "NaN" else if (x == Inf) "Infinity" else if (x == -Inf) "-Infinity" else sprintf("%.17g", x)
    return(list(`$double` = text))
  }
  x
}

ref_pattern <- "\\$\\{([A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z0-9_]+)*)\\}"

lookup <- function(path, vars) {
  parts <- strsplit(path, ".", fixed = TRUE)[[1]]
  if (!parts[1] %in% names(vars)) stop("no saved variable ", parts[1])
  value <- vars[[parts[1]]]
  for (p in parts[-1]) value <- if (grepl("^[0-9]+$", p) && is.null(names(value))) value[[as.integer(p) + 1]] else value[[p]]
  value
}

substitute_refs <- function(x, vars) {
  if (is.character(x) && length(x) == 1) {
    whole <- regmatches(x, regexec(paste0("^", ref_pattern, "$"), x))[[1]]
    if (length(whole) > 0) return(lookup(whole[2], vars))
    m <- gregexpr(ref_pattern, x)
    refs <- regmatches(x, m)[[1]]
    for (r in refs) x <- sub(r, as.character(lookup(substr(r, 3, nchar(r) - 1), vars)), x, fixed = TRUE)
    return(x)
  }
  if (is.list(x)) {
    out <- lapply(x, substitute_refs, vars = vars)
    if (is.null(names(x))) out <- unname(out)
    return(out)
  }
  x
}

# ------------------------------------------------------------------- matching

same_double <- function(e, a) {
  if (is.nan(e)) return(is.nan(a))
  !is.na(a) && e == a && (e != 0 || sign(1 / e) == sign(1 / a))
}

match_value <- function(expected, actual, where = "result") {
  if (is_object(expected) || (is.list(expected) && length(expected) == 0 && !is.null(names(expected)))) {
    if (!is.list(actual) || (length(actual) > 0 && is.null(names(actual)))) {
      stop(where, ": expected an object, got ", format(actual))
    }
    for (key in names(expected)) {
      if (!key %in% names(actual)) stop(where, ": no field ", key, " in ", paste(names(actual), collapse = ", "))
      match_value(expected[[key]], actual[[key]], paste0(where, ".", key))
    }
  } else if (is.list(expected)) {
    if (!is.list(actual) || length(actual) != length(expected)) {
      stop(where, ": expected ", length(expected), " items, got ", length(actual))
    }
    for (i in seq_along(expected)) match_value(expected[[i]], actual[[i]], sprintf("%s[%d]", where, i - 1))
  } else if (is.null(expected)) {
    if (!is.null(actual)) stop(where, ": expected null, got ", format(actual))
  } else if (is.numeric(expected)) {
    if (!is.numeric(actual) || length(actual) != 1 || !same_double(expected, actual)) {
      stop(where, ": expected the number ", sprintf("%.17g", expected), ", got ", format(actual, digits = 17))
    }
  } else if (!identical(expected, actual)) {
    stop(where, ": expected ", encodeString(format(expected), quote = "\""), ", got ",
         encodeString(format(actual), quote = "\""))
  }
}

# ------------------------------------------------------------- the operations

pairs <- function(frame) {
  out <- stats::setNames(as.list(frame$value), frame$key)
  if (length(out) == 0) out <- stats::setNames(list(), character())
  out
}

experiment_of <- function(frame) {
  list(experiment_id = frame$experiment_id[1], name = frame$name[1],
       artifact_location = frame$artifact_location[1],
       lifecycle_stage = tolower(frame$lifecycle_stage[1]), tags = pairs(frame$tags[[1]]))
}

info_of <- function(r) {
  list(run_id = r$run_id, run_name = r$run_name, experiment_id = r$experiment_id,
       user_id = r$user_id, status = r$status, start_time = r$start_time,
       end_time = if (is.na(r$end_time)) NULL else r$end_time, artifact_uri = r$artifact_uri,
       lifecycle_stage = tolower(r$lifecycle_stage))
}

run_of <- function(r) {
  latest <- stats::setNames(as.list(r$metrics$value), r$metrics$key)
  if (length(latest) == 0) latest <- stats::setNames(list(), character())
  c(info_of(r), list(metrics = latest, params = pairs(r$params), tags = pairs(r$tags)))
}

# A row of trackd_search_runs()'s wide frame; NA (not NaN) marks a key the run lacks.
search_row_of <- function(frame, i) {
  part <- function(prefix) {
    cols <- grep(paste0("^", prefix, "\\."), names(frame), value = TRUE)
    out <- list()
    for (col in cols) {
      v <- frame[[col]][i]
      if (!(is.na(v) && !is.nan(v))) out[[substring(col, nchar(prefix) + 2)]] <- v
    }
    if (length(out) == 0) out <- stats::setNames(list(), character())
    out
  }
  info <- list(run_id = frame$run_id[i], run_name = frame$run_name[i],
               experiment_id = frame$experiment_id[i], user_id = frame$user_id[i],
               status = frame$status[i], start_time = frame$start_time[i],
               end_time = if (is.na(frame$end_time[i])) NULL else frame$end_time[i],
               artifact_uri = frame$artifact_uri[i], lifecycle_stage = tolower(frame$lifecycle_stage[i]))
  c(info, list(metrics = part("metrics"), params = part("params"), tags = part("tags")))
}

points_of <- function(frame) {
  lapply(seq_len(nrow(frame)), function(i) {
    list(key = frame$key[i], value = frame$value[i], timestamp = frame$timestamp[i], step = frame$step[i])
  })
}

key_value_df <- function(items) {
  data.frame(key = vapply(items, function(x) x$key, ""), value = vapply(items, function(x) x$value, ""),
             stringsAsFactors = FALSE)
}

# Starts a run without leaving it active: the cases name every run by id.
create_run <- function(a) {
  run <- trackd_start_run(experiment_id = a$experiment_id, run_name = a$run_name,
                          start_time = a$start_time, tags = a$tags)
  globals <- trackd:::.globals
  globals$run_stack <- list()
  run_of(run)
}

read_text <- function(path) {
  size <- file.size(path)
  if (size == 0) return("")
  text <- readChar(path, size, useBytes = TRUE)
  Encoding(text) <- "UTF-8"
  text
}

operations <- list(
  create_experiment = function(a) trackd_create_experiment(a$name, a$artifact_location, a$tags),
  get_experiment = function(a) experiment_of(trackd_get_experiment(a$experiment_id)),
  get_experiment_by_name = function(a) experiment_of(trackd_get_experiment_by_name(a$name)),
  search_experiments = function(a) {
    f <- trackd_search_experiments(filter = a$filter, view_type = a$view_type %||% "ACTIVE_ONLY",
                                   order_by = as.character(unlist(a$order_by)),
                                   max_results = a$max_results, page_size = a$page_size)
    lapply(seq_len(nrow(f)), function(i) experiment_of(f[i, , drop = FALSE]))
  },
  rename_experiment = function(a) trackd_rename_experiment(a$new_name, a$experiment_id),
  delete_experiment = function(a) trackd_delete_experiment(a$experiment_id),
  restore_experiment = function(a) trackd_restore_experiment(a$experiment_id),
  set_experiment_tag = function(a) trackd_set_experiment_tag(a$key, a$value, a$experiment_id),
  delete_experiment_tag = function(a) trackd_delete_experiment_tag(a$key, a$experiment_id),
  create_run = create_run,
  get_run = function(a) run_of(trackd_get_run(a$run_id)),
  update_run = function(a) {
    if (!is.null(a$run_name)) stop("the R client cannot rename a run")
    info_of(trackd_end_run(status = a$status %||% "FINISHED", end_time = a$end_time, run_id = a$run_id))
  },
  delete_run = function(a) trackd_delete_run(a$run_id),
  restore_run = function(a) trackd_restore_run(a$run_id),
  set_tag = function(a) trackd_set_tag(a$key, a$value, run_id = a$run_id),
  delete_tag = function(a) trackd_delete_tag(a$key, run_id = a$run_id),
  log_param = function(a) trackd_log_param(a$key, a$value, run_id = a$run_id),
  log_batch = function(a) {
    metrics <- if (length(a$metrics) > 0) data.frame(
      key = vapply(a$metrics, function(m) m$key, ""),
      value = vapply(a$metrics, function(m) as.numeric(m$value), 0),
      step = vapply(a$metrics, function(m) as.numeric(m$step %||% 0), 0),
      timestamp = vapply(a$metrics, function(m) as.numeric(m$timestamp), 0),
      stringsAsFactors = FALSE)
    trackd_log_batch(metrics = metrics,
                     params = if (length(a$params) > 0) key_value_df(a$params),
                     tags = if (length(a$tags) > 0) key_value_df(a$tags), run_id = a$run_id)
  },
  search_runs = function(a) {
    keys <- function(name) if (name %in% names(a)) as.character(unlist(a[[name]]))
    f <- trackd_search_runs(experiment_ids = as.character(unlist(a$experiment_ids)), filter = a$filter,
                            view_type = a$view_type %||% "ACTIVE_ONLY",
                            order_by = as.character(unlist(a$order_by)), max_results = a$max_results,
                            page_size = a$page_size, metric_keys = keys("metric_keys"),
                            param_keys = keys("param_keys"), tag_keys = keys("tag_keys"))
    lapply(seq_len(nrow(f)), function(i) search_row_of(f, i))
  },
  log_metric = function(a) trackd_log_metric(a$key, a$value, step = a$step %||% 0, timestamp = a$timestamp,
                                             run_id = a$run_id),
  get_metric_history = function(a) {
    points_of(trackd_get_metric_history(a$key, run_id = a$run_id, max_points = a$max_points,
                                        start_step = a$start_step, end_step = a$end_step))
  },
  get_metric_history_bulk = function(a) {
    f <- trackd_get_metric_history_bulk(as.character(unlist(a$run_ids)), as.character(unlist(a$keys)),
                                        max_points = a$max_points, start_step = a$start_step,
                                        end_step = a$end_step)
    ids <- unique(paste(f$run_id, f$key, sep = "\r"))
    lapply(ids, function(id) {
      rows <- f[paste(f$run_id, f$key, sep = "\r") == id, , drop = FALSE]
      list(run_id = rows$run_id[1], key = rows$key[1], points = points_of(rows))
    })
  },
  upload_artifact = function(a) {
    dir <- tempfile("conformance-upload-")
    dir.create(dir)
    local <- file.path(dir, basename(a$path))
    con <- file(local, "wb")
    writeBin(charToRaw(enc2utf8(a$text)), con)
    close(con)
    parent <- dirname(a$path)
    trackd_log_artifact(local, artifact_path = if (parent != ".") parent, run_id = a$run_id)
  },
  download_artifact = function(a) {
    read_text(trackd_download_artifacts(a$path, dst_path = tempfile("conformance-download-"),
                                        run_id = a$run_id))
  },
  list_artifacts = function(a) {
    f <- trackd_list_artifacts(a$path, run_id = a$run_id)
    lapply(seq_len(nrow(f)), function(i) {
      list(path = f$path[i], is_dir = f$is_dir[i], size = if (f$is_dir[i]) NULL else f$file_size[i])
    })
  }
)

`%||%` <- function(a, b) if (is.null(a)) b else a

# ----------------------------------------------------------------- the steps

run_step <- function(step, vars) {
  op <- step$op
  if (!op %in% names(operations)) stop("the R runner has no operation ", op)
  args <- decode(substitute_refs(step$args %||% list(), vars))
  outcome <- tryCatch(list(value = operations[[op]](args)), trackd_error = function(e) list(error = e))
  if (!is.null(outcome$error)) {
    e <- outcome$error
    if (is.null(step$expect_error)) stop(op, ": unexpected error ", e$code, " (", e$reason, "): ", conditionMessage(e))
    match_value(step$expect_error, list(code = e$code, reason = e$reason), paste(op, "error"))
    return(vars)
  }
  if (!is.null(step$expect_error)) stop(op, ": expected error ", step$expect_error$reason, ", got a result")
  if ("expect" %in% names(step)) match_value(decode(substitute_refs(step$expect, vars)), outcome$value, op)
  if (!is.null(step$save)) vars[[step$save]] <- outcome$value
  vars
}

# Consecutive steps for Python go to one Python process with the variables.
run_python_steps <- function(steps, vars) {
  input <- tempfile(fileext = ".json")
  writeLines(jsonlite::toJSON(list(steps = steps, vars = encode(vars)), auto_unbox = TRUE,
                              null = "null", digits = NA), input, useBytes = TRUE)
  out <- processx::run(test_python(), c(file.path(conformance_dir(), "run_steps.py"),
                                        paste0("grpc://", test_server$grpc_target)),
                       stdin = input, error_on_status = FALSE, env = python_env())
  answer <- tryCatch(jsonlite::parse_json(out$stdout), error = function(e) NULL)
  if (is.null(answer)) stop("python steps failed: ", out$stderr)
  if (!is.null(answer$failure)) stop(answer$failure)
  decode(answer$vars)
}

run_case <- function(case) {
  vars <- list(uid = substr(trackd:::new_request_id(), 1, 12))
  steps <- case$steps
  i <- 1
  while (i <= length(steps)) {
    step <- steps[[i]]
    where <- sprintf("%s, step %d (%s): ", case$name, i - 1, step$op)
    if (identical(step$client, "python")) {
      j <- i
      while (j < length(steps) && identical(steps[[j + 1]]$client, "python")) j <- j + 1
      vars <- tryCatch(run_python_steps(steps[i:j], vars), error = function(e) stop(where, conditionMessage(e), call. = FALSE))
      i <- j + 1
    } else {
      vars <- tryCatch(run_step(step, vars), error = function(e) stop(where, conditionMessage(e), call. = FALSE))
      i <- i + 1
    }
  }
}

unsupported_reason <- function(case, backend) {
  clients <- unlist(case$clients %||% list("python", "java", "r"))
  if (!"r" %in% clients) return(paste("the case applies only to", paste(clients, collapse = ", ")))
  if (!is.null(case$unsupported_on[[backend]])) return(paste0("not on ", backend, ": ", case$unsupported_on[[backend]]))
  case$unsupported$r
}

backend <- test_server$backend
counts <- c(passed = 0, failed = 0, unsupported = 0)
for (file in sort(list.files(file.path(conformance_dir(), "cases"), "\\.json$", full.names = TRUE))) {
  for (case in jsonlite::read_json(file)$cases) {
    reason <- unsupported_reason(case, backend)
    if (!is.null(reason)) {
      counts[["unsupported"]] <- counts[["unsupported"]] + 1
      cat(sprintf("conformance r %s: unsupported %s: %s\n", backend, case$name, reason))
      next
    }
    test_that(paste("conformance:", case$name), {
      local_clean_state()
      ok <- tryCatch({
        run_case(case)
        TRUE
      }, error = function(e) {
        fail(conditionMessage(e))
        FALSE
      })
      if (ok) succeed()
      counts[[if (ok) "passed" else "failed"]] <<- counts[[if (ok) "passed" else "failed"]] + 1
    })
  }
}
cat(sprintf("conformance r %s: %d passed, %d failed, %d unsupported\n", backend,
            counts[["passed"]], counts[["failed"]], counts[["unsupported"]]))
