package io.ember.image;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;

/**
 * What CreateMicrovmImage and UpdateMicrovmImage ask for, checked for form by the API layer.
 *
 * @param echo the request's version fields (baseImageArn, codeArtifact, resources, hooks, logging, ...) as given:
 *     stored with the version and returned by the version operations
 * @param vcpus Ember's extension {@code resources[0].vcpus}; null: the base image's
 * @param memoryMib {@code resources[0].minimumMemoryInMiB}; null: the base image's
 * @param environment {@code environmentVariables}, validated
 * @param tags null when none were given
 */
public record ImageSpec(ObjectNode echo, String baseImageArn, String baseImageVersion, String codeArtifactUri, Integer vcpus,
                        Integer memoryMib, Map<String, String> environment, Map<String, String> tags, String clientToken) {
    public ImageSpec {
        environment = Map.copyOf(environment == null ? Map.of() : environment);
    }
}
