package io.ember.cli;

import io.ember.endpoint.LocalCa;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * Prints the certificate of the CA that signs the endpoint's certificate, for clients to trust. Read from the server's
 * data directory, as the admin key is: it is a file on the server's host, not something the API serves (a client
 * that fetched it over the connection it is meant to secure would trust whoever answered).
 */
@Command(name = "endpoint-ca",
        description = "Print the PEM certificate of Ember's endpoint CA (from the server's data directory) for clients to trust,"
                + " e.g. ember endpoint-ca > ca.pem; curl --cacert ca.pem https://...")
final class EndpointCaCommand implements Callable<Integer> {
    @ParentCommand EmberCommand root;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "the server's data directory (default $EMBER_DATA_DIR, else /var/lib/ember)")
    Path dataDir;

    @Option(names = "--path", description = "print the certificate file's path instead of its content")
    boolean path;

    @Override
    public Integer call() throws Exception {
        Path dir = dataDir != null ? dataDir
                : Path.of(root.io().env().getOrDefault("EMBER_DATA_DIR", "/var/lib/ember"));
        Path file = dir.resolve(LocalCa.CERT_FILE);
        if (!Files.isReadable(file)) {
            root.io().err().println("no endpoint CA at " + file + ": the server makes it at its first start with"
                    + " --endpoint-tls on (the default) and no --tls-keystore");
            return 1;
        }
        root.io().out().print(path ? file + "\n" : Files.readString(file));
        root.io().out().flush();
        return 0;
    }
}
