package io.ember.sdk;

import com.fasterxml.jackson.annotation.JsonEnumDefaultValue;

/** A built image's state (the model's MicrovmImageState). */
public enum MicrovmImageState {
    CREATING, CREATED, CREATE_FAILED, UPDATING, UPDATED, UPDATE_FAILED, DELETING, DELETED, DELETE_FAILED,
    /** A value this SDK does not know yet (a newer server). */
    @JsonEnumDefaultValue UNKNOWN
}
