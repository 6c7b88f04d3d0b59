package io.ember.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.ember.agent.AgentException;
import org.junit.jupiter.api.Test;

class AgentErrorsTest {
    private static ApiException translate(int errno, String message) {
        return AgentErrors.translate(new AgentException(errno, message), null, "/w");
    }

    @Test
    void shouldMakeRefusalsOfTheCallersRequestValidationErrorsNotServerFaults() {
        assertThat(translate(16, "refusing to remove /").type()).isEqualTo("ValidationException"); // EBUSY
        assertThat(translate(7, "/w has more than 100000 entries").type()).isEqualTo("ValidationException"); // E2BIG
        assertThat(translate(28, "write /w: No space left on device").type()).isEqualTo("ValidationException");
        assertThat(translate(21, "Is a directory").status()).isEqualTo(400);
        assertThat(translate(2, "No such file or directory").type()).isEqualTo("ResourceNotFoundException");
        assertThat(translate(5, "Input/output error").type()).isEqualTo("InternalServerException"); // EIO
    }
}
