package io.ember.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ember.image.Images;
import io.ember.image.Uploads;
import io.ember.store.ImageRecord;
import io.ember.tenant.Quotas;
import io.ember.tenant.Tenants;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;

/** Ember's extensions for images: code zip uploads and the streamed build log (docs/images.md). */
final class BuildExtensionRoutes {
    static final String UPLOADS = "/ember/v1/uploads";
    static final String LOG = "/ember/v1/microvm-images/{imageIdentifier}/versions/{imageVersion}/builds/{buildId}/log";
    private static final long FOLLOW_POLL_MS = 200;

    private final Images images;
    private final Tenants tenants;
    private final Quotas defaults;

    BuildExtensionRoutes(Images images, Tenants tenants, Quotas defaults) {
        this.images = images;
        this.tenants = tenants;
        this.defaults = defaults;
    }

    void register(Javalin app) {
        app.post(UPLOADS, this::upload);
        app.get(LOG, this::log);
    }

    private void upload(Context ctx) throws IOException {
        long declared = ctx.req().getContentLengthLong();
        if (declared > Uploads.MAX_BYTES) throw ApiException.validation("the upload is larger than " + Uploads.MAX_BYTES + " bytes");
        String tenantId = Caller.of(ctx).tenantId();
        Quotas q = tenants.effectiveQuotas(tenantId, defaults);
        Uploads.Upload u;
        try (InputStream in = ctx.req().getInputStream()) {
            u = images.uploads().store(tenantId, in, new Uploads.Limits(q.maxUploads(), q.maxUploadBytes()));
        }
        ObjectNode out = Json.object();
        out.put("uploadId", u.uploadId());
        out.put("uri", u.uri());
        out.put("sizeInBytes", u.sizeInBytes());
        Json.send(ctx, 201, out);
    }

    /** The log from {@code offset}; with {@code follow=true} the answer stays open, streaming, until the build ends. */
    private void log(Context ctx) throws IOException, InterruptedException {
        ImageRecord image = images.image(Caller.of(ctx).tenantId(), ctx.pathParam("imageIdentifier"));
        String version = ctx.pathParam("imageVersion"), buildId = ctx.pathParam("buildId");
        Images.LogFile file = images.buildLog(image, version, buildId);
        Integer offset = Fields.queryInt(ctx.queryParam("offset"), "offset", 0, Integer.MAX_VALUE);
        boolean follow = Fields.queryBool(ctx.queryParam("follow"), "follow", false);
        long pos = offset == null ? 0 : offset;
        ctx.res().setStatus(200);
        ctx.res().setContentType("text/plain; charset=utf-8");
        OutputStream out = ctx.res().getOutputStream();
        byte[] buf = new byte[1 << 16];
        while (true) {
            boolean ended = images.buildLog(image, version, buildId).ended(); // read before the bytes: none can follow after
            if (Files.exists(file.path())) {
                try (var ch = Files.newByteChannel(file.path())) {
                    ch.position(pos);
                    java.nio.ByteBuffer bb = java.nio.ByteBuffer.wrap(buf);
                    int n;
                    while ((n = ch.read(bb)) > 0) {
                        out.write(buf, 0, n);
                        pos += n;
                        bb.clear();
                    }
                }
                out.flush();
            }
            if (!follow || ended) return;
            Thread.sleep(FOLLOW_POLL_MS);
        }
    }
}
