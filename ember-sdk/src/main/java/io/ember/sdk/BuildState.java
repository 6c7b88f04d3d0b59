package io.ember.sdk;

import com.fasterxml.jackson.annotation.JsonEnumDefaultValue;

/** One build's state (the model's BuildState). */
public enum BuildState {
    PENDING, IN_PROGRESS, SUCCESSFUL, FAILED,
    /** A value this SDK does not know yet (a newer server). */
    @JsonEnumDefaultValue UNKNOWN;

    /** False while the build may still change this (PENDING, IN_PROGRESS). */
    public boolean isFinal() {
        return this != PENDING && this != IN_PROGRESS;
    }
}
