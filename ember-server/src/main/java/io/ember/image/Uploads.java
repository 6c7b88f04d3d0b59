package io.ember.image;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import io.ember.tenant.Tenant;
import java.util.regex.Pattern;

/**
 * Code zips uploaded through {@code POST /ember/v1/uploads}, kept in {@code <data>/uploads/<uploadId>.<tenantId>.zip},
 * and the resolution of a code artifact URI ({@code ember-upload://<uploadId>}, the caller's own uploads only; or, for
 * the admin tenant only, {@code file:///absolute/path.zip}) to a file. A tenant must not read the host's files nor
 * another tenant's code through a URI.
 */
public final class Uploads {
    public static final long MAX_BYTES = 512L << 20;
    static final String SCHEME = "ember-upload://";
    private static final Pattern ID = Pattern.compile("upl-[0-9a-f]{24}");

    private final Path dir;

    Uploads(Path dir) {
        this.dir = dir;
    }

    public record Upload(String uploadId, String uri, long sizeInBytes) {}

    /** Streams {@code body} to disk; INVALID when larger than {@link #MAX_BYTES} or not a zip. */
    public Upload store(String tenantId, InputStream body) throws IOException {
        Files.createDirectories(dir);
        String id = ImageIds.newId("upl-");
        Path tmp = dir.resolve(id + ".tmp");
        long size = 0;
        byte[] buf = new byte[1 << 16];
        try (OutputStream out = Files.newOutputStream(tmp)) {
            int n;
            while ((n = body.read(buf)) > 0) {
                size += n;
                if (size > MAX_BYTES) throw ImageException.invalid("the upload is larger than " + MAX_BYTES + " bytes");
                out.write(buf, 0, n);
            }
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        byte[] magic;
        try (InputStream in = Files.newInputStream(tmp)) {
            magic = in.readNBytes(4);
        }
        if (magic.length < 4 || magic[0] != 'P' || magic[1] != 'K') {
            Files.deleteIfExists(tmp);
            throw ImageException.invalid("the upload is not a zip file");
        }
        Files.move(tmp, file(id, tenantId), StandardCopyOption.ATOMIC_MOVE);
        return new Upload(id, SCHEME + id, size);
    }

    /**
     * Removes uploads older than {@code maxAge} and half-written ones. An image version copies its zip when
     * the request is accepted, so an upload is only needed until the CreateMicrovmImage or UpdateMicrovmImage
     * that names it. Returns how many files went.
     */
    int sweep(java.time.Duration maxAge) throws IOException {
        if (!Files.isDirectory(dir)) return 0;
        long cutoff = System.currentTimeMillis() - maxAge.toMillis();
        int removed = 0;
        try (var files = Files.list(dir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                String name = p.getFileName().toString();
                boolean stale = name.endsWith(".tmp")
                        || name.endsWith(".zip") && Files.getLastModifiedTime(p).toMillis() < cutoff;
                if (stale && Files.deleteIfExists(p)) removed++;
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
        throw ImageException.invalid("codeArtifact.uri must be ember-upload://<uploadId> (POST /ember/v1/uploads) or "
                + "file:///absolute/path.zip; got " + (uri.length() > 100 ? uri.substring(0, 100) + "..." : uri));
    }
}
