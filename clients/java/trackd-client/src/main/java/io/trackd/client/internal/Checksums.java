package io.trackd.client.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 of files and streams, as the artifact service writes it: 64 lowercase hex digits. */
final class Checksums {
  private Checksums() {}

  /** A file's SHA-256 and the number of bytes it covers. */
  record Digest(String hex, long size) {}

  /** A new SHA-256 digester (every JVM has one). */
  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JVM has no SHA-256", e);
    }
  }

  /** Reads {@code file} once, in chunks, so memory stays flat for any size. */
  static Digest sha256(Path file) {
    MessageDigest digest = sha256();
    long size = 0;
    ByteBuffer buffer = ByteBuffer.allocate(ArtifactUpload.CHUNK_BYTES);
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      while (channel.read(buffer) >= 0) {
        buffer.flip();
        size += buffer.remaining();
        digest.update(buffer);
        buffer.clear();
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
    return new Digest(hex(digest), size);
  }

  /** The digest so far as lowercase hex. */
  static String hex(MessageDigest digest) {
    return HexFormat.of().formatHex(digest.digest());
  }
}
