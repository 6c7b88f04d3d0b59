package io.ember.sdk;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * UpdateMicrovmImage's input: a new version of the image named by {@code imageIdentifier} (name, ARN
 * or id; it goes in the path, not the body), built from these fields. A null {@code clientToken} is
 * filled with a random UUID by the client.
 */
public record UpdateMicrovmImageRequest(
        @JsonIgnore String imageIdentifier,
        String baseImageArn,
        String baseImageVersion,
        String buildRoleArn,
        String description,
        CodeArtifact codeArtifact,
        Map<String, String> environmentVariables,
        List<Resources> resources,
        List<String> egressNetworkConnectors,
        String clientToken,
        Hooks hooks,
        List<CpuConfiguration> cpuConfigurations) {

    public UpdateMicrovmImageRequest {
        Objects.requireNonNull(imageIdentifier, "imageIdentifier");
        Objects.requireNonNull(baseImageArn, "baseImageArn");
        Objects.requireNonNull(codeArtifact, "codeArtifact");
    }

    /** Without cpuConfigurations: the server host's own architecture. */
    public UpdateMicrovmImageRequest(String imageIdentifier, String baseImageArn, String baseImageVersion,
            String buildRoleArn, String description, CodeArtifact codeArtifact,
            Map<String, String> environmentVariables, List<Resources> resources, List<String> egressNetworkConnectors,
            String clientToken, Hooks hooks) {
        this(imageIdentifier, baseImageArn, baseImageVersion, buildRoleArn, description, codeArtifact,
                environmentVariables, resources, egressNetworkConnectors, clientToken, hooks, null);
    }

    /** AWS requires {@code buildRoleArn} with every update (PUT): {@link CreateMicrovmImageRequest#DEFAULT_BUILD_ROLE_ARN} unless set. */
    public static UpdateMicrovmImageRequest of(String imageIdentifier, String baseImageArn, CodeArtifact codeArtifact) {
        return new UpdateMicrovmImageRequest(imageIdentifier, baseImageArn, null, CreateMicrovmImageRequest.DEFAULT_BUILD_ROLE_ARN, null,
                codeArtifact, null, null, null, null, null, null);
    }

    public UpdateMicrovmImageRequest withBaseImageVersion(String v) {
        return new UpdateMicrovmImageRequest(imageIdentifier, baseImageArn, v, buildRoleArn, description, codeArtifact,
                environmentVariables, resources, egressNetworkConnectors, clientToken, hooks, cpuConfigurations);
    }

    /** {@code arn} null: {@link CreateMicrovmImageRequest#DEFAULT_BUILD_ROLE_ARN}. */
    public UpdateMicrovmImageRequest withBuildRoleArn(String arn) {
        return new UpdateMicrovmImageRequest(imageIdentifier, baseImageArn, baseImageVersion,
                arn == null ? CreateMicrovmImageRequest.DEFAULT_BUILD_ROLE_ARN : arn, description, codeArtifact,
                environmentVariables, resources, egressNetworkConnectors, clientToken, hooks, cpuConfigurations);
    }

    public UpdateMicrovmImageRequest withDescription(String d) {
        return new UpdateMicrovmImageRequest(imageIdentifier, baseImageArn, baseImageVersion, buildRoleArn, d, codeArtifact,
                environmentVariables, resources, egressNetworkConnectors, clientToken, hooks, cpuConfigurations);
    }

    public UpdateMicrovmImageRequest withEnvironmentVariables(Map<String, String> env) {
        return new UpdateMicrovmImageRequest(imageIdentifier, baseImageArn, baseImageVersion, buildRoleArn, description, codeArtifact,
                env, resources, egressNetworkConnectors, clientToken, hooks, cpuConfigurations);
    }

    public UpdateMicrovmImageRequest withResources(List<Resources> r) {
        return new UpdateMicrovmImageRequest(imageIdentifier, baseImageArn, baseImageVersion, buildRoleArn, description, codeArtifact,
                environmentVariables, r, egressNetworkConnectors, clientToken, hooks, cpuConfigurations);
    }

    public UpdateMicrovmImageRequest withEgressNetworkConnectors(List<String> connectors) {
        return new UpdateMicrovmImageRequest(imageIdentifier, baseImageArn, baseImageVersion, buildRoleArn, description, codeArtifact,
                environmentVariables, resources, connectors, clientToken, hooks, cpuConfigurations);
    }

    public UpdateMicrovmImageRequest withClientToken(String token) {
        return new UpdateMicrovmImageRequest(imageIdentifier, baseImageArn, baseImageVersion, buildRoleArn, description, codeArtifact,
                environmentVariables, resources, egressNetworkConnectors, token, hooks, cpuConfigurations);
    }

    /** The new version's lifecycle hooks (docs/hooks.md). */
    public UpdateMicrovmImageRequest withHooks(Hooks h) {
        return new UpdateMicrovmImageRequest(imageIdentifier, baseImageArn, baseImageVersion, buildRoleArn, description, codeArtifact,
                environmentVariables, resources, egressNetworkConnectors, clientToken, h, cpuConfigurations);
    }

    /** The architecture the version is built for and runs as ({@link CpuConfiguration#of}). */
    public UpdateMicrovmImageRequest withCpuConfigurations(List<CpuConfiguration> c) {
        return new UpdateMicrovmImageRequest(imageIdentifier, baseImageArn, baseImageVersion, buildRoleArn,
                description, codeArtifact, environmentVariables, resources, egressNetworkConnectors, clientToken,
                hooks, c);
    }
}
