package io.ember.metering;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * What a second costs (docs/metering.md): running, per vCPU-second and per GiB-second of memory; suspended, per
 * GiB-second of bytes on disk (compute is free). Read from {@code prices.json} in the data directory when there is
 * one, else the defaults.
 */
public record PriceTable(String currency, BigDecimal vcpuSecond, BigDecimal memoryGibSecond,
                         BigDecimal storageGibSecond) {
    public static final String FILE = "prices.json";

    public PriceTable {
        Objects.requireNonNull(currency, "currency");
        for (BigDecimal p : new BigDecimal[] {vcpuSecond, memoryGibSecond, storageGibSecond}) {
            if (p == null || p.signum() < 0) throw new IllegalArgumentException("prices must be given and >= 0");
        }
    }

    /** Illustrative list prices: $0.04048 per vCPU-hour, $0.004445 per GiB-hour, $0.10 per GiB-month of disk. */
    public static PriceTable defaults() {
        return new PriceTable("USD", new BigDecimal("0.0000112444"), new BigDecimal("0.0000012347"),
                new BigDecimal("0.0000000386"));
    }

    /** {@code dataDir/prices.json} if it exists (fields missing there keep their default), else the defaults. */
    public static PriceTable load(Path dataDir) {
        Path file = dataDir.resolve(FILE);
        if (!Files.exists(file)) return defaults();
        try {
            JsonNode n = new ObjectMapper().readTree(file.toFile());
            if (n == null || !n.isObject()) throw new IllegalArgumentException(file + " must hold a JSON object");
            PriceTable d = defaults();
            return new PriceTable(n.has("currency") ? n.get("currency").asText() : d.currency,
                    price(n, "vcpuSecond", d.vcpuSecond), price(n, "memoryGibSecond", d.memoryGibSecond),
                    price(n, "storageGibSecond", d.storageGibSecond));
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalArgumentException("cannot read the price table " + file + ": " + e.getMessage(), e);
        }
    }

    private static BigDecimal price(JsonNode n, String field, BigDecimal fallback) {
        JsonNode v = n.get(field);
        if (v == null) return fallback;
        if (!v.isNumber() && !v.isTextual()) throw new IllegalArgumentException(field + " must be a number");
        try {
            BigDecimal p = new BigDecimal(v.asText());
            if (p.signum() < 0) throw new IllegalArgumentException(field + " must be >= 0");
            return p;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(field + " must be a number, got " + v);
        }
    }
}
