package io.ember.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.InputStream;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class FrameCodecTest {

    private static Frame roundTrip(int stream, int type, byte[] payload) throws Exception {
        return FrameCodec.read(new ByteArrayInputStream(FrameCodec.encode(stream, type, payload)));
    }

    @Test
    void encode_writesTheHeaderOfTheProtocol() {
        byte[] f = FrameCodec.encode(0x01020304, Proto.HELLO, new byte[] {9, 8});
        assertThat(Arrays.copyOf(f, 12)).containsExactly(0, 0, 0, 2, 1, 2, 3, 4, 1, 0, 0, 0);
        assertThat(f[12]).isEqualTo((byte) 9);
    }

    @Test
    void read_roundTripsGuestFrames() throws Exception {
        byte[] data = new byte[Proto.MAX_CHUNK];
        Arrays.fill(data, (byte) 7);
        Frame f = roundTrip(-1, Proto.STDOUT, data); // stream 0xFFFFFFFF: ids are unsigned
        assertThat(f.stream()).isEqualTo(-1);
        assertThat(f.type()).isEqualTo(Proto.STDOUT);
        assertThat(f.payload()).isEqualTo(data);
        byte[] control = new byte[Proto.MAX_FRAME];
        assertThat(roundTrip(3, Proto.LIST_ENTRY, control).length()).isEqualTo(Proto.MAX_FRAME);
        assertThat(roundTrip(0, Proto.OK, new byte[0]).length()).isZero();
    }

    @Test
    void read_returnsNullAtACleanEnd() throws Exception {
        assertThat(FrameCodec.read(InputStream.nullInputStream())).isNull();
    }

    @Test
    void read_rejectsAHugeLengthBeforeReadingThePayload() {
        // Only the 12 header bytes exist: a reader that tried to allocate or read the payload would see EOF.
        byte[] h = header(0xFFFF_FFF0, 1, Proto.STDOUT);
        assertThatThrownBy(() -> FrameCodec.read(new ByteArrayInputStream(h)))
                .isInstanceOf(ProtocolViolation.class).hasMessageContaining("4294967280 above MAX_FRAME");
        byte[] justAbove = header(Proto.MAX_FRAME + 1, 1, Proto.OK);
        assertThatThrownBy(() -> FrameCodec.read(new ByteArrayInputStream(justAbove)))
                .isInstanceOf(ProtocolViolation.class).hasMessageContaining("above MAX_FRAME");
    }

    @Test
    void read_rejectsADataChunkAboveMaxChunk() {
        byte[] h = header(Proto.MAX_CHUNK + 1, 1, Proto.STDERR);
        assertThatThrownBy(() -> FrameCodec.read(new ByteArrayInputStream(h)))
                .isInstanceOf(ProtocolViolation.class).hasMessageContaining("above MAX_CHUNK");
    }

    @Test
    void read_rejectsUnknownAndHostOnlyTypes() {
        for (int type : new int[] {0x00, Proto.HELLO, Proto.EXEC, Proto.CANCEL, 0x0E, 0x7F, Proto.METADATA, Proto.META_ANSWER, 0x8A, 0x8E, 0x90, 0xFF}) {
            assertThatThrownBy(() -> FrameCodec.read(new ByteArrayInputStream(header(0, 1, type))))
                    .as("type %02x", type).isInstanceOf(ProtocolViolation.class).hasMessageContaining("unknown frame type");
        }
    }

    @Test
    void read_rejectsNonzeroReservedBytes() {
        byte[] h = header(0, 1, Proto.OK);
        h[11] = 1;
        assertThatThrownBy(() -> FrameCodec.read(new ByteArrayInputStream(h)))
                .isInstanceOf(ProtocolViolation.class).hasMessageContaining("reserved");
    }

    @Test
    void read_reportsEndOfStreamInsideAFrame() {
        assertThatThrownBy(() -> FrameCodec.read(new ByteArrayInputStream(new byte[5])))
                .isInstanceOf(EOFException.class).hasMessageContaining("header");
        byte[] truncated = Arrays.copyOf(header(100, 1, Proto.STDOUT), 50);
        assertThatThrownBy(() -> FrameCodec.read(new ByteArrayInputStream(truncated)))
                .isInstanceOf(EOFException.class).hasMessageContaining("STDOUT");
    }

    @Test
    void encode_refusesOversizePayloads() {
        assertThatThrownBy(() -> FrameCodec.encode(1, Proto.STDIN, new byte[Proto.MAX_CHUNK + 1]))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> FrameCodec.encode(1, Proto.EXEC, new byte[Proto.MAX_FRAME + 1]))
                .isInstanceOf(IllegalArgumentException.class);
    }

    static byte[] header(long length, int stream, int type) {
        byte[] h = new byte[12];
        FrameCodec.putInt(h, 0, (int) length);
        FrameCodec.putInt(h, 4, stream);
        h[8] = (byte) type;
        return h;
    }
}
