# Starts one real `trackd server` for the whole suite, on the backend named by
# TRACKD_TEST_BACKEND ("sqlite", the default, or "postgresql": a fresh
# database created through TRACKD_TEST_PG_URL and dropped afterwards).
# `make test-r` sets TRACKD_SERVER_BIN and TRACKD_PYTHON. Without a server the
# suite fails: it never skips.

test_python <- function() {
  python <- Sys.getenv("TRACKD_PYTHON")
  if (!nzchar(python) || !file.exists(python)) {
    stop("TRACKD_PYTHON must name the Python of the trackd virtualenv (make test-r sets it)")
  }
  python
}

# The environment for Python children: R puts its own library directories on
# LD_LIBRARY_PATH, which can make a Python built with --enable-shared load the
# system's libpython instead of its own (then `import ssl` fails).
python_env <- function() {
  env <- Sys.getenv()
  env[names(env) != "LD_LIBRARY_PATH"]
}

run_python <- function(code, ...) {
  out <- processx::run(test_python(), c("-c", code, ...), error_on_status = FALSE, env = python_env())
  if (out$status != 0) stop("python failed: ", out$stderr)
  trimws(out$stdout)
}

free_ports <- function(n) {
  code <- paste(
    "import socket",
    "socks = [socket.socket() for _ in range(int(__import__('sys').argv[1]))]",
    "[s.bind(('127.0.0.1', 0)) for s in socks]",
    "print(' '.join(str(s.getsockname()[1]) for s in socks))",
    sep = "\n"
  )
  as.integer(strsplit(run_python(code, n), " ")[[1]])
}

pg_database <- function(action, admin_url, name) {
  code <- paste(
    "import sys, sqlalchemy as sa",
    "from sqlalchemy.engine import make_url",
    "action, url, name = sys.argv[1:4]",
    "engine = sa.create_engine(url, isolation_level='AUTOCOMMIT')",
    "with engine.connect() as conn:",
    "    if action == 'create': conn.execute(sa.text(f'CREATE DATABASE \"{name}\"'))",
    "    else: conn.execute(sa.text(f'DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)'))",
    "engine.dispose()",
    "print(make_url(url).set(database=name).render_as_string(hide_password=False))",
    sep = "\n"
  )
  run_python(code, action, admin_url, name)
}

start_test_server <- function() {
  bin <- Sys.getenv("TRACKD_SERVER_BIN")
  if (!nzchar(bin) || !file.exists(bin)) {
    stop("TRACKD_SERVER_BIN must name the trackd executable (make test-r sets it)")
  }
  backend <- Sys.getenv("TRACKD_TEST_BACKEND", "sqlite")
  workdir <- tempfile("trackd-r-")
  dir.create(workdir)
  database <- NULL
  if (backend == "sqlite") {
    store <- paste0("sqlite:///", file.path(workdir, "trackd.db"))
  } else if (backend == "postgresql") {
    admin <- Sys.getenv("TRACKD_TEST_PG_URL")
    if (!nzchar(admin)) stop("TRACKD_TEST_PG_URL must be set for the postgresql backend")
    database <- sprintf("trackd_r_%s", paste(sample(c(letters, 0:9), 12, TRUE), collapse = ""))
    store <- pg_database("create", admin, database)
  } else {
    stop("TRACKD_TEST_BACKEND must be sqlite or postgresql, not ", backend)
  }
  ports <- free_ports(2)
  log <- file.path(workdir, "server.log")
  proc <- processx::process$new(bin, c(
    "server", "--backend-store-uri", store, "--host", "127.0.0.1",
    "--port", ports[1], "--http-port", ports[2],
    "--default-artifact-root", file.path(workdir, "artifacts")
  ), stdout = log, stderr = "2>&1", cleanup = TRUE, wd = workdir, env = python_env())
  url <- sprintf("http://127.0.0.1:%d", ports[2])
  deadline <- Sys.time() + 60
  last_error <- ""
  repeat {
    if (!proc$is_alive()) stop("trackd server exited early:\n", paste(readLines(log), collapse = "\n"))
    up <- tryCatch({
      # The client says it is retrying while the server starts: expected here.
      suppressMessages(trackd_get_experiment("0", client = trackd_client(url)))
      TRUE
    }, error = function(e) {
      last_error <<- conditionMessage(e)
      FALSE
    })
    if (up) break
    if (Sys.time() > deadline) {
      stop("trackd server did not answer on ", url, ": ", last_error, "\n", paste(readLines(log), collapse = "\n"))
    }
    Sys.sleep(0.1)
  }
  list(process = proc, http_url = url, grpc_target = sprintf("127.0.0.1:%d", ports[1]),
       backend = backend, database = database, workdir = workdir)
}

stop_test_server <- function(server) {
  server$process$signal(15L)
  server$process$wait(30000)
  if (server$process$is_alive()) server$process$kill()
  if (!is.null(server$database)) {
    pg_database("drop", Sys.getenv("TRACKD_TEST_PG_URL"), server$database)
  }
}

test_server <- start_test_server()
withr::defer(stop_test_server(test_server), teardown_env())
withr::local_envvar(TRACKD_TRACKING_URI = test_server$http_url, .local_envir = teardown_env())
message(sprintf("trackd R tests against %s (%s)", test_server$http_url, test_server$backend))

# The repository the package was built from (tests/testthat is clients/r/tests/testthat).
repo_root <- function() normalizePath(test_path("..", "..", "..", ".."))
