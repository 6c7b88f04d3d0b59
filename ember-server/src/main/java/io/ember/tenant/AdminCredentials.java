package io.ember.tenant;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The admin's key, written where the host's owner finds it: {@code <data>/credentials}, an AWS
 * shared-credentials file (profile {@code ember-admin}, mode 0600), as a cluster writes its first
 * kubeconfig. The CLI reads it when no other credentials are set; AWS tools take it with
 * {@code AWS_SHARED_CREDENTIALS_FILE} and {@code AWS_PROFILE=ember-admin}.
 */
public final class AdminCredentials {
    public static final String FILE = "credentials";
    public static final String PROFILE = "ember-admin";
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(AdminCredentials.class);

    private AdminCredentials() {}

    /** Makes an admin key when the admin has no active one (first start, or all revoked) and writes the file. */
    public static void ensure(Tenants tenants, Path dataDir) {
        tenants.ensureAdminKey().ifPresent(k -> {
            write(dataDir.resolve(FILE), k);
            log.info("admin access key {} written to {} (profile {})", k.id(), dataDir.resolve(FILE), PROFILE);
        });
    }

    static void write(Path file, NewAccessKey key) {
        String text = "# Written by ember server: the admin tenant's access key. Keep it private.\n"
                + "[" + PROFILE + "]\naws_access_key_id = " + key.id() + "\naws_secret_access_key = " + key.secret() + "\n";
        Path tmp = file.resolveSibling(FILE + ".tmp");
        try {
            Files.deleteIfExists(tmp);
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the admin credentials " + file, e);
        }
    }
}
