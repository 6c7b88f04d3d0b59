package io.ember.e2e;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

/**
 * Tests that share one server and one running microVM (busybox unless {@link #image()} says otherwise) for the whole
 * class: a boot costs seconds under TCG.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class OneVmPerClass {

    protected EmberTestServer server;
    protected TestVm vm;

    @BeforeAll
    void boot() throws Exception {
        server = EmberTestServer.start();
        vm = TestVm.run(server, request());
    }

    protected String image() {
        return "busybox";
    }

    /** The shared microVM's RunMicrovm request. */
    protected io.ember.sdk.RunMicrovmRequest request() {
        return io.ember.sdk.RunMicrovmRequest.of(image());
    }

    @AfterAll
    void shutdown() throws Exception {
        try {
            if (vm != null) vm.close();
        } finally {
            if (server != null) server.close();
        }
    }
}
