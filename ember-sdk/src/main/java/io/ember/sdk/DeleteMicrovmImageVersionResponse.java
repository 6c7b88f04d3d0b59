package io.ember.sdk;

/** DeleteMicrovmImageVersion's answer: the version's state (DELETING or DELETED). */
public record DeleteMicrovmImageVersionResponse(String imageIdentifier, String imageVersion, MicrovmImageVersionState state) {}
