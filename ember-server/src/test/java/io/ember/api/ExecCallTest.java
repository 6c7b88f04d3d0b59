package io.ember.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ExecCallTest {
    private static ObjectNode body(String json) throws Exception {
        return (ObjectNode) Json.MAPPER.readTree(json);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "{}                                              | command (argv) or shell is required",
        "{\"command\":[\"a\"],\"shell\":\"b\"}           | give command or shell, not both",
        "{\"command\":[]}                                | command must not be empty",
        "{\"command\":\"ls\"}                            | command must be an array of strings",
        "{\"command\":[\"ls\",3]}                        | command[1] must be a string",
        "{\"shell\":\"\"}                                | shell must not be empty",
        "{\"shell\":\"x\",\"timeoutSeconds\":0}          | timeoutSeconds must be between 1 and 86400",
        "{\"shell\":\"x\",\"timeoutSeconds\":86401}      | timeoutSeconds must be between 1 and 86400",
        "{\"shell\":\"x\",\"stdin\":\"***\"}             | stdin must be base64",
        "{\"shell\":\"x\",\"env\":{\"A=B\":\"1\"}}       | env name 'A=B' is invalid",
        "{\"shell\":\"x\",\"env\":{\"A\":1}}             | env.A must be a string",
        "{\"shell\":\"x\",\"env\":[\"A=1\"]}             | env must be an object",
        "{\"shell\":\"x\",\"workingDirectory\":\"\"}     | workingDirectory must not be empty",
    })
    void shouldRefuseMalformedExecRequests(String json, String message) {
        assertThatThrownBy(() -> ExecCall.parse(body(json)))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.type()).isEqualTo("ValidationException");
                    assertThat(e.getMessage()).contains(message);
                });
    }

    @ParameterizedTest
    @CsvSource({"/abs/dir,/abs/dir", "rel,/workspace/rel", "a/b,/workspace/a/b"})
    void shouldResolvePathsAgainstTheWorkspace(String given, String resolved) throws Exception {
        ExecCall c = ExecCall.parse(body("{\"command\":[\"pwd\"],\"workingDirectory\":\"" + given + "\"}"));
        assertThat(c.request().cwd()).isEqualTo(resolved);
        assertThat(c.stdin()).isNull();
    }
}
