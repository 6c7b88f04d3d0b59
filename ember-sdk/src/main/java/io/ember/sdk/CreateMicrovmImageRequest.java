package io.ember.sdk;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * CreateMicrovmImage's input. Start from {@link #of} and add what you need with the {@code with}
 * methods. {@code baseImageArn} is a managed image's name ({@code debian}, {@code busybox}), its ARN,
 * or another built image. A null {@code clientToken} is filled with a random UUID by the client.
 */
public record CreateMicrovmImageRequest(
        String name,
        String baseImageArn,
        String baseImageVersion,
        String buildRoleArn,
        String description,
        CodeArtifact codeArtifact,
        Map<String, String> environmentVariables,
        List<Resources> resources,
        List<String> egressNetworkConnectors,
        Map<String, String> tags,
        String clientToken,
        Hooks hooks,
        List<CpuConfiguration> cpuConfigurations) {

    public CreateMicrovmImageRequest {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(baseImageArn, "baseImageArn");
        Objects.requireNonNull(codeArtifact, "codeArtifact");
    }

    /** Without cpuConfigurations: the server host's own architecture. */
    public CreateMicrovmImageRequest(String name, String baseImageArn, String baseImageVersion, String buildRoleArn,
            String description, CodeArtifact codeArtifact, Map<String, String> environmentVariables,
            List<Resources> resources, List<String> egressNetworkConnectors, Map<String, String> tags,
            String clientToken, Hooks hooks) {
        this(name, baseImageArn, baseImageVersion, buildRoleArn, description, codeArtifact, environmentVariables,
                resources, egressNetworkConnectors, tags, clientToken, hooks, null);
    }

    /**
     * The build role sent when none is given: AWS requires {@code buildRoleArn}; Ember's builds assume no role
     * (they read the code artifact with the server's own access), so any role ARN does.
     */
    public static final String DEFAULT_BUILD_ROLE_ARN = "arn:aws:iam::000000000000:role/ember-build";

    public static CreateMicrovmImageRequest of(String name, String baseImageArn, CodeArtifact codeArtifact) {
        return new CreateMicrovmImageRequest(name, baseImageArn, null, DEFAULT_BUILD_ROLE_ARN, null, codeArtifact, null, null, null,
                null, null, null, null);
    }

    public CreateMicrovmImageRequest withBaseImageVersion(String v) {
        return new CreateMicrovmImageRequest(name, baseImageArn, v, buildRoleArn, description, codeArtifact,
                environmentVariables, resources, egressNetworkConnectors, tags, clientToken, hooks, cpuConfigurations);
    }

    /** {@code arn} null: {@link #DEFAULT_BUILD_ROLE_ARN}. */
    public CreateMicrovmImageRequest withBuildRoleArn(String arn) {
        return new CreateMicrovmImageRequest(name, baseImageArn, baseImageVersion, arn == null ? DEFAULT_BUILD_ROLE_ARN : arn, description, codeArtifact,
                environmentVariables, resources, egressNetworkConnectors, tags, clientToken, hooks, cpuConfigurations);
    }

    public CreateMicrovmImageRequest withDescription(String d) {
        return new CreateMicrovmImageRequest(name, baseImageArn, baseImageVersion, buildRoleArn, d, codeArtifact,
                environmentVariables, resources, egressNetworkConnectors, tags, clientToken, hooks, cpuConfigurations);
    }

    public CreateMicrovmImageRequest withEnvironmentVariables(Map<String, String> env) {
        return new CreateMicrovmImageRequest(name, baseImageArn, baseImageVersion, buildRoleArn, description, codeArtifact,
                env, resources, egressNetworkConnectors, tags, clientToken, hooks, cpuConfigurations);
    }

    public CreateMicrovmImageRequest withResources(List<Resources> r) {
        return new CreateMicrovmImageRequest(name, baseImageArn, baseImageVersion, buildRoleArn, description, codeArtifact,
                environmentVariables, r, egressNetworkConnectors, tags, clientToken, hooks, cpuConfigurations);
    }

    public CreateMicrovmImageRequest withEgressNetworkConnectors(List<String> connectors) {
        return new CreateMicrovmImageRequest(name, baseImageArn, baseImageVersion, buildRoleArn, description, codeArtifact,
                environmentVariables, resources, connectors, tags, clientToken, hooks, cpuConfigurations);
    }

    public CreateMicrovmImageRequest withTags(Map<String, String> t) {
        return new CreateMicrovmImageRequest(name, baseImageArn, baseImageVersion, buildRoleArn, description, codeArtifact,
                environmentVariables, resources, egressNetworkConnectors, t, clientToken, hooks, cpuConfigurations);
    }

    public CreateMicrovmImageRequest withClientToken(String token) {
        return new CreateMicrovmImageRequest(name, baseImageArn, baseImageVersion, buildRoleArn, description, codeArtifact,
                environmentVariables, resources, egressNetworkConnectors, tags, token, hooks, cpuConfigurations);
    }

    /** The version's lifecycle hooks (docs/hooks.md). */
    public CreateMicrovmImageRequest withHooks(Hooks h) {
        return new CreateMicrovmImageRequest(name, baseImageArn, baseImageVersion, buildRoleArn, description, codeArtifact,
                environmentVariables, resources, egressNetworkConnectors, tags, clientToken, h, cpuConfigurations);
    }

    /** The architecture the version is built for and runs as ({@link CpuConfiguration#of}). */
    public CreateMicrovmImageRequest withCpuConfigurations(List<CpuConfiguration> c) {
        return new CreateMicrovmImageRequest(name, baseImageArn, baseImageVersion, buildRoleArn, description,
                codeArtifact, environmentVariables, resources, egressNetworkConnectors, tags, clientToken, hooks, c);
    }
}
