package io.trackd.client.internal;

/** The client's version, sent in the user agent. */
final class Version {
  static final String VERSION = "0.1.0";

  private Version() {}
}
