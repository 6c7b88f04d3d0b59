package io.ember.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ember.arn.Region;
import io.ember.image.ManagedImage;
import io.ember.microvm.Microvms;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.util.List;

/** ListManagedMicrovmImages and ListManagedMicrovmImageVersions. */
final class ImageRoutes {
    private static final String BASE = "/2025-09-09/managed-microvm-images";

    private final Microvms microvms;
    private final Region region; // of the ARNs answered

    ImageRoutes(Microvms microvms, Region region) {
        this.microvms = microvms;
        this.region = region;
    }

    void register(Javalin app) {
        app.get(BASE, this::images);
        app.get(BASE + "/{imageIdentifier}/versions", this::versions);
    }

    private void images(Context ctx) {
        List<ManagedImage> all = microvms.images();
        ObjectNode out = Json.object();
        ArrayNode items = out.putArray("items");
        PageToken.page(ctx, "images", all.size(), out, i -> {
            ObjectNode item = items.addObject();
            item.put("imageArn", region.render(all.get(i).arn()));
            item.put("createdAt", Json.epochSeconds(all.get(i).createdAt()));
        });
        Json.ok(ctx, out);
    }

    private void versions(Context ctx) {
        ManagedImage image = microvms.image(ctx.pathParam("imageIdentifier"), null);
        ObjectNode out = Json.object();
        ArrayNode items = out.putArray("items");
        // One version per managed image for now; paginated like the rest so clients need not special-case it.
        PageToken.page(ctx, "versions", 1, out, i -> {
            ObjectNode item = items.addObject();
            item.put("imageArn", region.render(image.arn()));
            item.put("imageVersion", Versions.external(image.version()));
            item.put("status", "AVAILABLE");
            item.put("createdAt", Json.epochSeconds(image.createdAt()));
        });
        Json.ok(ctx, out);
    }

}
