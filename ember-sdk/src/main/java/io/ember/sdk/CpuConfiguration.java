package io.ember.sdk;

import java.util.List;
import java.util.Objects;

/**
 * An image's CPU architecture (the model's {@code CpuConfiguration}): {@code ARM_64}, AWS's only one, builds and runs
 * arm64 guests; {@code X86_64} is Ember's addition. Without one an image runs the server host's own architecture
 * (docs/images.md, "Architectures").
 */
public record CpuConfiguration(String architecture) {
    public static final String ARM_64 = "ARM_64";
    public static final String X86_64 = "X86_64";

    public CpuConfiguration {
        Objects.requireNonNull(architecture, "architecture");
    }

    /** The one-item list CreateMicrovmImage and UpdateMicrovmImage take. */
    public static List<CpuConfiguration> of(String architecture) {
        return List.of(new CpuConfiguration(architecture));
    }
}
