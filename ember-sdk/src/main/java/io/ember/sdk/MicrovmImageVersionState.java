package io.ember.sdk;

import com.fasterxml.jackson.annotation.JsonEnumDefaultValue;

/** An image version's build state (the model's MicrovmImageVersionState); PENDING and IN_PROGRESS are not final. */
public enum MicrovmImageVersionState {
    PENDING, IN_PROGRESS, SUCCESSFUL, FAILED, DELETING, DELETED, DELETE_FAILED,
    /** A value this SDK does not know yet (a newer server). */
    @JsonEnumDefaultValue UNKNOWN;

    /** False while the build may still change this (PENDING, IN_PROGRESS). */
    public boolean isFinal() {
        return this != PENDING && this != IN_PROGRESS;
    }
}
