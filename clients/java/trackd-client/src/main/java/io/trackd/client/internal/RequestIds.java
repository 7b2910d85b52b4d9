package io.trackd.client.internal;

import java.util.UUID;

/** Request ids for mutating calls: one random UUID per logical call, reused by its retries. */
final class RequestIds {
  private RequestIds() {}

  static String next() {
    return UUID.randomUUID().toString();
  }
}
