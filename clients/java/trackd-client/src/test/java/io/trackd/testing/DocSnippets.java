package io.trackd.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Keeps docs/java-client.md honest: the code blocks it shows are regions of example sources that
 * the tests compile and run, marked {@code // docs:begin NAME} ... {@code // docs:end}.
 */
public final class DocSnippets {
  private DocSnippets() {}

  /** The lines between the region's markers, without their common indentation. */
  public static String region(Path source, String name) {
    List<String> lines = read(source).lines().toList();
    int begin = -1;
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).trim();
      if (line.equals("// docs:begin " + name)) {
        begin = i + 1;
      } else if (line.equals("// docs:end") && begin >= 0) {
        return dedent(lines.subList(begin, i));
      }
    }
    throw new IllegalStateException("no region '" + name + "' in " + source);
  }

  /** Asserts docs/java-client.md contains {@code snippet} verbatim. */
  public static void assertDocumented(String snippet) {
    String docs = read(TestPaths.repoRoot().resolve("docs/java-client.md"));
    assertTrue(
        docs.contains(snippet),
        "docs/java-client.md must show this code exactly (copy it from the example source):\n"
            + snippet);
  }

  private static String dedent(List<String> lines) {
    int indent =
        lines.stream()
            .filter(l -> !l.isBlank())
            .mapToInt(l -> l.length() - l.stripLeading().length())
            .min()
            .orElse(0);
    StringBuilder out = new StringBuilder();
    for (String line : lines) {
      out.append(line.isBlank() ? "" : line.substring(indent)).append('\n');
    }
    return out.toString();
  }

  private static String read(Path path) {
    try {
      return Files.readString(path);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
