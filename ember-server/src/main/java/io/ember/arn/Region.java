package io.ember.arn;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The region a server answers as ({@code ember server --region}, default {@value #DEFAULT_NAME}): the one in every ARN
 * it returns. Requests may name any region (docs/api.md, "ARNs"): the signature's region is the client's choice, and
 * an ARN from another region's example names the same resource here.
 */
public record Region(String name) {
    public static final String DEFAULT_NAME = "us-east-1";
    /** AWS's region names: us-east-1, eu-west-1, ap-southeast-2, us-gov-west-1, cn-north-1, us-isob-east-1, … */
    private static final Pattern FORM = Pattern.compile("[a-z]{2}(-[a-z]{1,16}){1,3}-[0-9]{1,2}");
    private static final Pattern SECRET = Pattern.compile("arn:[a-z0-9-]{1,32}:secretsmanager:[a-z0-9-]{0,32}:([0-9]{12}):secret:(\\S+)");
    public static final Region DEFAULT = new Region(DEFAULT_NAME); // after FORM, which its constructor reads

    public Region {
        if (name == null || !FORM.matcher(name).matches())
            throw new IllegalArgumentException("region must be an AWS region name such as us-east-1 or eu-west-1, got '"
                    + name + "'");
    }

    /** {@code text} as this server answers it: a Lambda or secret ARN in this region; anything else unchanged. */
    public String render(String text) {
        if (text == null || !text.startsWith("arn:")) return text;
        var lambda = LambdaArn.parse(text);
        if (lambda.isPresent()) return lambda.get().in(this);
        Matcher s = SECRET.matcher(text);
        if (s.matches()) return secretArn(s.group(1), s.group(2));
        return text;
    }

    public List<String> render(List<String> texts) {
        return texts == null ? null : texts.stream().map(this::render).toList();
    }

    /** The ARN of a tenant's secret (docs/secrets.md), in this region. */
    public String secretArn(String account, String name) {
        return "arn:aws:secretsmanager:" + this.name + ":" + account + ":secret:" + name;
    }

    /** A secret's ARN from any region and partition: {account, name}; null when {@code text} is not one. */
    public static String[] parseSecretArn(String text) {
        Matcher s = text == null ? null : SECRET.matcher(text);
        return s != null && s.matches() ? new String[] {s.group(1), s.group(2)} : null;
    }

    @Override
    public String toString() {
        return name;
    }
}
