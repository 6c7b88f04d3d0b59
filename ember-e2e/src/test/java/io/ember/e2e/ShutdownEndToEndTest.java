package io.ember.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ember.sdk.AccessKey;
import io.ember.sdk.EmberClient;
import io.ember.sdk.EmberException;
import io.ember.sdk.RunMicrovmRequest;
import io.ember.sdk.ShutdownResult;
import io.ember.sdk.Tenant;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The admin's shutdown (what {@code bin/ember stop-server} calls before SIGTERM) over real QEMU guests of two tenants
 * and the admin: every one's QEMU process ends, not only the admin's, and nothing can be launched afterwards.
 */
@Timeout(value = 300, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ShutdownEndToEndTest {
    @Test
    void theShutdownEndsEveryTenantsQemuAndRefusesNewWork() throws Exception {
        try (EmberTestServer server = EmberTestServer.start()) {
            EmberClient admin = server.client();
            List<EmberClient> tenants = new ArrayList<>();
            try {
                for (String name : new String[] {"team-a", "team-b"}) {
                    Tenant t = admin.createTenant(name, null);
                    AccessKey k = admin.createAccessKey(t.tenantId());
                    tenants.add(server.clientFor(k.credentials()));
                }
                List<String> ids = new ArrayList<>();
                for (EmberClient c : List.of(tenants.get(0), tenants.get(1), admin)) {
                    ids.add(c.runMicrovm(RunMicrovmRequest.of("busybox")).microvmId());
                }
                for (int i = 0; i < 3; i++) {
                    EmberClient c = i < 2 ? tenants.get(i) : admin;
                    c.waitUntilRunning(ids.get(i), Duration.ofSeconds(120));
                }
                assertThat(QemuProcesses.under(server.dataDir())).hasSize(3);
                assertThat(admin.listAllMicrovms(new io.ember.sdk.ListMicrovmsRequest(null, null, null, null))).hasSize(1); // the admin sees only its own: why the server must do it

                ShutdownResult r = admin.shutdown();
                assertThat(r.terminatedMicrovmIds()).containsExactlyInAnyOrderElementsOf(ids);
                assertThat(r.failedMicrovmIds()).isEmpty();
                assertThat(QemuProcesses.under(server.dataDir())).as("every tenant's QEMU ended").isEmpty();
                assertThatThrownBy(() -> tenants.get(1).runMicrovm(RunMicrovmRequest.of("busybox")))
                        .isInstanceOfSatisfying(EmberException.class,
                                e -> assertThat(e.errorType()).isEqualTo("ServiceUnavailableException"));
            } finally {
                tenants.forEach(EmberClient::close);
                QemuProcesses.killAllUnder(server.dataDir());
            }
        }
    }
}
