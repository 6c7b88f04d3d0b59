package io.ember.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ember.image.ManagedImage;
import io.ember.microvm.Microvms;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.util.List;

/** ListManagedMicrovmImages and ListManagedMicrovmImageVersions. */
final class ImageRoutes {
    private static final String BASE = "/2025-09-09/managed-microvm-images";
    private static final int DEFAULT_PAGE = 50;

    private final Microvms microvms;

    ImageRoutes(Microvms microvms) {
        this.microvms = microvms;
    }

    void register(Javalin app) {
        app.get(BASE, this::images);
        app.get(BASE + "/{imageIdentifier}/versions", this::versions);
    }

    private void images(Context ctx) {
        List<ManagedImage> all = microvms.images();
        ObjectNode out = Json.object();
        ArrayNode items = out.putArray("items");
        page(ctx, "images", all.size(), out, i -> {
            ObjectNode item = items.addObject();
            item.put("imageArn", all.get(i).arn());
            item.put("createdAt", Json.epochSeconds(all.get(i).createdAt()));
        });
        Json.ok(ctx, out);
    }

    private void versions(Context ctx) {
        ManagedImage image = microvms.image(ctx.pathParam("imageIdentifier"), null);
        ObjectNode out = Json.object();
        ArrayNode items = out.putArray("items");
        // One version per managed image for now; paginated like the rest so clients need not special-case it.
        page(ctx, "versions", 1, out, i -> {
            ObjectNode item = items.addObject();
            item.put("imageArn", image.arn());
            item.put("imageVersion", image.version());
            item.put("status", "AVAILABLE");
            item.put("createdAt", Json.epochSeconds(image.createdAt()));
        });
        Json.ok(ctx, out);
    }

    /** Emits items [start, start + maxResults) of {@code size} through {@code emit}, and a nextToken if more remain. */
    private static void page(Context ctx, String kind, int size, ObjectNode out, java.util.function.IntConsumer emit) {
        Integer max = Fields.queryInt(ctx.queryParam("maxResults"), "maxResults", 1, 100);
        int limit = max == null ? DEFAULT_PAGE : max;
        long start = PageToken.decode(kind, ctx.queryParam("nextToken"));
        if (start > size) throw ApiException.validation("nextToken is not a token this list returned");
        long end = Math.min(size, start + limit);
        for (int i = (int) start; i < end; i++) emit.accept(i);
        if (end < size) out.put("nextToken", PageToken.encode(kind, end));
    }
}
