package io.ember.arn;

import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The ARN of one of Ember's Lambda resources, in AWS's form
 * {@code arn:<partition>:lambda:<region>:<account>:<type>:<resource>}: a microVM ({@code microvm:mvm-…}), an image
 * ({@code microvm-image:<name>}; the managed ones have account {@code aws}) or a network connector
 * ({@code network-connector:nc-…}, or the managed {@code network-connector:aws-network-connector:<NAME>}).
 *
 * <p>Read in every form a client may hold: any partition and any region (an example copied from another region's
 * documentation names the same resource here; the account decides whose it is), and Ember's older forms
 * ({@code arn:aws:lambda:local:<account>:microvm/<id>}, {@code …:microvm-image/<name>}). Kept in the store
 * {@link #canonical() without a region}, so that the server's region ({@link Region}) is put in only when answered
 * and a data directory keeps its meaning under another {@code --region}.
 *
 * @param account 12 digits (a tenant's id), or {@code aws} for what AWS (here: the server) manages
 * @param type {@link #MICROVM}, {@link #IMAGE} or {@link #CONNECTOR}
 * @param resource what follows the type: an id, a name, or {@code aws-network-connector:<NAME>}
 */
public record LambdaArn(String account, String type, String resource) {
    public static final String MICROVM = "microvm";
    public static final String IMAGE = "microvm-image";
    public static final String CONNECTOR = "network-connector";
    /** The model's limit on an {@code imageIdentifier} or {@code microvmIdentifier} (a name, an id or an ARN). */
    public static final int MAX_IDENTIFIER = 256;
    /** The account of what the server manages (managed images and connectors), as AWS writes its own. */
    public static final String MANAGED_ACCOUNT = "aws";

    private static final Set<String> TYPES = Set.of(MICROVM, IMAGE, CONNECTOR);
    /** Ember's older forms wrote a slash after these types. */
    private static final Set<String> SLASHED = Set.of(MICROVM, IMAGE);
    // partition and region: AWS's own ARN pattern allows [a-z0-9-]; the region may be empty (the stored form) or
    // "local" (Ember's older form). The resource: AWS's [^\s]+.
    private static final Pattern FORM = Pattern.compile(
            "arn:[a-z0-9-]{1,32}:lambda:[a-z0-9-]{0,32}:([0-9]{12}|aws):([a-z-]{1,32})([:/])(\\S{1,1024})");

    public LambdaArn {
        if (!TYPES.contains(type)) throw new IllegalArgumentException("not a Lambda MicroVMs resource type: " + type);
        if (account == null || !(account.equals(MANAGED_ACCOUNT) || account.matches("[0-9]{12}")))
            throw new IllegalArgumentException("an ARN's account is 12 digits or 'aws', got " + account);
        if (resource == null || resource.isEmpty() || resource.chars().anyMatch(Character::isWhitespace))
            throw new IllegalArgumentException("an ARN's resource must be non-empty without spaces");
    }

    /** The ARN {@code text} names; empty when it is not a Lambda MicroVMs ARN in a form above (a name, an id, …). */
    public static Optional<LambdaArn> parse(String text) {
        if (text == null || !text.startsWith("arn:")) return Optional.empty();
        Matcher m = FORM.matcher(text);
        if (!m.matches() || !TYPES.contains(m.group(2))) return Optional.empty();
        if (m.group(3).equals("/") && !SLASHED.contains(m.group(2))) return Optional.empty();
        return Optional.of(new LambdaArn(m.group(1), m.group(2), m.group(4)));
    }

    /** Of a given type only. */
    public static Optional<LambdaArn> parse(String text, String type) {
        return parse(text).filter(a -> a.type.equals(type));
    }

    /** An ARN in any accepted form as stored ({@link #canonical()}); anything else (a name, an id) unchanged. */
    public static String normalize(String identifier) {
        return parse(identifier).map(LambdaArn::canonical).orElse(identifier);
    }

    /** The stored form: partition {@code aws}, no region. */
    public String canonical() {
        return "arn:aws:lambda::" + account + ":" + type + ":" + resource;
    }

    /** As answered by a server in {@code region}. */
    public String in(Region region) {
        return "arn:aws:lambda:" + region.name() + ":" + account + ":" + type + ":" + resource;
    }

    public static String microvm(String account, String id) {
        return new LambdaArn(account, MICROVM, id).canonical();
    }

    public static String image(String account, String name) {
        return new LambdaArn(account, IMAGE, name).canonical();
    }

    public boolean isManaged() {
        return account.equals(MANAGED_ACCOUNT);
    }
}
