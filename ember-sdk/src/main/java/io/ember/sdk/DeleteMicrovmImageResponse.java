package io.ember.sdk;

/** DeleteMicrovmImage's answer: the identifier as given and the image's state (DELETING or DELETED). */
public record DeleteMicrovmImageResponse(String imageIdentifier, MicrovmImageState state) {}
