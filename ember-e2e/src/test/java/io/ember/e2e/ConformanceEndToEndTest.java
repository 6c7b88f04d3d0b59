package io.ember.e2e;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The Lambda MicroVMs API reference, case by case, through the official AWS client: every documented range,
 * pattern, required member, enum, union and error code of node/conformance/cases.mjs, with the guide's examples
 * (docs/compatibility.md has the same table with Ember's behaviour beside each row). The script prints one line per
 * case and fails the test on the first wrong answer's list.
 */
class ConformanceEndToEndTest {

    @Test
    void everyDocumentedCaseIsAnsweredAsAwsDocumentsIt() throws Exception {
        try (EmberTestServer server = EmberTestServer.withAwsIdleFloor()) {
            Path ok = CodeZip.dockerfile("FROM busybox\nCOPY app.sh /app/\nRUN chmod +x /app/app.sh\nCMD [\"/app/app.sh\"]\n")
                    .file("app.sh", "#!/bin/sh\nwhile true; do sleep 1; done\n").write(server.dataDir());
            Path noDockerfile = CodeZip.withoutDockerfile().write(server.dataDir());
            OfficialClientEndToEndTest.node(server, "official-conformance.mjs", "CONFORMANCE OK",
                    Map.of("EMBER_CODE_ZIP", ok.toString(), "EMBER_NODOCKERFILE_ZIP", noDockerfile.toString()));
        }
    }
}
