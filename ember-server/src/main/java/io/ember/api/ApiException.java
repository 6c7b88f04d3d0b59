package io.ember.api;

import java.util.LinkedHashMap;
import java.util.Map;

/** An error answer in the model's terms: a type, its HTTP status, a message, and extra body fields. */
final class ApiException extends RuntimeException {
    private final String type;
    private final int status;
    private final Map<String, String> fields;

    ApiException(String type, int status, String message, Map<String, String> fields) {
        super(message, null, false, false);
        this.type = type;
        this.status = status;
        this.fields = fields;
    }

    String type() { return type; }

    int status() { return status; }

    Map<String, String> fields() { return fields; }

    static ApiException validation(String message) {
        return new ApiException("ValidationException", 400, message, Map.of());
    }

    static ApiException notFound(String message, String resourceType, String resourceId) {
        Map<String, String> f = new LinkedHashMap<>();
        if (resourceType != null) f.put("resourceType", resourceType);
        if (resourceId != null) f.put("resourceId", resourceId);
        return new ApiException("ResourceNotFoundException", 404, message, f);
    }

    static ApiException accessDenied(String message) {
        return new ApiException("AccessDeniedException", 403, message, Map.of());
    }

    static ApiException conflict(String message, String resourceType, String resourceId) {
        Map<String, String> f = new LinkedHashMap<>();
        if (resourceType != null) f.put("resourceType", resourceType);
        if (resourceId != null) f.put("resourceId", resourceId);
        return new ApiException("ConflictException", 409, message, f);
    }

    /** @param quotaCode the quota's name, when a tenant's quota refused (the model's field) */
    static ApiException quotaExceeded(String message, String quotaCode) {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("serviceCode", "lambda-microvms");
        if (quotaCode != null) f.put("quotaCode", quotaCode);
        return new ApiException("ServiceQuotaExceededException", 402, message, f);
    }

    static ApiException internal(String message) {
        return new ApiException("InternalServerException", 500, message, Map.of());
    }

    static ApiException unknownOperation(String method, String path) {
        return new ApiException("UnknownOperationException", 404, "no operation at " + method + " " + path, Map.of());
    }
}
