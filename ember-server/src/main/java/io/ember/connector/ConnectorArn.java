package io.ember.connector;

import io.ember.arn.LambdaArn;
import io.ember.egress.EgressPolicy;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A network connector's ARN, as RunMicrovm and images take it (docs/connectors.md). Two forms, as AWS has them:
 * managed, {@code arn:aws:lambda:<region>:aws:network-connector:aws-network-connector:<NAME>}, and a tenant's own,
 * {@code arn:aws:lambda:<region>:<account>:network-connector:<connector-id>}. Any region and partition are read (the
 * managed connectors mean the same everywhere; an own connector is its account's); {@link #arn} is the stored form,
 * without a region ({@link io.ember.arn.Region} renders it). A bare name ("SHELL_INGRESS") is not an ARN: AWS refuses
 * it ("Malformed network connector ARN") and so does Ember.
 *
 * @param arn the stored form (no region)
 * @param managed the managed connector named, null for a tenant's own
 * @param account the owner's account id, null for a managed one
 * @param connectorId the tenant connector's id, null for a managed one
 */
public record ConnectorArn(String arn, Managed managed, String account, String connectorId) {
    private static final String MANAGED_PREFIX = "aws-network-connector:";
    private static final Pattern MANAGED_NAME = Pattern.compile("[A-Z_]{1,32}");
    private static final Pattern OWN_ID = Pattern.compile("nc-[0-9a-f]{24}");
    public static final String EXPECTED = "arn:aws:lambda:<region>:aws:network-connector:aws-network-connector:<NAME> "
            + "(NAME one of HTTP_INGRESS, ALL_INGRESS, SHELL_INGRESS, INTERNET_EGRESS) or "
            + "arn:aws:lambda:<region>:<account>:network-connector:nc-<24 hex digits>";

    /** The connectors AWS manages, and what each lets through. */
    public enum Managed {
        /** The endpoint serves the application's traffic (the default ingress). */
        HTTP_INGRESS(true, true, false),
        /** The application's traffic and shell tokens. */
        ALL_INGRESS(true, true, true),
        /** Shell tokens (CreateMicrovmShellAuthToken) only. */
        SHELL_INGRESS(true, false, true),
        /** Public internet over TCP, DNS through Ember's resolver, no UDP ({@link EgressPolicy#INTERNET}; the default egress). */
        INTERNET_EGRESS(false, false, false);

        public final boolean ingress, application, shell;

        Managed(boolean ingress, boolean application, boolean shell) {
            this.ingress = ingress;
            this.application = application;
            this.shell = shell;
        }

        /** This connector's ARN as stored (no region). */
        public String arn() {
            return new LambdaArn(LambdaArn.MANAGED_ACCOUNT, LambdaArn.CONNECTOR, MANAGED_PREFIX + name()).canonical();
        }

        /** This connector's ARN as a server in {@code region} answers it. */
        public String arn(io.ember.arn.Region region) {
            return region.render(arn());
        }
    }

    /** IllegalArgumentException naming the expected forms when {@code arn} is neither. */
    public static ConnectorArn parse(String arn) {
        if (arn == null) throw new IllegalArgumentException("a network connector ARN is required");
        LambdaArn a = LambdaArn.parse(arn, LambdaArn.CONNECTOR)
                .orElseThrow(() -> new IllegalArgumentException("Malformed network connector ARN '" + arn + "' (expected " + EXPECTED + ")"));
        if (a.isManaged()) {
            String name = a.resource().startsWith(MANAGED_PREFIX) ? a.resource().substring(MANAGED_PREFIX.length()) : "";
            if (!MANAGED_NAME.matcher(name).matches())
                throw new IllegalArgumentException("Malformed network connector ARN '" + arn + "' (expected " + EXPECTED + ")");
            for (Managed x : Managed.values()) if (x.name().equals(name)) return new ConnectorArn(a.canonical(), x, null, null);
            throw new IllegalArgumentException("'" + arn + "' names no managed network connector (expected " + EXPECTED + ")");
        }
        if (OWN_ID.matcher(a.resource()).matches()) return new ConnectorArn(a.canonical(), null, a.account(), a.resource());
        throw new IllegalArgumentException("Malformed network connector ARN '" + arn + "' (expected " + EXPECTED + ")");
    }

    /** The ARN of a tenant's own connector, as stored (no region). */
    public static String of(String account, String connectorId) {
        return new LambdaArn(account, LambdaArn.CONNECTOR, connectorId).canonical();
    }

    public boolean isManaged() {
        return managed != null;
    }

    /**
     * What the ingress connectors of a microVM let in.
     *
     * @param application the endpoint forwards application traffic (HTTP_INGRESS or ALL_INGRESS attached)
     * @param shell CreateMicrovmShellAuthToken is allowed (SHELL_INGRESS or ALL_INGRESS attached)
     */
    public record Ingress(boolean application, boolean shell) {
        /** Of valid ingress ARNs (ones that are not managed ingress connectors add nothing). */
        public static Ingress of(List<String> arns) {
            boolean app = false, shell = false;
            for (String a : arns) {
                Managed x;
                try {
                    x = parse(a).managed();
                } catch (IllegalArgumentException e) {
                    continue;
                }
                if (x != null && x.ingress) {
                    app |= x.application;
                    shell |= x.shell;
                }
            }
            return new Ingress(app, shell);
        }
    }
}
