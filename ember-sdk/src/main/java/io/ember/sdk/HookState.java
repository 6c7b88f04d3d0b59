package io.ember.sdk;

import com.fasterxml.jackson.annotation.JsonEnumDefaultValue;

/** Whether a lifecycle hook is called (the model's HookState). */
public enum HookState {
    ENABLED, DISABLED,
    /** A value this SDK does not know yet (a newer server). */
    @JsonEnumDefaultValue UNKNOWN
}
