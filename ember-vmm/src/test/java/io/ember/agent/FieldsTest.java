package io.ember.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class FieldsTest {

    @Test
    void roundTrip_keepsStringsIntegersAndRepeatedTagsInOrder() throws Exception {
        byte[] p = Fields.builder().string(Proto.ARG, "ls").string(Proto.ARG, "-l").string(Proto.ARG, "é")
                .integer(Proto.TIMEOUT_MS, Long.MIN_VALUE).integer(Proto.PID, 42).string(Proto.CWD, "").build();
        Fields f = Fields.parse(p);
        assertThat(f.strings(Proto.ARG)).containsExactly("ls", "-l", "é");
        assertThat(f.integer(Proto.TIMEOUT_MS)).isEqualTo(Long.MIN_VALUE);
        assertThat(f.integer(Proto.PID)).isEqualTo(42);
        assertThat(f.string(Proto.CWD)).isEmpty();
        assertThat(f.integer(Proto.CODE, -7)).isEqualTo(-7);
        assertThat(f.has(Proto.ENV)).isFalse();
    }

    @Test
    void integersAreEightBytesSignedBigEndian() {
        byte[] p = Fields.builder().integer(Proto.N, 0x0102030405060708L).build();
        assertThat(p).containsExactly(Proto.N, 0, 0, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8);
        assertThat(Fields.builder().integer(Proto.CODE, -1).build()).endsWith(-1, -1, -1, -1, -1, -1, -1, -1);
    }

    @Test
    void parse_skipsUnknownTags() throws Exception {
        byte[] p = Fields.builder().string(200, "future").integer(Proto.CODE, 3).build();
        assertThat(Fields.parse(p).integer(Proto.CODE)).isEqualTo(3);
    }

    @Test
    void parse_rejectsAFieldThatOverrunsThePayload() {
        byte[] p = Fields.builder().string(Proto.MESSAGE, "hello").build();
        assertThatThrownBy(() -> Fields.parse(Arrays.copyOf(p, p.length - 1)))
                .isInstanceOf(ProtocolViolation.class).hasMessageContaining("overruns");
        byte[] huge = {Proto.MESSAGE, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 'x'};
        assertThatThrownBy(() -> Fields.parse(huge)).isInstanceOf(ProtocolViolation.class);
    }

    @Test
    void parse_rejectsATruncatedFieldHeader() {
        assertThatThrownBy(() -> Fields.parse(new byte[] {Proto.CODE, 0, 0}))
                .isInstanceOf(ProtocolViolation.class).hasMessageContaining("truncated");
    }

    @Test
    void integer_rejectsAValueThatIsNotEightBytes() throws Exception {
        Fields f = Fields.parse(Fields.builder().bytes(Proto.CODE, new byte[4]).build());
        assertThatThrownBy(() -> f.integer(Proto.CODE)).isInstanceOf(ProtocolViolation.class).hasMessageContaining("4 bytes");
        assertThatThrownBy(() -> f.integer(Proto.PID)).isInstanceOf(ProtocolViolation.class).hasMessageContaining("missing");
    }
}
