package io.ember.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ember.metering.Granularity;
import io.ember.metering.Metering;
import io.ember.metering.UsageReport;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;

/** Ember extension: {@code GET /ember/v1/usage}, metered seconds per microVM and period, priced (docs/metering.md). */
final class UsageRoutes {
    private static final int MAX_ID_LENGTH = 2048;
    private final Metering metering;

    UsageRoutes(Metering metering) {
        this.metering = metering;
    }

    void register(Javalin app) {
        app.get("/ember/v1/usage", this::usage);
    }

    private void usage(Context ctx) {
        String id = ctx.queryParam("microvmId");
        if (id != null && (id.isEmpty() || id.length() > MAX_ID_LENGTH)) {
            throw ApiException.validation("microvmId must be 1.." + MAX_ID_LENGTH + " characters");
        }
        String g = ctx.queryParam("granularity");
        Granularity granularity = g == null ? Granularity.TOTAL : Granularity.parse(g).orElseThrow(() ->
                ApiException.validation("granularity must be hour, day or total, got '" + clip(g) + "'"));
        Instant to = time(ctx, "to");
        Instant from = time(ctx, "from");
        if (from == null) {
            if (granularity != Granularity.TOTAL) throw ApiException.validation("from is required with granularity " + g);
            from = Instant.EPOCH;
        }
        UsageReport report;
        try {
            report = metering.report(tenant(ctx), id, from, to, granularity);
        } catch (IllegalArgumentException e) {
            throw ApiException.validation(e.getMessage());
        }
        Json.ok(ctx, view(report));
    }

    /**
     * Whose usage: the caller's own; the admin may name another tenant ({@code tenantId}) or every tenant
     * ({@code tenantId=all}, answered as null).
     */
    private static String tenant(Context ctx) {
        Caller caller = Caller.of(ctx);
        String asked = ctx.queryParam("tenantId");
        if (asked == null || asked.equals(caller.tenantId())) return caller.tenantId();
        if (!caller.admin()) throw ApiException.accessDenied("only the admin tenant reads other tenants' usage");
        return asked.equals("all") ? null : asked;
    }

    /** An ISO-8601 instant (2026-11-29T12:00:00Z) or epoch seconds; null when absent. */
    private static Instant time(Context ctx, String name) {
        String v = ctx.queryParam(name);
        if (v == null) return null;
        try {
            if (v.matches("\\d{1,12}")) return Instant.ofEpochSecond(Long.parseLong(v));
            if (v.length() <= 64) return Instant.parse(v);
        } catch (DateTimeParseException | NumberFormatException e) {
            // reported below
        }
        throw ApiException.validation(name + " must be an ISO-8601 instant (2026-01-31T00:00:00Z) or epoch seconds, "
                + "got '" + clip(v) + "'");
    }

    private static String clip(String s) {
        return s.length() > 64 ? s.substring(0, 64) + "..." : s;
    }

    static ObjectNode view(UsageReport r) {
        ObjectNode o = Json.object();
        o.put("from", r.from().toString()).put("to", r.to().toString())
                .put("granularity", r.granularity().name().toLowerCase(java.util.Locale.ROOT));
        ObjectNode prices = o.putObject("prices").put("currency", r.prices().currency());
        plain(prices, "vcpuSecond", r.prices().vcpuSecond());
        plain(prices, "memoryGibSecond", r.prices().memoryGibSecond());
        plain(prices, "storageGibSecond", r.prices().storageGibSecond());
        ArrayNode vms = o.putArray("microvms");
        for (UsageReport.MicrovmUsage vm : r.microvms()) {
            ObjectNode v = vms.addObject().put("microvmId", vm.microvmId());
            if (vm.tenantId() != null) v.put("tenantId", vm.tenantId());
            periods(v.putArray("periods"), vm.periods());
            figures(v.putObject("total"), vm.total());
        }
        periods(o.putArray("periods"), r.periods());
        figures(o.putObject("total"), r.total());
        return o;
    }

    private static void periods(ArrayNode out, List<UsageReport.Period> periods) {
        for (UsageReport.Period p : periods) {
            ObjectNode n = out.addObject().put("start", p.start().toString()).put("end", p.end().toString());
            figures(n, p.figures());
        }
    }

    private static void figures(ObjectNode n, UsageReport.Figures f) {
        n.put("runningSeconds", f.runningSeconds());
        plain(n, "vcpuSeconds", f.vcpuSeconds());
        plain(n, "memoryGibSeconds", f.memoryGibSeconds());
        n.put("suspendedSeconds", f.suspendedSeconds());
        plain(n, "storageGibSeconds", f.storageGibSeconds());
        plain(n, "price", f.price());
    }

    /** 0.0000000386, not 3.86E-8: prices are read by people too (the shared mapper is left as it is). */
    private static void plain(ObjectNode n, String field, java.math.BigDecimal v) {
        n.putRawValue(field, new com.fasterxml.jackson.databind.util.RawValue(v.toPlainString()));
    }
}
