package io.trackd.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The language-neutral conformance cases (tests/conformance/cases/*.json) and the rules every
 * runner applies to them: typed values, {@code ${...}} substitution and matching. The rules are
 * those of tests/conformance/README.md, which the Python (cases.py) and R runners follow too.
 */
final class ConformanceCases {
  static final String CLIENT = "java";
  static final String PARTNER = "python";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern REF =
      Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*(?:\\.[A-Za-z0-9_]+)*)\\}");

  private ConformanceCases() {}

  /** One case: its steps are decoded JSON (maps, lists, strings, Long, Double, Boolean). */
  record Case(
      String file,
      String name,
      List<String> clients,
      Map<String, Object> unsupported,
      Map<String, Object> unsupportedOn,
      List<Map<String, Object>> steps) {

    /** Why this runner does not run the case on {@code backend}; null when it does. */
    String unsupportedReason(String backend) {
      if (!clients.contains(CLIENT)) {
        return "the case applies only to " + String.join(", ", clients);
      }
      if (unsupportedOn.containsKey(backend)) {
        return "not on " + backend + ": " + unsupportedOn.get(backend);
      }
      Object reason = unsupported.get(CLIENT);
      return reason == null ? null : reason.toString();
    }
  }

  /** Every case of every file of {@code dir}, in file order. */
  @SuppressWarnings("unchecked")
  static List<Case> load(Path dir) {
    List<Case> cases = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path file : files.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
        Map<String, Object> root = (Map<String, Object>) decode(JSON.readTree(file.toFile()));
        for (Object raw : (List<Object>) root.get("cases")) {
          Map<String, Object> c = (Map<String, Object>) raw;
          cases.add(
              new Case(
                  file.getFileName().toString(),
                  (String) c.get("name"),
                  (List<String>) c.getOrDefault("clients", List.of("python", "java", "r")),
                  (Map<String, Object>) c.getOrDefault("unsupported", Map.of()),
                  (Map<String, Object>) c.getOrDefault("unsupported_on", Map.of()),
                  (List<Map<String, Object>>) (List<?>) c.get("steps")));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the conformance cases in " + dir, e);
    }
    if (cases.isEmpty()) {
      throw new IllegalStateException("no conformance cases in " + dir);
    }
    return cases;
  }

  /** A JSON tree as plain Java values; {"$double": s} is a Double, {"$int": s} a Long. */
  static Object decode(JsonNode node) {
    if (node.isObject()) {
      if (node.size() == 1 && node.has("$double")) {
        return Double.parseDouble(node.get("$double").asText());
      }
      if (node.size() == 1 && node.has("$int")) {
        return Long.parseLong(node.get("$int").asText());
      }
      Map<String, Object> map = new LinkedHashMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        map.put(e.getKey(), decode(e.getValue()));
      }
      return map;
    }
    if (node.isArray()) {
      List<Object> list = new ArrayList<>();
      node.forEach(n -> list.add(decode(n)));
      return list;
    }
    if (node.isIntegralNumber()) {
      return node.asLong();
    }
    if (node.isNumber()) {
      return node.asDouble();
    }
    if (node.isBoolean()) {
      return node.asBoolean();
    }
    return node.isNull() ? null : node.asText();
  }

  /** The inverse of {@link #decode}, for variables passed to another runner: doubles tagged. */
  static Object encode(Object value) {
    if (value instanceof Double d) {
      return Map.of("$double", d.toString());
    }
    if (value instanceof Map<?, ?> m) {
      Map<String, Object> out = new LinkedHashMap<>();
      m.forEach((k, v) -> out.put((String) k, encode(v)));
      return out;
    }
    if (value instanceof List<?> l) {
      return l.stream().map(ConformanceCases::encode).toList();
    }
    return value;
  }

  static String toJson(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Object parseJson(String text) {
    try {
      return decode(JSON.readTree(text));
    } catch (IOException e) {
      throw new UncheckedIOException("not JSON: " + text, e);
    }
  }

  /** Replaces {@code ${name.field}}: a whole-string reference by the value, else as text. */
  static Object substitute(Object value, Map<String, Object> vars) {
    if (value instanceof String s) {
      Matcher whole = REF.matcher(s);
      if (whole.matches()) {
        return lookup(whole.group(1), vars);
      }
      Matcher m = REF.matcher(s);
      StringBuilder out = new StringBuilder();
      while (m.find()) {
        m.appendReplacement(out, Matcher.quoteReplacement(String.valueOf(lookup(m.group(1), vars))));
      }
      m.appendTail(out);
      return out.toString();
    }
    if (value instanceof Map<?, ?> map) {
      Map<String, Object> out = new LinkedHashMap<>();
      map.forEach((k, v) -> out.put((String) k, substitute(v, vars)));
      return out;
    }
    if (value instanceof List<?> list) {
      List<Object> out = new ArrayList<>();
      list.forEach(v -> out.add(substitute(v, vars)));
      return out;
    }
    return value;
  }

  private static Object lookup(String path, Map<String, Object> vars) {
    String[] parts = path.split("\\.");
    if (!vars.containsKey(parts[0])) {
      throw new AssertionError("no saved variable " + parts[0]);
    }
    Object value = vars.get(parts[0]);
    for (int i = 1; i < parts.length; i++) {
      value =
          value instanceof List<?> l
              ? l.get(Integer.parseInt(parts[i]))
              : ((Map<?, ?>) value).get(parts[i]);
    }
    return value;
  }

  /**
   * Objects by subset, lists by length and element, doubles bit for bit (any NaN equals NaN,
   * -0.0 differs from 0.0), integers exactly.
   */
  static void match(Object expected, Object actual, String where) {
    if (expected instanceof Map<?, ?> e) {
      if (!(actual instanceof Map<?, ?> a)) {
        throw new AssertionError(where + ": expected an object, got " + actual);
      }
      for (Map.Entry<?, ?> entry : e.entrySet()) {
        if (!a.containsKey(entry.getKey())) {
          throw new AssertionError(where + ": no field " + entry.getKey() + " in " + a.keySet());
        }
        match(entry.getValue(), a.get(entry.getKey()), where + "." + entry.getKey());
      }
    } else if (expected instanceof List<?> e) {
      if (!(actual instanceof List<?> a) || a.size() != e.size()) {
        throw new AssertionError(where + ": expected " + e.size() + " items, got " + actual);
      }
      for (int i = 0; i < e.size(); i++) {
        match(e.get(i), a.get(i), where + "[" + i + "]");
      }
    } else if (expected instanceof Double e) {
      if (!(actual instanceof Double a) || Double.compare(e, a) != 0) {
        throw new AssertionError(where + ": expected the double " + e + ", got " + actual);
      }
    } else if (expected == null ? actual != null : !expected.equals(actual)) {
      throw new AssertionError(where + ": expected " + expected + ", got " + actual);
    }
  }
}
