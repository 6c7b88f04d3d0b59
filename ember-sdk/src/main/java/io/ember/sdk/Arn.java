package io.ember.sdk;

import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An ARN of a Lambda MicroVMs resource, in AWS's form {@code arn:<partition>:lambda:<region>:<account>:<type>:<resource>}:
 * {@code microvm:<microvmId>}, {@code microvm-image:<name>} (account {@code aws} for the managed images) and
 * {@code network-connector:<id>} (or the managed {@code network-connector:aws-network-connector:<NAME>}).
 * {@link #parse} also reads the form Ember answered before it named a region ({@code arn:aws:lambda:local:<account>:microvm/<id>},
 * {@code ...:microvm-image/<name>}); the server takes ARNs of any region (docs/api.md, "ARNs").
 */
public record Arn(String partition, String region, String account, String resourceType, String resource) {
    public static final String MICROVM = "microvm";
    public static final String IMAGE = "microvm-image";
    public static final String CONNECTOR = "network-connector";
    /** The account of managed images and connectors. */
    public static final String MANAGED_ACCOUNT = "aws";
    private static final Pattern FORM = Pattern.compile(
            "arn:([a-z0-9-]{1,32}):lambda:([a-z0-9-]{0,32}):([0-9]{12}|aws):(microvm|microvm-image|network-connector)([:/])(\\S+)");

    public Arn {
        Objects.requireNonNull(partition, "partition");
        Objects.requireNonNull(region, "region");
        Objects.requireNonNull(account, "account");
        Objects.requireNonNull(resourceType, "resourceType");
        Objects.requireNonNull(resource, "resource");
    }

    /** Empty when {@code text} is not such an ARN (a name, an id, another service's ARN). */
    public static Optional<Arn> parse(String text) {
        Matcher m = text == null ? null : FORM.matcher(text);
        if (m == null || !m.matches()) return Optional.empty();
        if (m.group(5).equals("/") && m.group(4).equals(CONNECTOR)) return Optional.empty();
        return Optional.of(new Arn(m.group(1), m.group(2), m.group(3), m.group(4), m.group(6)));
    }

    public static Arn microvm(String region, String account, String microvmId) {
        return new Arn("aws", region, account, MICROVM, microvmId);
    }

    public static Arn image(String region, String account, String name) {
        return new Arn("aws", region, account, IMAGE, name);
    }

    /** A managed image ({@code busybox}, {@code debian}). */
    public static Arn managedImage(String region, String name) {
        return image(region, MANAGED_ACCOUNT, name);
    }

    /** A managed connector: HTTP_INGRESS, ALL_INGRESS, SHELL_INGRESS, INTERNET_EGRESS. */
    public static Arn managedConnector(String region, String name) {
        return new Arn("aws", region, MANAGED_ACCOUNT, CONNECTOR, "aws-network-connector:" + name);
    }

    /** This ARN in another region (the server takes any; its answers carry its own). */
    public Arn inRegion(String otherRegion) {
        return new Arn(partition, otherRegion, account, resourceType, resource);
    }

    @Override
    public String toString() {
        return "arn:" + partition + ":lambda:" + region + ":" + account + ":" + resourceType + ":" + resource;
    }
}
