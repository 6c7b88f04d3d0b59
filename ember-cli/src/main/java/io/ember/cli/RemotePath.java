package io.ember.cli;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code ID:PATH} where ID is a microVM id ({@code mvm-...}) or its ARN ({@code arn:aws:lambda:<region>:<account>:microvm:mvm-...},
 * or the older {@code ...:microvm/mvm-...}); anything else is a local path.
 */
record RemotePath(String microvmId, String path) {
    private static final Pattern SPEC = Pattern.compile("^(mvm-[A-Za-z0-9]+|arn:[^\\s/]*?:microvm[:/][A-Za-z0-9-]+):(.*)$", Pattern.DOTALL);

    static Optional<RemotePath> parse(String arg) {
        Matcher m = SPEC.matcher(arg);
        return m.matches() ? Optional.of(new RemotePath(m.group(1), m.group(2))) : Optional.empty();
    }

    /** The last path element, for copying into a directory. */
    String fileName() {
        String p = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        return p.substring(p.lastIndexOf('/') + 1);
    }
}
