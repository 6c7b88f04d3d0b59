package io.ember.image;

import io.ember.tenant.Tenant;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Code zips uploaded through {@code POST /ember/v1/uploads}, kept in {@code <data>/uploads/<uploadId>.<tenantId>.zip},
 * and the resolution of a code artifact URI ({@code ember-upload://<uploadId>}, the caller's own uploads only; or, for
 * the admin tenant only, {@code file:///absolute/path.zip}) to a file. A tenant must not read the host's files nor
 * another tenant's code through a URI.
 *
 * <p>Each tenant's uploads are bounded by its quotas ({@link Limits}: how many it keeps, and their bytes, counted as
 * they stream in, so that an upload over the bound stops there), and each upload lives {@link #LIFETIME} from its
 * end: a sweep at start and every {@link #SWEEP_EVERY} while the server runs removes older ones. No build needs an
 * upload once its CreateMicrovmImage or UpdateMicrovmImage is accepted (the version copies the zip then).
 */
public final class Uploads {
    public static final long MAX_BYTES = 512L << 20;
    /** How long an upload is kept after it ended. */
    public static final Duration LIFETIME = Duration.ofHours(24);
    /** How often old uploads are looked for while the server runs. */
    static final Duration SWEEP_EVERY = Duration.ofMinutes(10);
    static final String SCHEME = "ember-upload://";
    private static final Pattern ID = Pattern.compile("upl-[0-9a-f]{24}");
    private static final Pattern FILE = Pattern.compile("(upl-[0-9a-f]{24})\\.([0-9]{12})\\.zip");

    private final Path dir;
    /** Per tenant: uploads kept or streaming, and their bytes; read from the directory on a tenant's first upload. */
    private final Map<String, long[]> usage = new HashMap<>();

    Uploads(Path dir) {
        this.dir = dir;
    }

    public record Upload(String uploadId, String uri, long sizeInBytes) {}

    /** A tenant's upload quotas. */
    public record Limits(int maxUploads, long maxBytes) {
        public static final Limits NONE = new Limits(Integer.MAX_VALUE, Long.MAX_VALUE);
    }

    /** As {@link #store(String, InputStream, Limits)} without quotas (the admin's tools, tests). */
    public Upload store(String tenantId, InputStream body) throws IOException {
        return store(tenantId, body, Limits.NONE);
    }

    /**
     * Streams {@code body} to disk; INVALID when larger than {@link #MAX_BYTES} or not a zip, QUOTA_EXCEEDED when the
     * tenant has {@code limits.maxUploads()} uploads already or its uploads would pass {@code limits.maxBytes()}: then
     * nothing is kept of it.
     */
    public Upload store(String tenantId, InputStream body, Limits limits) throws IOException {
        Files.createDirectories(dir);
        reserve(tenantId, limits);
        String id = ImageIds.newId("upl-");
        Path tmp = dir.resolve(id + ".tmp");
        long size = 0;
        boolean kept = false;
        byte[] buf = new byte[1 << 16];
        try {
            try (OutputStream out = Files.newOutputStream(tmp)) {
                int n;
                while ((n = body.read(buf)) > 0) {
                    if (size + n > MAX_BYTES) throw ImageException.invalid("the upload is larger than " + MAX_BYTES + " bytes");
                    grow(tenantId, n, limits);
                    size += n;
                    out.write(buf, 0, n);
                }
            }
            byte[] magic;
            try (InputStream in = Files.newInputStream(tmp)) {
                magic = in.readNBytes(4);
            }
            if (magic.length < 4 || magic[0] != 'P' || magic[1] != 'K') throw ImageException.invalid("the upload is not a zip file");
            Files.move(tmp, file(id, tenantId), StandardCopyOption.ATOMIC_MOVE);
            kept = true;
            return new Upload(id, SCHEME + id, size);
        } finally {
            if (!kept) {
                Files.deleteIfExists(tmp);
                release(tenantId, size);
            }
        }
    }

    private synchronized long[] usage(String tenantId) throws IOException {
        long[] u = usage.get(tenantId);
        if (u == null) {
            u = new long[2];
            if (Files.isDirectory(dir)) {
                try (var files = Files.list(dir)) {
                    for (Path p : (Iterable<Path>) files::iterator) {
                        var m = FILE.matcher(p.getFileName().toString());
                        if (m.matches() && m.group(2).equals(tenantId)) {
                            u[0]++;
                            u[1] += Files.size(p);
                        }
                    }
                }
            }
            usage.put(tenantId, u);
        }
        return u;
    }

    private synchronized void reserve(String tenantId, Limits limits) throws IOException {
        long[] u = usage(tenantId);
        if (u[0] >= limits.maxUploads()) {
            throw ImageException.quotaExceeded("the tenant keeps " + u[0] + " uploads, its limit (maxUploads " + limits.maxUploads()
                    + "); they expire " + LIFETIME.toHours() + " h after they ended", "maxUploads");
        }
        u[0]++;
    }

    private synchronized void grow(String tenantId, long n, Limits limits) throws IOException {
        long[] u = usage(tenantId);
        if (u[1] + n > limits.maxBytes()) {
            throw ImageException.quotaExceeded("the tenant's uploads would pass " + limits.maxBytes() + " bytes, its limit "
                    + "(maxUploadBytes); they expire " + LIFETIME.toHours() + " h after they ended", "maxUploadBytes");
        }
        u[1] += n;
    }

    private synchronized void release(String tenantId, long bytes) throws IOException {
        long[] u = usage(tenantId);
        u[0]--;
        u[1] -= bytes;
    }

    /**
     * Removes uploads that ended more than {@code maxAge} ago, and half-written ones as old (or, with
     * {@code everyHalfWritten} at start, when none can be streaming, all of them). Returns how many files went.
     */
    synchronized int sweep(Duration maxAge, boolean everyHalfWritten) throws IOException {
        if (!Files.isDirectory(dir)) return 0;
        long cutoff = System.currentTimeMillis() - maxAge.toMillis();
        int removed = 0;
        try (var files = Files.list(dir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                String name = p.getFileName().toString();
                boolean old = Files.getLastModifiedTime(p).toMillis() < cutoff;
                boolean stale = name.endsWith(".tmp") && (everyHalfWritten || old) || name.endsWith(".zip") && old;
                if (!stale) continue;
                long size = Files.size(p);
                if (!Files.deleteIfExists(p)) continue;
                removed++;
                var m = FILE.matcher(name);
                long[] u = m.matches() ? usage.get(m.group(2)) : null;
                if (u != null) {
                    u[0]--;
                    u[1] -= size;
                }
            }
        }
        return removed;
    }

    private Path file(String id, String tenantId) {
        return dir.resolve(id + "." + tenantId + ".zip");
    }

    /** The file a code artifact URI names; INVALID naming the supported schemes for anything else. */
    Path resolve(String tenantId, String uri) {
        if (uri == null) throw ImageException.invalid("codeArtifact.uri is required");
        if (uri.startsWith(SCHEME)) {
            String id = uri.substring(SCHEME.length());
            // Another tenant's upload is not found, exactly as one that does not exist.
            if (!ID.matcher(id).matches() || !Files.isRegularFile(file(id, tenantId)))
                throw ImageException.invalid("codeArtifact.uri: no upload " + id + " (upload with POST /ember/v1/uploads)");
            return file(id, tenantId);
        }
        if (uri.startsWith("file:///") && !Tenant.ADMIN_ID.equals(tenantId)) {
            throw ImageException.invalid("codeArtifact.uri: file:// names a file on the server's host, which only the admin "
                    + "tenant may use; upload the zip with POST /ember/v1/uploads and give its ember-upload:// URI");
        }
        if (uri.startsWith("file:///")) {
            Path p;
            try {
                p = Path.of(java.net.URI.create(uri));
            } catch (IllegalArgumentException e) {
                throw ImageException.invalid("codeArtifact.uri is not a valid file URI: " + uri);
            }
            if (!Files.isRegularFile(p)) throw ImageException.invalid("codeArtifact.uri: " + p + " is not a file on the server");
            return p;
        }
        throw ImageException.invalid("codeArtifact.uri must be s3://bucket/key, ember-upload://<uploadId> (POST /ember/v1/uploads) "
                + "or file:///absolute/path.zip; got " + (uri.length() > 100 ? uri.substring(0, 100) + "..." : uri));
    }
}
