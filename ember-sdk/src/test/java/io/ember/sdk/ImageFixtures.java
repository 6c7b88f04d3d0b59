package io.ember.sdk;

/** Wire answers of the image operations, shared with the CLI's tests through the test jar. */
public final class ImageFixtures {
    public static final String ARN = "arn:aws:lambda:us-east-1:000000000000:microvm-image:demo";
    /** {@link #ARN} as one encoded path segment. */
    public static final String ARN_SEGMENT = "arn%3Aaws%3Alambda%3Aus-east-1%3A000000000000%3Amicrovm-image%3Ademo";

    private ImageFixtures() {}

    public static String image(String state) {
        return "{\"imageArn\":\"" + ARN + "\",\"name\":\"demo\",\"state\":\"" + state + "\","
                + "\"latestActiveImageVersion\":\"1\",\"createdAt\":1767225600.5,\"updatedAt\":1767225660,"
                + "\"tags\":{\"team\":\"a\"},\"futureField\":[1]}";
    }

    /** CreateMicrovmImage's or UpdateMicrovmImage's answer for {@code version}. */
    public static String started(String version) {
        return "{\"imageArn\":\"" + ARN + "\",\"name\":\"demo\",\"state\":\"" + ("1".equals(version) ? "CREATING" : "UPDATING")
                + "\",\"imageVersion\":\"" + version + "\",\"baseImageArn\":\"arn:aws:lambda:us-east-1:aws:microvm-image:debian\","
                + "\"codeArtifact\":{\"uri\":\"ember-upload://upl-0123456789abcdef01234567\"},"
                + "\"resources\":[{\"minimumMemoryInMiB\":512,\"vcpus\":2}],\"environmentVariables\":{\"A\":\"1\"},"
                + "\"createdAt\":1767225600.5,\"updatedAt\":1767225600.5}";
    }

    public static String version(String version, String state, String stateReason) {
        return "{\"imageArn\":\"" + ARN + "\",\"imageVersion\":\"" + version + "\",\"state\":\"" + state + "\","
                + "\"status\":\"ACTIVE\",\"baseImageArn\":\"arn:aws:lambda:us-east-1:aws:microvm-image:debian\","
                + "\"codeArtifact\":{\"uri\":\"ember-upload://upl-0123456789abcdef01234567\"},"
                + (stateReason == null ? "" : "\"stateReason\":\"" + stateReason + "\",")
                + "\"resources\":[{\"minimumMemoryInMiB\":512}],\"createdAt\":1767225600}";
    }

    public static String build(String version, String buildId, String state) {
        return "{\"imageArn\":\"" + ARN + "\",\"imageVersion\":\"" + version + "\",\"buildId\":\"" + buildId + "\","
                + "\"buildState\":\"" + state + "\",\"architecture\":\"X86_64\",\"chipset\":\"GENERIC\","
                + "\"chipsetGeneration\":\"1\",\"createdAt\":1767225600"
                + ("SUCCESSFUL".equals(state) ? ",\"snapshotBuild\":{\"memorySnapshotSizeInBytes\":134217728,"
                        + "\"codeInstallSizeInBytes\":2048,\"diskSnapshotSizeInBytes\":5000000000}" : "")
                + "}";
    }
}
