package io.ember.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.ember.endpoint.LocalCa;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EndpointCaCommandTest {
    @TempDir Path tmp;

    @Test
    void printsTheCaCertificateOfTheDataDirectoryForClientsToTrust() throws Exception {
        LocalCa ca = LocalCa.open(tmp);
        Cli pem = Cli.runWithEnvOnly(Map.of("EMBER_DATA_DIR", tmp.toString()), "endpoint-ca");
        assertThat(pem.exit).as(pem.toString()).isZero();
        X509Certificate printed = (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(pem.out.getBytes()));
        assertThat(printed).isEqualTo(ca.certificate());
        Cli path = Cli.runWithEnvOnly(Map.of(), "endpoint-ca", "--data-dir", tmp.toString(), "--path");
        assertThat(path.out.strip()).isEqualTo(tmp.resolve(LocalCa.CERT_FILE).toString());
    }

    @Test
    void withoutACaItSaysHowOneIsMade() {
        Cli none = Cli.runWithEnvOnly(Map.of(), "endpoint-ca", "--data-dir", tmp.resolve("nothing").toString());
        assertThat(none.exit).isEqualTo(1);
        assertThat(none.err).contains("no endpoint CA").contains("--endpoint-tls on");
    }
}
