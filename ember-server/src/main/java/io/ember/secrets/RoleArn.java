package io.ember.secrets;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** An Ember execution role's ARN, {@code arn:aws:iam::<tenantId>:role/<name>}, taken apart. */
record RoleArn(String tenantId, String name) {
    private static final Pattern ARN = Pattern.compile("arn:aws:iam::(\\d{12}):role/(" + Secrets.ROLE_NAME + ")");

    /** Null when {@code arn} is not of that form. */
    static RoleArn parse(String arn) {
        Matcher m = arn == null ? null : ARN.matcher(arn);
        return m != null && m.matches() ? new RoleArn(m.group(1), m.group(2)) : null;
    }

    static String of(String tenantId, String name) {
        return "arn:aws:iam::" + tenantId + ":role/" + name;
    }
}
