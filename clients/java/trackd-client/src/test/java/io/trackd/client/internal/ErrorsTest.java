package io.trackd.client.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Any;
import com.google.rpc.Code;
import com.google.rpc.ErrorInfo;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.trackd.client.ErrorCode;
import io.trackd.client.TrackdException;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The mapping itself; the codes a real server sends are covered in ErrorsContract. */
class ErrorsTest {
  @Test
  void everyFailureCodeHasAnErrorCodeOfTheSameName() {
    for (Status.Code code : Status.Code.values()) {
      if (code == Status.Code.OK) {
        continue;
      }
      TrackdException e =
          Errors.fromGrpc(code.toStatus().withDescription("d").asRuntimeException());
      assertEquals(code.name(), e.getCode().name());
      assertEquals("d", e.getServerMessage());
      assertEquals(Optional.empty(), e.getReason());
    }
  }

  @Test
  void readsErrorInfoFromTheStatusDetails() {
    ErrorInfo info =
        ErrorInfo.newBuilder()
            .setReason("RUN_NOT_FOUND")
            .setDomain("trackd.io")
            .putMetadata("run_id", "abc")
            .build();
    StatusRuntimeException grpc =
        StatusProto.toStatusRuntimeException(
            com.google.rpc.Status.newBuilder()
                .setCode(Code.NOT_FOUND_VALUE)
                .setMessage("run 'abc' not found")
                .addDetails(Any.pack(info))
                .build());
    TrackdException e = Errors.fromGrpc(grpc);
    assertEquals(ErrorCode.NOT_FOUND, e.getCode());
    assertEquals(Optional.of("RUN_NOT_FOUND"), e.getReason());
    assertEquals("run 'abc' not found", e.getServerMessage());
    assertEquals(Map.of("run_id", "abc"), e.getMetadata());
    assertEquals("NOT_FOUND RUN_NOT_FOUND: run 'abc' not found", e.getMessage());
    assertSame(grpc, e.getCause());
  }

  @Test
  void messageOmitsAReasonThatRepeatsTheCode() {
    TrackdException e = new TrackdException(ErrorCode.INTERNAL, "INTERNAL", "boom", Map.of(), null);
    assertEquals("INTERNAL: boom", e.getMessage());
    assertTrue(e instanceof RuntimeException);
  }
}
