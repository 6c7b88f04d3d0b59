package io.ember.jail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.Map;

/**
 * The uids and gids Ember hands out, from the range it owns. A VM's uid is the owner of its work directory and an
 * image's gid the group of its shared files, so the file system is the record: nothing to persist, and a restart
 * learns what is taken by {@link #reserve}. Ids are drawn at random from a range of millions, and a drawn id that
 * is still held (its file still exists with that owner) is drawn again.
 */
final class Ids {
    private final int base;
    private final int count;
    private final SecureRandom random = new SecureRandom();
    /** id -> the file that holds it (a VM's work directory, an image's shared file). */
    private final Map<Integer, Path> held = new HashMap<>();

    Ids(int base, int count) {
        this.base = base;
        this.count = count;
    }

    boolean inRange(long id) {
        return id >= base && id < (long) base + count;
    }

    /** Records that {@code holder} holds {@code id} (found on disk). */
    synchronized void reserve(int id, Path holder) {
        if (inRange(id)) held.put(id, holder);
    }

    /** A fresh id, recorded as held by {@code holder}. */
    synchronized int allocate(Path holder, boolean group) throws JailException {
        for (int attempt = 0; attempt < 1000; attempt++) {
            int id = base + random.nextInt(count);
            Path other = held.get(id);
            if (other != null && stillHolds(other, id, group)) continue;
            held.put(id, holder);
            return id;
        }
        throw new JailException("no free id in Ember's range " + base + ".." + ((long) base + count - 1) + " after 1000 draws");
    }

    private static boolean stillHolds(Path holder, int id, boolean group) {
        try {
            Object v = Files.getAttribute(holder, group ? "unix:gid" : "unix:uid", LinkOption.NOFOLLOW_LINKS);
            return v instanceof Integer i && i == id;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }
}
