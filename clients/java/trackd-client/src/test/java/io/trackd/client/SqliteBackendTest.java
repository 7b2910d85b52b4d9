package io.trackd.client;

import io.trackd.testing.SharedServers;
import io.trackd.testing.TrackdServer;
import org.junit.jupiter.api.Nested;

/** Every behaviour suite against a real trackd server over SQLite. */
class SqliteBackendTest {
  @Nested
  class Experiments extends ExperimentsContract {
    @Override
    protected TrackdServer server() {
      return SharedServers.sqlite();
    }
  }

  @Nested
  class Runs extends RunsContract {
    @Override
    protected TrackdServer server() {
      return SharedServers.sqlite();
    }
  }

  @Nested
  class Logging extends LoggingContract {
    @Override
    protected TrackdServer server() {
      return SharedServers.sqlite();
    }
  }

  @Nested
  class Errors extends ErrorsContract {
    @Override
    protected TrackdServer server() {
      return SharedServers.sqlite();
    }
  }

  @Nested
  class RequestIds extends RequestIdContract {
    @Override
    protected TrackdServer server() {
      return SharedServers.sqlite();
    }
  }

  @Nested
  class Context extends ContextContract {
    @Override
    protected TrackdServer server() {
      return SharedServers.sqlite();
    }
  }

  @Nested
  class PythonReadback extends PythonReadbackContract {
    @Override
    protected TrackdServer server() {
      return SharedServers.sqlite();
    }
  }

  @Nested
  class Artifacts extends ArtifactsContract {
    @Override
    protected TrackdServer server() {
      return SharedServers.sqlite();
    }
  }

  @Nested
  class ArtifactErrors extends ArtifactErrorsContract {
    @Override
    protected TrackdServer server() {
      return SharedServers.sqlite();
    }
  }

  @Nested
  class PythonArtifacts extends PythonArtifactsContract {
    @Override
    protected TrackdServer server() {
      return SharedServers.sqlite();
    }
  }

  @Nested
  class History extends HistoryContract {
    @Override
    protected TrackdServer server() {
      return SharedServers.sqlite();
    }
  }

  @Nested
  class SearchFilters extends SearchFiltersContract {
    @Override
    protected TrackdServer server() {
      return SharedServers.sqlite();
    }
  }
}
