package io.ember.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.ember.connector.ConnectorArn;
import io.ember.egress.EgressPolicy;
import io.ember.egress.EgressRule;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The connectors a microVM was run with, and the policy they meant, survive the store; older rows read as before. */
class StoreConnectorColumnsTest {
    @TempDir
    Path dir;

    @Test
    void shouldKeepTheConnectorsAndThePolicyOfAMicrovm() {
        EgressPolicy policy = new EgressPolicy(EgressPolicy.Action.DENY, List.of(EgressRule.domain(EgressPolicy.Action.ALLOW,
                "*.example.com", EgressRule.Protocol.TCP, new EgressRule.PortRange(443, 443))), "br-lan", 10, 64);
        String own = ConnectorArn.of("000000000000", "nc-0123456789abcdef01234567");
        try (Store store = Store.open(dir.resolve("ember.db"))) {
            MicrovmRecord plain = StoreTest.record("mvm-000000000000000000000001", "busybox", null);
            MicrovmRecord in = new MicrovmRecord(0, plain.id(), plain.arn(), plain.imageName(), plain.imageArn(),
                    plain.imageVersion(), plain.state(), null, 1, 128, null, 600, null, plain.startedAt(), null, null,
                    plain.workDir(), null, plain.tenantId(), List.of(ConnectorArn.Managed.SHELL_INGRESS.arn()), List.of(own), policy);
            MicrovmRecord stored = store.insert(in, StoreTest.created(in.id()));
            MicrovmRecord back = store.find(in.id()).orElseThrow();
            assertThat(back).isEqualTo(in.withOrdinal(stored.ordinal()));
            assertThat(back.egressPolicy()).isEqualTo(policy);
            assertThat(back.ingress()).isEqualTo(new ConnectorArn.Ingress(false, true));
            assertThat(back.egressNetworkConnectors()).containsExactly(own);
        }
    }

    @Test
    void shouldReadARowFromBeforeConnectorsAsAllIngressAndInternetEgress() throws Exception {
        String id = "mvm-000000000000000000000002";
        try (Store store = Store.open(dir.resolve("ember.db"))) {
            store.insert(StoreTest.record(id, "busybox", null), StoreTest.created(id));
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("ember.db"));
             Statement s = c.createStatement()) {
            s.executeUpdate("UPDATE microvms SET ingress_connectors = NULL, egress_connectors = NULL, egress_policy = NULL");
        }
        try (Store store = Store.open(dir.resolve("ember.db"))) {
            MicrovmRecord r = store.find(id).orElseThrow();
            assertThat(r.egressPolicy()).isSameAs(EgressPolicy.INTERNET);
            assertThat(r.ingressNetworkConnectors()).containsExactly(ConnectorArn.Managed.ALL_INGRESS.arn());
            assertThat(r.egressNetworkConnectors()).containsExactly(ConnectorArn.Managed.INTERNET_EGRESS.arn());
            assertThat(r.ingress()).isEqualTo(new ConnectorArn.Ingress(true, true));
        }
    }
}
