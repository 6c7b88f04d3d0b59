package io.ember.connector;

import io.ember.egress.EgressPolicy;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A network connector's ARN, as RunMicrovm and images take it (docs/connectors.md). Two forms, as AWS has them:
 * managed, {@code arn:aws:lambda:<region>:aws:network-connector:aws-network-connector:<NAME>} (any region name: the
 * managed connectors mean the same everywhere), and a tenant's own,
 * {@code arn:aws:lambda:local:<account>:network-connector:<connector-id>}. A bare name ("SHELL_INGRESS") is not an
 * ARN: AWS refuses it ("Malformed network connector ARN") and so does Ember.
 *
 * @param managed the managed connector named, null for a tenant's own
 * @param account the owner's account id, null for a managed one
 * @param connectorId the tenant connector's id, null for a managed one
 */
public record ConnectorArn(String arn, Managed managed, String account, String connectorId) {
    public static final String REGION = "local";
    static final Pattern MANAGED = Pattern.compile(
            "arn:aws:lambda:[a-z0-9-]{1,32}:aws:network-connector:aws-network-connector:([A-Z_]{1,32})");
    static final Pattern OWN = Pattern.compile("arn:aws:lambda:" + REGION + ":([0-9]{12}):network-connector:(nc-[0-9a-f]{24})");
    public static final String EXPECTED = "arn:aws:lambda:<region>:aws:network-connector:aws-network-connector:<NAME> "
            + "(NAME one of HTTP_INGRESS, ALL_INGRESS, SHELL_INGRESS, INTERNET_EGRESS) or "
            + "arn:aws:lambda:" + REGION + ":<account>:network-connector:nc-<24 hex digits>";

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

        /** This connector's ARN in Ember's region. */
        public String arn() {
            return "arn:aws:lambda:" + REGION + ":aws:network-connector:aws-network-connector:" + name();
        }
    }

    /** IllegalArgumentException naming the expected forms when {@code arn} is neither. */
    public static ConnectorArn parse(String arn) {
        if (arn == null) throw new IllegalArgumentException("a network connector ARN is required");
        Matcher m = MANAGED.matcher(arn);
        if (m.matches()) {
            for (Managed x : Managed.values()) if (x.name().equals(m.group(1))) return new ConnectorArn(arn, x, null, null);
            throw new IllegalArgumentException("'" + arn + "' names no managed network connector (expected " + EXPECTED + ")");
        }
        Matcher o = OWN.matcher(arn);
        if (o.matches()) return new ConnectorArn(arn, null, o.group(1), o.group(2));
        throw new IllegalArgumentException("Malformed network connector ARN '" + arn + "' (expected " + EXPECTED + ")");
    }

    /** The ARN of a tenant's own connector. */
    public static String of(String account, String connectorId) {
        return "arn:aws:lambda:" + REGION + ":" + account + ":network-connector:" + connectorId;
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
                Matcher m = MANAGED.matcher(a);
                if (!m.matches()) continue;
                for (Managed x : Managed.values()) {
                    if (x.ingress && x.name().equals(m.group(1))) {
                        app |= x.application;
                        shell |= x.shell;
                    }
                }
            }
            return new Ingress(app, shell);
        }
    }
}
