package io.ember.microvm;

import io.ember.agent.AgentException;
import io.ember.agent.GuestAgent;
import java.nio.file.Path;
import java.time.Duration;

/** Opens the agent channel of a VM (production: {@code io.ember.agent.AgentClient::connect}; tests: fakes). */
@FunctionalInterface
public interface AgentConnector {
    GuestAgent connect(Path agentSocket, Duration timeout) throws AgentException;
}
