package io.ember.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ember.arn.LambdaArn;
import io.ember.arn.Region;
import io.ember.image.Images;
import io.ember.microvm.MicrovmIds;
import io.ember.microvm.Microvms;
import io.ember.secrets.Secrets;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * TagResource, UntagResource and ListTags ({@code /2017-03-31/tags/{Resource}}) on microVMs, built images, secrets and
 * roles (docs/secrets.md), with
 * AWS Lambda's limits. Managed images belong to the server: they list no tags and refuse changes (AccessDenied).
 */
final class TagRoutes {
    private static final String PATH = "/2017-03-31/tags/<Resource>"; // <>: an ARN sent with raw slashes matches too
    static final int MAX_TAGS = 50;
    static final int MAX_KEY = 128;
    static final int MAX_VALUE = 256;
    private static final int MAX_ARN = 2048;

    private final Microvms microvms;
    private final Images images; // null: no built images on this server
    private final Secrets secrets; // null: no secrets on this server

    TagRoutes(Microvms microvms, Images images, Secrets secrets) {
        this.microvms = microvms;
        this.images = images;
        this.secrets = secrets;
    }

    void register(Javalin app) {
        app.get(PATH, asTagOperation(ctx -> {
            ObjectNode out = Json.object();
            out.set("Tags", Json.MAPPER.valueToTree(tags(Caller.of(ctx).tenantId(), resource(ctx))));
            Json.ok(ctx, out);
        }));
        app.post(PATH, asTagOperation(ctx -> {
            Map<String, String> add = parse(Json.body(ctx), "Tags");
            if (add == null || add.isEmpty()) throw ApiException.validation("Tags is required and must have at least 1 entry");
            change(Caller.of(ctx).tenantId(), resource(ctx), current -> {
                Map<String, String> next = new TreeMap<>(current);
                next.putAll(add);
                if (next.size() > MAX_TAGS) {
                    throw ApiException.validation("Tags: a resource has at most " + MAX_TAGS + " tags; this one would have " + next.size());
                }
                return next;
            });
            ctx.status(204);
        }));
        app.delete(PATH, asTagOperation(ctx -> {
            List<String> keys = ctx.queryParams("tagKeys");
            if (keys.isEmpty()) throw ApiException.validation("tagKeys is required: at least one tag key to remove");
            if (keys.size() > MAX_TAGS) throw ApiException.validation("tagKeys must have at most " + MAX_TAGS + " keys");
            keys.forEach(k -> checkKey("tagKeys", k));
            change(Caller.of(ctx).tenantId(), resource(ctx), current -> {
                Map<String, String> next = new TreeMap<>(current);
                keys.forEach(next::remove); // removing a key the resource does not have is not an error, as in AWS
                return next;
            });
            ctx.status(204);
        }));
    }

    /**
     * The tag operations are Lambda's (API version 2017-03-31): the model gives them InvalidParameterValueException for
     * bad input where the MicroVM operations have ValidationException.
     */
    private static io.javalin.http.Handler asTagOperation(io.javalin.http.Handler h) {
        return ctx -> {
            try {
                h.handle(ctx);
            } catch (ApiException e) {
                if (!e.type().equals("ValidationException")) throw e;
                throw new ApiException("InvalidParameterValueException", 400, e.getMessage(), Map.of("Type", "User"));
            }
        };
    }

    /** The tags of {@code field} (null when absent), each key and value within AWS Lambda's limits. Shared with CreateMicrovmImage. */
    static Map<String, String> parse(ObjectNode body, String field) {
        Map<String, String> tags = Fields.stringMap(body, field, MAX_TAGS, Integer.MAX_VALUE);
        if (tags == null) return null;
        tags.forEach((k, v) -> {
            checkKey(field, k);
            if (v.codePointCount(0, v.length()) > MAX_VALUE) {
                throw ApiException.validation(field + "." + k + " must be at most " + MAX_VALUE + " characters");
            }
            if (!TAG_TEXT.matcher(v).matches()) {
                throw ApiException.validation(field + "." + k + " may hold only letters, digits, spaces and _ . : / = + - @");
            }
        });
        return tags;
    }

    /** TagKey and TagValue: {@code ^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$}. */
    private static final Pattern TAG_TEXT = Pattern.compile("[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*");

    private static void checkKey(String field, String key) {
        int n = key.codePointCount(0, key.length());
        if (n < 1 || n > MAX_KEY) throw ApiException.validation(field + ": tag key '" + shorten(key) + "' must be 1 to " + MAX_KEY + " characters");
        if (!TAG_TEXT.matcher(key).matches()) {
            throw ApiException.validation(field + ": tag key '" + shorten(key) + "' may hold only letters, digits, spaces and _ . : / = + - @");
        }
        if (key.toLowerCase(Locale.ROOT).startsWith("aws:")) {
            throw ApiException.validation(field + ": tag key '" + shorten(key) + "' uses the reserved prefix aws:");
        }
    }

    private static String shorten(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }

    /** What an ARN names. */
    private sealed interface Resource {}

    private record Microvm(String arn) implements Resource {}

    private record BuiltImage(String arn) implements Resource {}

    private record ManagedImage(String arn) implements Resource {}

    /** A secret or (role true) an execution role; {@code owner} is the ARN's account. */
    private record SecretOrRole(boolean role, String owner, String name) implements Resource {}

    private static final Pattern ROLE_ARN = Pattern.compile("arn:aws:iam::(\\d{12}):role/(.+)");

    private Resource resource(Context ctx) {
        String arn = ctx.pathParam("Resource");
        if (arn.length() > MAX_ARN) throw ApiException.validation("Resource must be at most " + MAX_ARN + " characters");
        if (!arn.startsWith("arn:")) {
            // An Ember extension: the model shows no microVM ARN, so a microVM's id is taken as well.
            if (MicrovmIds.parse(arn).isPresent()) return new Microvm(arn);
            throw ApiException.validation("Resource must be an ARN (arn:...) or a microVM id, not '" + shorten(arn) + "'");
        }
        // ARNs of any region and partition, and Ember's older forms (docs/api.md, "ARNs")
        String stored = LambdaArn.normalize(arn);
        if (microvms.images().stream().anyMatch(i -> i.arn().equals(stored))) return new ManagedImage(arn);
        String[] secret = Region.parseSecretArn(arn);
        if (secret != null && secrets != null) return new SecretOrRole(false, secret[0], secret[1]);
        Matcher role = ROLE_ARN.matcher(arn);
        if (role.matches() && secrets != null) return new SecretOrRole(true, role.group(1), role.group(2));
        if (LambdaArn.parse(arn).filter(a -> a.type().equals(LambdaArn.MICROVM)).isPresent()) {
            if (MicrovmIds.parse(arn).isEmpty()) throw ApiException.notFound("microVM " + arn + " not found", "Microvm", arn);
            return new Microvm(arn);
        }
        if (images != null) return new BuiltImage(arn); // Images answers NOT_FOUND when it has no such image
        throw ApiException.notFound("no resource " + arn, null, arn);
    }

    private Map<String, String> tags(String tenantId, Resource r) {
        return switch (r) {
            case Microvm m -> microvms.tags(tenantId, m.arn());
            case BuiltImage i -> images.tags(tenantId, i.arn());
            // Another tenant's ARN is looked up under no tenant: not found, exactly as a name that does not exist.
            case SecretOrRole s -> secrets.tags(s.role(), s.owner().equals(tenantId) ? tenantId : null, s.name());
            case ManagedImage i -> Map.of();
        };
    }

    private void change(String tenantId, Resource r, UnaryOperator<Map<String, String>> change) {
        switch (r) {
            case Microvm m -> microvms.updateTags(tenantId, m.arn(), change);
            case BuiltImage i -> images.updateTags(tenantId, i.arn(), change);
            case SecretOrRole s -> secrets.updateTags(s.role(), s.owner().equals(tenantId) ? tenantId : null, s.name(), change);
            case ManagedImage i -> throw ApiException.accessDenied("managed image " + i.arn() + " belongs to the server and cannot be tagged");
        }
    }
}
