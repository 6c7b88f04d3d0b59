package io.ember.sdk;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The default way to find keys, as the AWS CLI does plus Ember's local-admin file, first found wins:
 * <ol>
 *   <li>{@code AWS_ACCESS_KEY_ID} and {@code AWS_SECRET_ACCESS_KEY} in the environment (skipped when a profile is
 *       named with {@link #withProfile}, as {@code --profile} does in the AWS CLI);</li>
 *   <li>the profile ({@link #withProfile}, else {@code AWS_PROFILE}, else {@code default}) in the shared credentials
 *       file ({@code AWS_SHARED_CREDENTIALS_FILE}, default {@code ~/.aws/credentials}), then in the config file
 *       ({@code AWS_CONFIG_FILE}, default {@code ~/.aws/config}, section {@code [profile NAME]});</li>
 *   <li>the file the server writes at first start, {@code $EMBER_DATA_DIR/credentials} (default
 *       {@code /var/lib/ember/credentials}), profile {@value #ADMIN_PROFILE} (or the profile named) when readable:
 *       the local administrator's keys.</li>
 * </ol>
 * The region comes from {@code AWS_REGION}, {@code AWS_DEFAULT_REGION}, the profile's {@code region} in the config
 * file, else {@value #DEFAULT_REGION} (Ember accepts any region).
 */
public final class CredentialsChain implements CredentialsProvider {
    public static final String ADMIN_PROFILE = "ember-admin";
    public static final String DEFAULT_REGION = "local";
    static final String DEFAULT_DATA_DIR = "/var/lib/ember";

    private final Map<String, String> env;
    private final Path home;
    private final String profile;

    private CredentialsChain(Map<String, String> env, Path home, String profile) {
        this.env = Map.copyOf(env);
        this.home = home;
        this.profile = profile;
    }

    /** From this process's environment and home directory. */
    public static CredentialsChain standard() {
        return of(System.getenv());
    }

    /** From the given environment; the home directory is its {@code HOME}, else the {@code user.home} property. */
    public static CredentialsChain of(Map<String, String> env) {
        String h = env.get("HOME");
        return new CredentialsChain(env, Path.of(h != null && !h.isBlank() ? h : System.getProperty("user.home")), null);
    }

    /** Names the profile to use (null or blank: {@code AWS_PROFILE}, else {@code default}). */
    public CredentialsChain withProfile(String name) {
        return new CredentialsChain(env, home, name == null || name.isBlank() ? null : name);
    }

    /** The profile looked up in the files. */
    public String profileName() {
        if (profile != null) return profile;
        String p = env(("AWS_PROFILE"));
        return p != null ? p : "default";
    }

    @Override
    public Credentials resolve() {
        List<String> looked = new ArrayList<>();
        if (profile == null) {
            String id = env("AWS_ACCESS_KEY_ID"), secret = env("AWS_SECRET_ACCESS_KEY");
            if (id != null && secret != null) return new Credentials(id, secret);
            looked.add("the environment (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
                    + (id != null ? ": AWS_SECRET_ACCESS_KEY is not set)" : secret != null ? ": AWS_ACCESS_KEY_ID is not set)" : ")"));
        }
        String name = profileName();
        Path credentialsFile = file("AWS_SHARED_CREDENTIALS_FILE", "credentials");
        Optional<Credentials> c = keys(credentialsFile, name, name, looked);
        if (c.isPresent()) return c.get();
        Path config = file("AWS_CONFIG_FILE", "config");
        c = keys(config, name.equals("default") ? "default" : "profile " + name, name, looked);
        if (c.isPresent()) return c.get();
        String adminProfile = profile != null || env("AWS_PROFILE") != null ? name : ADMIN_PROFILE;
        Path dataDir = Path.of(Optional.ofNullable(env("EMBER_DATA_DIR")).orElse(DEFAULT_DATA_DIR));
        c = keys(dataDir.resolve("credentials"), adminProfile, adminProfile, looked);
        if (c.isPresent()) return c.get();
        throw new MissingCredentialsException("No Ember credentials found. Looked in: " + String.join("; ", looked)
                + ". Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, add the profile to " + credentialsFile
                + ", or name another profile (AWS_PROFILE, --profile).");
    }

    /** The region to sign for. */
    public String region() {
        String r = env("AWS_REGION");
        if (r == null) r = env("AWS_DEFAULT_REGION");
        if (r != null) return r;
        String name = profileName();
        Map<String, String> section = Ini.read(file("AWS_CONFIG_FILE", "config"))
                .get(name.equals("default") ? "default" : "profile " + name);
        String fromConfig = section == null ? null : section.get("region");
        return fromConfig == null || fromConfig.isBlank() ? DEFAULT_REGION : fromConfig.strip();
    }

    private Optional<Credentials> keys(Path file, String section, String profileName, List<String> looked) {
        if (!Files.isReadable(file)) {
            looked.add(file + " (" + (Files.exists(file) ? "not readable" : "missing") + ")");
            return Optional.empty();
        }
        Map<String, String> s = Ini.read(file).get(section);
        String id = s == null ? null : blankToNull(s.get("aws_access_key_id"));
        String secret = s == null ? null : blankToNull(s.get("aws_secret_access_key"));
        if (id != null && secret != null) return Optional.of(new Credentials(id, secret));
        looked.add(file + " (" + (s == null ? "no profile " + profileName : "profile " + profileName
                + " lacks aws_access_key_id or aws_secret_access_key") + ")");
        return Optional.empty();
    }

    private Path file(String variable, String name) {
        String f = env(variable);
        return f != null ? Path.of(f) : home.resolve(".aws").resolve(name);
    }

    private String env(String name) {
        return blankToNull(env.get(name));
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }

    /** The AWS flavour of INI: {@code [section]}, {@code key = value}, comments after # or ; at a line's start. */
    static final class Ini {
        private Ini() {}

        static Map<String, Map<String, String>> read(Path file) {
            List<String> lines;
            try {
                if (!Files.isReadable(file) || Files.size(file) > 1 << 20) return Map.of();
                lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            } catch (IOException | java.io.UncheckedIOException e) {
                return Map.of();
            }
            return parse(lines);
        }

        static Map<String, Map<String, String>> parse(List<String> lines) {
            Map<String, Map<String, String>> sections = new HashMap<>();
            Map<String, String> current = null;
            for (String raw : lines) {
                String line = raw.strip();
                if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) continue;
                if (line.startsWith("[") && line.endsWith("]")) {
                    String name = line.substring(1, line.length() - 1).strip().replaceAll("\\s+", " ");
                    current = sections.computeIfAbsent(name, k -> new HashMap<>());
                } else if (current != null && !Character.isWhitespace(raw.charAt(0))) {
                    int eq = line.indexOf('=');
                    if (eq > 0) current.put(line.substring(0, eq).strip().toLowerCase(java.util.Locale.ROOT), line.substring(eq + 1).strip());
                }
            }
            return sections;
        }
    }
}
