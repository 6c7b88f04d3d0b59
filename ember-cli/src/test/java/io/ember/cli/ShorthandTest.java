package io.ember.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ember.sdk.CpuConfiguration;
import org.junit.jupiter.api.Test;

class ShorthandTest {

    /** --cpu-configurations takes the architecture bare, or in the AWS CLI's shorthand and JSON forms. */
    @Test
    void cpuConfigurationsInEveryFormTheAwsCliTakes() {
        for (String form : new String[] {"ARM_64", "architecture=ARM_64", "{\"architecture\":\"ARM_64\"}",
                "[{\"architecture\":\"ARM_64\"}]"}) {
            assertThat(Shorthand.cpuConfigurations(form)).as(form).containsExactly(new CpuConfiguration("ARM_64"));
        }
        assertThatThrownBy(() -> Shorthand.cpuConfigurations("arch=ARM_64")).isInstanceOf(IllegalArgumentException.class);
    }
}
