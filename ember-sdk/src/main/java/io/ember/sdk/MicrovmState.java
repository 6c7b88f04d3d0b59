package io.ember.sdk;

import com.fasterxml.jackson.annotation.JsonEnumDefaultValue;

/** A microVM's lifecycle state, as the Lambda MicroVMs model names them. */
public enum MicrovmState {
    PENDING, RUNNING, SUSPENDING, SUSPENDED, TERMINATING, TERMINATED,
    /** A state this SDK does not know yet (a newer server). */
    @JsonEnumDefaultValue UNKNOWN
}
