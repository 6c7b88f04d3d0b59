package io.ember.agent;

/** What the agent said of itself in HELLO_OK. */
public record AgentInfo(int protocolVersion, String agent, String kernel, String hostname) {}
