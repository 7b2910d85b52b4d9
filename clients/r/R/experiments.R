# Experiments: ExperimentService over HTTP/JSON.

.view_types <- c("ACTIVE_ONLY", "DELETED_ONLY", "ALL")

# One experiment (a decoded JSON object) as a one-row data frame; tags are a
# list column holding a key/value data frame.
experiment_frame <- function(experiments) {
  field <- function(name, empty = "") {
    vapply(experiments, function(e) as.character(e[[name]] %||% empty), character(1))
  }
  number <- function(name) vapply(experiments, function(e) as.numeric(e[[name]] %||% 0), numeric(1))
  out <- data.frame(
    experiment_id = field("experiment_id"),
    name = field("name"),
    artifact_location = field("artifact_location"),
    lifecycle_stage = sub("^LIFECYCLE_STAGE_", "", field("lifecycle_stage")),
    creation_time = number("creation_time"),
    last_update_time = number("last_update_time"),
    stringsAsFactors = FALSE
  )
  out$tags <- lapply(experiments, function(e) key_value_frame(e$tags %||% list()))
  class(out) <- c("trackd_experiment", class(out))
  out
}

#' Create an experiment
#'
#' @param name The experiment's name: 1 to 500 characters, unique among active
#'   and deleted experiments.
#' @param artifact_location Where its runs store artifacts; `NULL` for a
#'   location under the server's artifact root.
#' @param tags Tags to set: a named list or vector, or a data frame with
#'   columns `key` and `value`.
#' @param client A [trackd_client()]; `NULL` for the default one.
#' @return The new experiment's id (a string).
#' @examples
#' \dontrun{
#' id <- trackd_create_experiment("fraud-model", tags = list(team = "risk"))
#' }
#' @export
trackd_create_experiment <- function(name, artifact_location = NULL, tags = NULL, client = NULL) {
  body <- list(name = name, artifact_location = artifact_location,
               tags = key_values(tags, "tags"))
  resp <- trackd_call(resolve_client(client), "POST", "v1/experiments", body, mutating = TRUE)
  resp$experiment$experiment_id
}

#' Get an experiment
#'
#' Reads an experiment by id or by name, deleted or not. With neither, the
#' active experiment (see [trackd_set_experiment()]).
#'
#' @param experiment_id The experiment's id.
#' @param name The experiment's name (instead of `experiment_id`).
#' @inheritParams trackd_create_experiment
#' @return A one-row data frame of class `trackd_experiment` with columns
#'   `experiment_id`, `name`, `artifact_location`, `lifecycle_stage`
#'   (`"ACTIVE"` or `"DELETED"`), `creation_time` and `last_update_time`
#'   (milliseconds since the epoch) and `tags` (a list column of key/value data
#'   frames). A missing experiment signals `trackd_error_not_found`.
#' @examples
#' \dontrun{
#' trackd_get_experiment("0")
#' trackd_get_experiment(name = "Default")
#' }
#' @export
trackd_get_experiment <- function(experiment_id = NULL, name = NULL, client = NULL) {
  if (!is.null(name)) return(trackd_get_experiment_by_name(name, client))
  experiment_id <- experiment_id %||% active_experiment_id()
  if (is.null(experiment_id)) {
    trackd_abort("INVALID_ARGUMENT", "experiment_id must be given when no experiment is active")
  }
  path <- paste0("v1/experiments/", path_id(experiment_id, "experiment_id"))
  resp <- trackd_call(resolve_client(client), "GET", path)
  experiment_frame(list(resp$experiment))
}

#' Get an experiment by name
#'
#' @param name The experiment's exact name.
#' @inheritParams trackd_create_experiment
#' @return A one-row data frame as from [trackd_get_experiment()]; a missing
#'   name signals `trackd_error_not_found`.
#' @examples
#' \dontrun{
#' trackd_get_experiment_by_name("Default")
#' }
#' @export
trackd_get_experiment_by_name <- function(name, client = NULL) {
  resp <- trackd_call(resolve_client(client), "GET", "v1/experiments:getByName",
                      query = list(name = name))
  experiment_frame(list(resp$experiment))
}

#' Set the active experiment
#'
#' Makes an experiment the one that new runs go to when no experiment is
#' given. By name, the experiment is created when there is none (as
#' `mlflow_set_experiment()` does).
#'
#' @param experiment_name The experiment's name.
#' @param experiment_id The experiment's id (instead of a name).
#' @param artifact_location Used only when the experiment is created.
#' @inheritParams trackd_create_experiment
#' @return The active experiment's id, invisibly.
#' @examples
#' \dontrun{
#' trackd_set_experiment("fraud-model")
#' }
#' @export
trackd_set_experiment <- function(experiment_name = NULL, experiment_id = NULL,
                                  artifact_location = NULL, client = NULL) {
  if (is.null(experiment_name) == is.null(experiment_id)) {
    trackd_abort("INVALID_ARGUMENT", "give exactly one of experiment_name and experiment_id")
  }
  if (!is.null(experiment_id)) {
    id <- trackd_get_experiment(experiment_id, client = client)$experiment_id
  } else {
    id <- tryCatch(
      trackd_get_experiment_by_name(experiment_name, client)$experiment_id,
      trackd_error_not_found = function(e) NULL
    )
    if (is.null(id)) {
      id <- tryCatch(
        trackd_create_experiment(experiment_name, artifact_location, client = client),
        # Another process created it between our two calls: use theirs.
        trackd_error_already_exists = function(e) {
          trackd_get_experiment_by_name(experiment_name, client)$experiment_id
        }
      )
    }
  }
  .globals$active_experiment_id <- id
  invisible(id)
}

# The experiment runs go to when none is given: the one set with
# trackd_set_experiment(), else TRACKD_EXPERIMENT_ID, else NULL (the server
# then uses "0").
active_experiment_id <- function() {
  id <- .globals$active_experiment_id
  if (is.null(id) && nzchar(Sys.getenv("TRACKD_EXPERIMENT_ID"))) id <- Sys.getenv("TRACKD_EXPERIMENT_ID")
  id
}

#' Search experiments
#'
#' Fetches every page of matching experiments.
#'
#' @param filter A filter such as `"name LIKE 'fraud-\%'"`; `NULL` matches all.
#' @param view_type `"ACTIVE_ONLY"` (default), `"DELETED_ONLY"` or `"ALL"`.
#' @param order_by Sort keys such as `"name ASC"`; default newest first.
#' @param max_results Stop after this many experiments; `NULL` for all.
#' @param page_size Experiments per request (at most 1000); `NULL` for the
#'   server's default.
#' @inheritParams trackd_create_experiment
#' @return A data frame with the columns of [trackd_get_experiment()], one
#'   row per experiment.
#' @examples
#' \dontrun{
#' trackd_search_experiments(filter = "name LIKE 'fraud-\%'", order_by = "name ASC")
#' }
#' @export
trackd_search_experiments <- function(filter = NULL, view_type = c("ACTIVE_ONLY", "DELETED_ONLY", "ALL"),
                                      order_by = character(), max_results = NULL,
                                      page_size = NULL, client = NULL) {
  view_type <- match.arg(view_type)
  client <- resolve_client(client)
  experiments <- list()
  token <- NULL
  repeat {
    body <- list(filter = filter, view_type = paste0("VIEW_TYPE_", view_type),
                 order_by = I(as.character(order_by)), page_size = page_size, page_token = token)
    resp <- trackd_call(client, "POST", "v1/experiments:search", body)
    experiments <- c(experiments, resp$experiments)
    token <- resp$next_page_token
    if (is.null(token) || !nzchar(token)) break
    if (!is.null(max_results) && length(experiments) >= max_results) break
  }
  if (!is.null(max_results)) experiments <- utils::head(experiments, max_results)
  experiment_frame(experiments)
}

#' Rename an experiment
#'
#' @param new_name The new name (same rules as at creation).
#' @param experiment_id The experiment; `NULL` for the active one.
#' @inheritParams trackd_create_experiment
#' @return The renamed experiment as from [trackd_get_experiment()],
#'   invisibly.
#' @examples
#' \dontrun{
#' trackd_rename_experiment("fraud-model-v2", experiment_id = "17")
#' }
#' @export
trackd_rename_experiment <- function(new_name, experiment_id = NULL, client = NULL) {
  experiment_id <- experiment_id %||% active_experiment_id()
  path <- paste0("v1/experiments/", path_id(experiment_id, "experiment_id"))
  resp <- trackd_call(resolve_client(client), "PATCH", path, list(new_name = new_name),
                      mutating = TRUE)
  invisible(experiment_frame(list(resp$experiment)))
}

#' Delete or restore an experiment
#'
#' Deletion is soft: the experiment and its runs are hidden from default
#' searches and become read-only until restored.
#'
#' @param experiment_id The experiment's id.
#' @inheritParams trackd_create_experiment
#' @return `NULL`, invisibly.
#' @examples
#' \dontrun{
#' trackd_delete_experiment("17")
#' trackd_restore_experiment("17")
#' }
#' @export
trackd_delete_experiment <- function(experiment_id, client = NULL) {
  path <- paste0("v1/experiments/", path_id(experiment_id, "experiment_id"), ":delete")
  trackd_call(resolve_client(client), "POST", path, list(), mutating = TRUE)
  if (identical(.globals$active_experiment_id, as.character(experiment_id))) {
    .globals$active_experiment_id <- NULL
  }
  invisible(NULL)
}

#' @rdname trackd_delete_experiment
#' @export
trackd_restore_experiment <- function(experiment_id, client = NULL) {
  path <- paste0("v1/experiments/", path_id(experiment_id, "experiment_id"), ":restore")
  trackd_call(resolve_client(client), "POST", path, list(), mutating = TRUE)
  invisible(NULL)
}

#' Set or delete an experiment tag
#'
#' @param key The tag's key (at most 250 characters).
#' @param value The tag's value (at most 20000 characters).
#' @param experiment_id The experiment; `NULL` for the active one.
#' @inheritParams trackd_create_experiment
#' @return `NULL`, invisibly. Deleting an absent tag signals
#'   `trackd_error_not_found`.
#' @examples
#' \dontrun{
#' trackd_set_experiment_tag("team", "risk", experiment_id = "17")
#' trackd_delete_experiment_tag("team", experiment_id = "17")
#' }
#' @export
trackd_set_experiment_tag <- function(key, value, experiment_id = NULL, client = NULL) {
  experiment_id <- experiment_id %||% active_experiment_id()
  path <- paste0("v1/experiments/", path_id(experiment_id, "experiment_id"), "/tags")
  trackd_call(resolve_client(client), "POST", path,
              list(key = key, value = value_string(value)), mutating = TRUE)
  invisible(NULL)
}

#' @rdname trackd_set_experiment_tag
#' @export
trackd_delete_experiment_tag <- function(key, experiment_id = NULL, client = NULL) {
  experiment_id <- experiment_id %||% active_experiment_id()
  path <- paste0("v1/experiments/", path_id(experiment_id, "experiment_id"), "/tags:delete")
  trackd_call(resolve_client(client), "POST", path, list(key = key), mutating = TRUE)
  invisible(NULL)
}
