package io.ember.image;

import java.nio.file.Path;
import java.util.Map;

/**
 * The base a version is built from: a managed image ({@code managedRootfs}) or a built image's version
 * ({@code parentDir}), with what the build inherits from it.
 */
record Base(String arn, String name, String version, int vcpus, int memoryMib, Path managedRootfs, Path parentDir,
            Map<String, String> environment) {}
