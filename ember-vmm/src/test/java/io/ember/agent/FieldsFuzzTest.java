package io.ember.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.ArrayList;
import java.util.List;

/**
 * The field codec every control payload of a guest goes through. Properties: any bytes parse or are refused with a
 * ProtocolViolation (never another exception, whatever the getters are asked); what the builder writes parses back
 * to the same fields, in order.
 */
class FieldsFuzzTest {

    @FuzzTest(maxDuration = "10s")
    void anyPayload(byte[] payload) {
        Fields f;
        try {
            f = Fields.parse(payload);
        } catch (ProtocolViolation refused) {
            return;
        }
        for (int tag = 0; tag < 40; tag++) {
            f.has(tag);
            f.string(tag, null);
            f.strings(tag);
            f.valueLength(tag);
            try {
                f.integer(tag, 0);
            } catch (ProtocolViolation wrongLength) {
                assertThat(f.valueLength(tag)).isNotEqualTo(8);
            }
        }
    }

    @FuzzTest(maxDuration = "10s")
    void roundTrip(FuzzedDataProvider data) throws Exception {
        Fields.Builder b = Fields.builder();
        List<Object[]> written = new ArrayList<>();
        while (data.remainingBytes() > 0) {
            int tag = data.consumeInt(0, 255);
            if (data.consumeBoolean()) {
                long v = data.consumeLong();
                b.integer(tag, v);
                written.add(new Object[] {tag, v});
            } else {
                byte[] v = data.consumeBytes(data.consumeInt(0, 300));
                b.bytes(tag, v);
                written.add(new Object[] {tag, v});
            }
        }
        byte[] payload = b.build();
        assertThat(b.size()).isEqualTo(payload.length);
        Fields f = Fields.parse(payload);
        // the first field of each tag is what the getters see
        List<Integer> seen = new ArrayList<>();
        for (Object[] w : written) {
            int tag = (Integer) w[0];
            if (seen.contains(tag)) continue;
            seen.add(tag);
            if (w[1] instanceof Long v) assertThat(f.integer(tag)).isEqualTo(v);
            else assertThat(f.valueLength(tag)).isEqualTo(((byte[]) w[1]).length);
        }
    }
}
