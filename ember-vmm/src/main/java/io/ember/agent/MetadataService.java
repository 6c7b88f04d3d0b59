package io.ember.agent;

/**
 * Answers the requests of a guest's metadata endpoint (docs/agent-protocol.md, METADATA): the application inside the
 * microVM asks its agent, the agent asks the host. Called on a virtual thread per request; what it answers goes to the
 * guest as is, so it must decide on the request's own authority (the microVM's role, read at that moment).
 */
@FunctionalInterface
public interface MetadataService {
    /** The secret {@code name}'s value, or the names the guest may read when {@code name} is null. */
    MetadataAnswer answer(String name);

    /** The service of a host that serves no metadata: every request is 404. */
    MetadataService NONE = name -> MetadataAnswer.error(404, "this microVM has no metadata");
}
