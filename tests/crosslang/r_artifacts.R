# The R side of tests/crosslang: logs or downloads artifacts with the installed
# trackd package over the server's HTTP port, and prints the result as JSON.
#
# Usage: Rscript r_artifacts.R LIB HTTP_URL RUN_ID log LOCAL_PATH ARTIFACT_PATH
#        Rscript r_artifacts.R LIB HTTP_URL RUN_ID download ARTIFACT_PATH DST_DIR
#        Rscript r_artifacts.R LIB HTTP_URL RUN_ID list ARTIFACT_DIR
args <- commandArgs(trailingOnly = TRUE)
.libPaths(c(args[1], .libPaths()))
suppressPackageStartupMessages(library(trackd))
client <- trackd_client(args[2])
run_id <- args[3]
blank <- function(x) if (is.na(x) || !nzchar(x)) NULL else x
out <- switch(args[4],
  log = trackd_log_artifact(args[5], artifact_path = blank(args[6]), run_id = run_id,
                            client = client),
  download = trackd_download_artifacts(args[5], dst_path = args[6], run_id = run_id,
                                       client = client),
  list = trackd_list_artifacts(blank(args[5]), run_id = run_id, client = client),
  stop("unknown command ", args[4])
)
cat(jsonlite::toJSON(out, auto_unbox = TRUE, na = "null", dataframe = "columns"))
