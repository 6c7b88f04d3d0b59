package io.ember.endpoint;

import io.ember.microvm.Microvms;

/** What every client connection of the endpoint needs, whatever protocol it speaks. */
record EndpointContext(Microvms microvms, AuthTokens tokens, boolean tls, int firstByteMillis, ConnectionQuota quota) {}
