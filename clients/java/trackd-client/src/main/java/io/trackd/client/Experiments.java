package io.trackd.client;

import java.util.Optional;

/**
 * The experiments area of a {@link TrackingClient} ({@code client.experiments()}): experiments and
 * their tags.
 */
public interface Experiments {
  /**
   * Creates an experiment with the server's default artifact location and no tags.
   *
   * @param name 1 to 500 characters, unique among active and deleted experiments
   * @return the new experiment's id
   * @throws TrackdException ALREADY_EXISTS if the name is taken, INVALID_ARGUMENT if invalid
   */
  default String create(String name) {
    return create(name, CreateExperimentOptions.defaults());
  }

  /**
   * Creates an experiment.
   *
   * @param name 1 to 500 characters, unique among active and deleted experiments
   * @param options its artifact location and initial tags
   * @return the new experiment's id
   * @throws TrackdException ALREADY_EXISTS if the name is taken, INVALID_ARGUMENT if invalid
   */
  String create(String name, CreateExperimentOptions options);

  /**
   * Reads an experiment, deleted or not.
   *
   * @param experimentId the experiment's id
   * @return the experiment
   * @throws TrackdException NOT_FOUND if there is none
   */
  Experiment get(String experimentId);

  /**
   * Finds an experiment by its exact name, deleted or not.
   *
   * @param name the experiment's name
   * @return the experiment, or empty if no experiment has that name
   */
  Optional<Experiment> getByName(String name);

  /**
   * Every active experiment, newest first, fetched page by page as you iterate.
   *
   * @return a lazily paged iterable
   */
  default Iterable<Experiment> search() {
    return search(SearchExperimentsOptions.defaults());
  }

  /**
   * Every experiment matching a search, fetched page by page as you iterate.
   *
   * @param options the filter, view type, order, page size and the page to start from
   * @return a lazily paged iterable; each iteration starts again from the options' page
   */
  Iterable<Experiment> search(SearchExperimentsOptions options);

  /**
   * One page of an experiment search: the page {@link SearchExperimentsOptions#pageToken()} names,
   * the first one if it is empty.
   *
   * @param options the filter, view type, order, page size and page token
   * @return the page; {@link Page#nextPage()} fetches the following one
   * @throws TrackdException INVALID_ARGUMENT for a bad filter, order, page size or token
   */
  Page<Experiment> searchPage(SearchExperimentsOptions options);

  /**
   * Renames an active experiment.
   *
   * @param experimentId the experiment's id
   * @param newName the new name, with the same rules as at creation
   * @return the renamed experiment
   * @throws TrackdException NOT_FOUND, ALREADY_EXISTS, or FAILED_PRECONDITION if deleted
   */
  Experiment rename(String experimentId, String newName);

  /**
   * Soft-deletes an experiment; its runs disappear from default searches.
   *
   * @param experimentId the experiment's id
   * @throws TrackdException NOT_FOUND if there is none
   */
  void delete(String experimentId);

  /**
   * Restores a soft-deleted experiment.
   *
   * @param experimentId the experiment's id
   * @throws TrackdException NOT_FOUND if there is none
   */
  void restore(String experimentId);

  /**
   * Sets (inserts or overwrites) a tag on an active experiment.
   *
   * @param experimentId the experiment's id
   * @param key at most 250 characters
   * @param value at most 20000 characters
   * @throws TrackdException NOT_FOUND, INVALID_ARGUMENT, or FAILED_PRECONDITION if deleted
   */
  void setTag(String experimentId, String key, String value);

  /**
   * Removes a tag from an active experiment.
   *
   * @param experimentId the experiment's id
   * @param key the tag's key
   * @throws TrackdException NOT_FOUND if the experiment or the tag is absent
   */
  void deleteTag(String experimentId, String key);
}
