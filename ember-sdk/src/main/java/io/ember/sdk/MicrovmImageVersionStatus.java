package io.ember.sdk;

import com.fasterxml.jackson.annotation.JsonEnumDefaultValue;

/** Whether new microVMs may launch from an image version (the model's MicrovmImageVersionStatus). */
public enum MicrovmImageVersionStatus {
    ACTIVE, INACTIVE,
    /** A value this SDK does not know yet (a newer server). */
    @JsonEnumDefaultValue UNKNOWN
}
