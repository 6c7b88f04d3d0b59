package io.ember.server;

import io.ember.agent.GuestAgent;
import io.ember.microvm.AgentConnector;
import io.ember.microvm.MicrovmException;
import io.ember.microvm.Microvms;
import io.ember.secrets.Secrets;
import io.ember.store.MicrovmRecord;
import java.nio.file.Path;
import java.util.function.Supplier;

/**
 * Connects agents as {@code agents} does, and has each channel serve its microVM's metadata endpoint (docs/secrets.md)
 * from {@code secrets}, through the role on the microVM's record read at each request. The microVM is the one whose
 * work directory holds the agent socket; image builds connect without this, so no build ever sees a secret.
 */
final class MetadataAgents {
    private MetadataAgents() {}

    static AgentConnector serving(AgentConnector agents, Secrets secrets, Supplier<Microvms> microvms) {
        return (socket, timeout) -> {
            GuestAgent agent = agents.connect(socket, timeout);
            agent.serveMetadata(secrets.metadata(() -> roleOf(microvms.get(), socket)));
            return agent;
        };
    }

    /** The execution role ARN of the microVM that owns {@code socket}; null when it has none or is not known. */
    static String roleOf(Microvms microvms, Path socket) {
        Path dir = socket.toAbsolutePath().getParent();
        if (microvms == null || dir == null || dir.getFileName() == null) return null;
        MicrovmRecord r;
        try {
            r = microvms.get(dir.getFileName().toString());
        } catch (MicrovmException e) {
            return null;
        }
        if (r.workDir() == null || !Path.of(r.workDir()).toAbsolutePath().equals(dir)) return null;
        return r.executionRoleArn();
    }
}
