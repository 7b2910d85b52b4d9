package io.trackd.client.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trackd.client.ErrorCode;
import io.trackd.client.TrackdException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The path rules of artifact transfers, without a server. */
class ArtifactPathsTest {
  @Test
  void artifactDirectoriesUseSlashesWithoutEdges() {
    assertEquals("", ArtifactsImpl.artifactDir(null));
    assertEquals("", ArtifactsImpl.artifactDir("/"));
    assertEquals("a/b", ArtifactsImpl.artifactDir("/a/b/"));
    assertEquals("../x", ArtifactsImpl.artifactDir("../x"));
  }

  @Test
  void downloadsStayInsideTheirDestination() {
    Path root = Path.of("/tmp/trackd-dst").toAbsolutePath();
    assertEquals(root, ArtifactsImpl.localTarget(root, ""));
    assertEquals(root.resolve("a/b.txt"), ArtifactsImpl.localTarget(root, "a/b.txt"));
    assertEquals(root.resolve("b.txt"), ArtifactsImpl.localTarget(root, "a/../b.txt"));
    for (String escape : List.of("..", "../x", "a/../../x", "/etc/passwd")) {
      TrackdException e =
          assertThrows(TrackdException.class, () -> ArtifactsImpl.localTarget(root, escape));
      assertEquals(ErrorCode.INVALID_ARGUMENT, e.getCode());
      assertEquals(Optional.of("UNSAFE_ARTIFACT_PATH"), e.getReason());
    }
    assertTrue(ArtifactsImpl.localTarget(root, "..a").startsWith(root));
  }
}
