package io.ember.image;

import com.fasterxml.jackson.databind.JsonNode;
import io.ember.store.ImageVersionRecord;
import io.ember.vmm.Arch;
import java.io.IOException;

/** The architecture of an image version, from its request's cpuConfigurations (docs/images.md, "Architectures"). */
public final class ImageArchitecture {
    private ImageArchitecture() {}

    /**
     * What a request asks for: {@code cpuConfigurations[0].architecture} (checked when it was accepted), else the
     * host's own ({@link HostInfo#defaultArch()}; docs/compatibility.md says why not AWS's ARM_64).
     */
    static Arch of(JsonNode spec) {
        JsonNode cpus = spec == null ? null : spec.get("cpuConfigurations");
        if (cpus != null && cpus.isArray() && !cpus.isEmpty()) {
            Arch a = HostInfo.parseArchitecture(cpus.get(0).path("architecture").asText(""));
            if (a != null) return a;
        }
        return HostInfo.defaultArch();
    }

    /** The architecture of a stored version. */
    public static Arch of(ImageVersionRecord v) {
        try {
            return of(Images.JSON.readTree(v.specJson()));
        } catch (IOException e) {
            return HostInfo.defaultArch();
        }
    }
}
