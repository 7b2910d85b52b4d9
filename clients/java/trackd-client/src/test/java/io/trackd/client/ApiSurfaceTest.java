package io.trackd.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trackd.testing.TestPaths;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The boundary of the API: what package io.trackd.client shows names no generated message, no gRPC
 * type and nothing of io.trackd.client.internal, and the client is one interface per area.
 */
class ApiSurfaceTest {
  private static final List<String> FOREIGN =
      List.of("io.trackd.v1.", "io.grpc.", "com.google.protobuf.", "io.trackd.client.internal.");

  @Test
  void publicSignaturesNameOnlyApiTypes() throws Exception {
    List<String> leaks = new ArrayList<>();
    for (Class<?> type : publicApiClasses()) {
      List<Type> shown = new ArrayList<>();
      for (Method m : type.getDeclaredMethods()) {
        if (visible(m.getModifiers()) && !m.isSynthetic()) {
          shown.add(m.getGenericReturnType());
          shown.addAll(List.of(m.getGenericParameterTypes()));
          shown.addAll(List.of(m.getGenericExceptionTypes()));
        }
      }
      for (Constructor<?> c : type.getDeclaredConstructors()) {
        if (visible(c.getModifiers())) {
          shown.addAll(List.of(c.getGenericParameterTypes()));
        }
      }
      if (type.isRecord()) {
        for (RecordComponent component : type.getRecordComponents()) {
          shown.add(component.getGenericType());
        }
      }
      shown.add(type.getGenericSuperclass());
      shown.addAll(List.of(type.getGenericInterfaces()));
      for (Type t : shown) {
        String name = t == null ? "" : t.getTypeName();
        if (FOREIGN.stream().anyMatch(name::contains)) {
          leaks.add(type.getSimpleName() + ": " + name);
        }
      }
    }
    assertEquals(List.of(), leaks);
  }

  @Test
  void theClientIsOneInterfacePerArea() throws Exception {
    assertTrue(TrackingClient.class.isInterface());
    Set<Class<?>> areas = Set.of(Experiments.class, Runs.class, Metrics.class, Artifacts.class);
    for (Class<?> area : areas) {
      assertTrue(area.isInterface(), area.getName());
    }
    for (String name : List.of("experiments", "runs", "metrics", "artifacts")) {
      assertTrue(areas.contains(TrackingClient.class.getMethod(name).getReturnType()), name);
    }
    try (TrackingClient client = TrackingClient.create("grpc://127.0.0.1:1")) {
      for (Object impl :
          List.of(client.experiments(), client.runs(), client.metrics(), client.artifacts())) {
        Class<?> c = impl.getClass();
        assertEquals("io.trackd.client.internal", c.getPackageName(), c.getName());
        assertFalse(Modifier.isPublic(c.getModifiers()), c.getName() + " should be hidden");
      }
      assertEquals("io.trackd.client.internal", client.getClass().getPackageName());
    }
  }

  private static boolean visible(int modifiers) {
    return Modifier.isPublic(modifiers) || Modifier.isProtected(modifiers);
  }

  /** Every public top-level class of io.trackd.client, found from its sources. */
  private static List<Class<?>> publicApiClasses() throws IOException, ClassNotFoundException {
    Path dir =
        TestPaths.repoRoot().resolve("clients/java/trackd-client/src/main/java/io/trackd/client");
    List<String> names;
    try (Stream<Path> files = Files.list(dir)) {
      names =
          files
              .map(p -> p.getFileName().toString())
              .filter(n -> n.endsWith(".java") && !n.equals("package-info.java"))
              .map(n -> n.substring(0, n.length() - ".java".length()))
              .sorted()
              .toList();
    }
    List<Class<?>> out = new ArrayList<>();
    for (String name : names) {
      Class<?> type = Class.forName("io.trackd.client." + name);
      if (Modifier.isPublic(type.getModifiers())) {
        out.add(type);
      }
    }
    assertTrue(out.size() > 20, "found only " + out);
    return out;
  }
}
