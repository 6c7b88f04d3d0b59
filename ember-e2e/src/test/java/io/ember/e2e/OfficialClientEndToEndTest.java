package io.ember.e2e;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The official AWS client, {@code @aws-sdk/client-lambda-microvms} from npm, unmodified, pointed at
 * Ember: run, get, list (with its paginator), suspend, resume, terminate, typed errors, and images
 * (create, get, list, versions, builds, run from one, status, update, delete). bin/test installs it.
 */
class OfficialClientEndToEndTest {

    @Test
    void shouldServeTheOfficialLambdaMicrovmsClientUnchanged() throws Exception {
        try (EmberTestServer server = EmberTestServer.start()) {
            node(server, "official-client.mjs", "OFFICIAL-CLIENT OK", Map.of());
        }
    }

    @Test
    void shouldBuildAndLaunchImagesWithTheOfficialClient() throws Exception {
        try (EmberTestServer server = EmberTestServer.start()) {
            Path zip = CodeZip.dockerfile("FROM busybox\nCOPY app.sh /app/\nRUN chmod +x /app/app.sh\nCMD [\"/app/app.sh\"]\n")
                    .file("app.sh", "#!/bin/sh\nwhile true; do sleep 1; done\n").write(server.dataDir());
            node(server, "official-images.mjs", "OFFICIAL-IMAGES OK", Map.of("EMBER_CODE_ZIP", zip.toString()));
        }
    }

    @Test
    void twoTenantsAreIsolatedThroughTheOfficialClientAndARevokedKeyStopsAtOnce() throws Exception {
        try (EmberTestServer server = EmberTestServer.start()) {
            io.ember.sdk.EmberClient admin = server.client();
            io.ember.sdk.Tenant a = admin.createTenant("official-a", null);
            io.ember.sdk.Tenant b = admin.createTenant("official-b", new io.ember.sdk.Quotas(0, null, null, null, null));
            io.ember.sdk.AccessKey ka = admin.createAccessKey(a.tenantId()), kb = admin.createAccessKey(b.tenantId());
            Map<String, String> keys = Map.of("A_KEY", ka.accessKeyId(), "A_SECRET", ka.secretAccessKey(),
                    "B_KEY", kb.accessKeyId(), "B_SECRET", kb.secretAccessKey());
            String out = node(server, "official-tenants.mjs", "OFFICIAL-TENANTS OK", keys);
            String id = out.replaceAll("(?s).*OFFICIAL-TENANTS OK (mvm-[0-9a-f]+).*", "$1");
            admin.deleteAccessKey(a.tenantId(), ka.accessKeyId());
            java.util.Map<String, String> revoked = new java.util.HashMap<>(keys);
            revoked.put("PHASE", "revoked");
            node(server, "official-tenants.mjs", "OFFICIAL-TENANTS OK", revoked);
            // A's microVM, with a fresh key of A: still there, and ended cleanly.
            io.ember.sdk.AccessKey again = admin.createAccessKey(a.tenantId());
            io.ember.sdk.EmberClient asA = server.clientFor(new io.ember.sdk.Credentials(again.accessKeyId(), again.secretAccessKey()));
            assertThat(asA.getMicrovm(id).microvmId()).isEqualTo(id);
            asA.terminateMicrovm(id);
        }
    }

    @Test
    void arnsCopiedFromAwsDocsInAnotherRegionNameATenantsResources() throws Exception {
        try (EmberTestServer server = EmberTestServer.start()) {
            io.ember.sdk.EmberClient admin = server.client();
            io.ember.sdk.Tenant t = admin.createTenant("docs-reader", null);
            io.ember.sdk.AccessKey k = admin.createAccessKey(t.tenantId());
            io.ember.sdk.EmberClient tenant = server.clientFor(new io.ember.sdk.Credentials(k.accessKeyId(), k.secretAccessKey()));
            io.ember.sdk.CallerIdentity me = tenant.whoami();
            assertThat(me.accountId()).isEqualTo(t.tenantId()).matches("[0-9]{12}");
            assertThat(me.region()).isEqualTo("us-east-1");
            Path zip = CodeZip.dockerfile("FROM busybox\nCOPY app.sh /app/\nRUN chmod +x /app/app.sh\nCMD [\"/app/app.sh\"]\n")
                    .file("app.sh", "#!/bin/sh\nwhile true; do sleep 1; done\n").write(server.dataDir());
            // a tenant gives its code as an upload (file:// is the admin's only)
            String uri = tenant.uploadCodeArtifact(zip).uri();
            node(server, "official-arns.mjs", "OFFICIAL-ARNS OK", Map.of("EMBER_CODE_URI", uri, "EMBER_REGION", me.region(),
                    "TENANT_ACCOUNT", me.accountId(), "AWS_ACCESS_KEY_ID", k.accessKeyId(), "AWS_SECRET_ACCESS_KEY", k.secretAccessKey()));
        }
    }

    /** Runs {@code script} of src/test/node with the admin's keys and {@code env}; its output, which must contain {@code ok}. */
    static String node(EmberTestServer server, String script, String ok, Map<String, String> env) throws Exception {
        Path dir = Path.of("src/test/node").toAbsolutePath();
        assertThat(dir.resolve("node_modules/@aws-sdk/client-lambda-microvms"))
                .as("npm dependencies missing: run `npm ci` in %s (bin/test does)", dir).isDirectory();
        {
            ProcessBuilder pb = new ProcessBuilder("node", script).directory(dir.toFile())
                    .redirectErrorStream(true);
            pb.environment().put("EMBER_ENDPOINT", server.endpoint());
            // The admin's keys as the server wrote them to <dataDir>/credentials: the official client signs with them.
            pb.environment().put("AWS_ACCESS_KEY_ID", server.adminCredentials().accessKeyId());
            pb.environment().put("AWS_SECRET_ACCESS_KEY", server.adminCredentials().secretAccessKey());
            pb.environment().putAll(env);
            Path log = Files.createTempFile("official-client", ".log");
            pb.redirectOutput(log.toFile());
            Process node = pb.start();
            try {
                boolean done = node.waitFor(5, TimeUnit.MINUTES);
                String output = Files.readString(log, StandardCharsets.UTF_8);
                assertThat(done).as("node did not finish: %s", output).isTrue();
                assertThat(node.exitValue()).as(output).isZero();
                assertThat(output).contains(ok);
                return output;
            } finally {
                node.destroyForcibly();
                Files.deleteIfExists(log);
            }
        }
    }
}
