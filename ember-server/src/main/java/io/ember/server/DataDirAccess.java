package io.ember.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.nio.file.attribute.UserPrincipal;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The data directory is the server's alone (docs/jail.md, "Files"): the directory 0700, and nothing of root's inside
 * readable by anyone else, whatever mode an earlier server or the JVM's umask gave it. A suspended guest's memory can
 * hold its secrets; the database holds sealed keys. Left alone: files a jailed VM owns (its own disk and RAM, 0600 to
 * its uid), the group read an image's files give the VMs of that image, and the pinned public base images in
 * {@code bases/} (hard links to the assets: changing their mode would change the assets').
 */
final class DataDirAccess {
    private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;

    private DataDirAccess() {}

    static void restrict(Path dataDir) throws IOException {
        Files.createDirectories(dataDir);
        Files.setPosixFilePermissions(dataDir, EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE,
                PosixFilePermission.OWNER_EXECUTE));
        PosixFileAttributes self = Files.readAttributes(dataDir, PosixFileAttributes.class, NOFOLLOW);
        Path bases = dataDir.resolve("bases");
        try (Stream<Path> all = Files.walk(dataDir)) {
            all.filter(p -> !p.startsWith(bases)).forEach(p -> restrictOne(p, self.owner(), self.group()));
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    private static void restrictOne(Path p, UserPrincipal server, GroupPrincipal serverGroup) {
        try {
            PosixFileAttributes a = Files.readAttributes(p, PosixFileAttributes.class, NOFOLLOW);
            if (a.isSymbolicLink() || !a.owner().equals(server)) return;
            // A hard link shares its inode (and mode) with a file outside: Ember's public base images are pinned that way
            if (a.isRegularFile() && (Integer) Files.getAttribute(p, "unix:nlink", NOFOLLOW) > 1) return;
            Set<PosixFilePermission> perms = EnumSet.noneOf(PosixFilePermission.class);
            perms.addAll(a.permissions());
            boolean changed = perms.removeAll(EnumSet.of(PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE,
                    PosixFilePermission.OTHERS_EXECUTE));
            if (a.group().equals(serverGroup))
                changed |= perms.removeAll(EnumSet.of(PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE,
                        PosixFilePermission.GROUP_EXECUTE));
            if (changed) Files.setPosixFilePermissions(p, perms);
        } catch (IOException e) {
            // gone meanwhile: nothing to restrict
        }
    }
}
