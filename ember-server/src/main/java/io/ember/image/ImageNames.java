package io.ember.image;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * What a built image may be called (CreateMicrovmImage's {@code name}). The API reference gives the pattern
 * {@code [a-zA-Z0-9-_]+}, 1 to 64 characters: no dot, so neither {@code .} nor {@code ..}, which would read as path
 * segments. On top of it, a name must not shadow something an image identifier already means: an Ember id
 * ({@code img-…}, {@code mvm-…}, {@code bld-…}, {@code upl-…} followed by hex: identifiers are matched as id, name or
 * ARN, so such a name would answer for an id) or a managed image (any case, so that {@code Debian} is not taken for
 * {@code debian}); nor be a device name Windows reserves ({@code CON}, {@code NUL}, {@code COM1}…), since clients
 * save logs and exports under an image's name.
 */
final class ImageNames {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    private static final Pattern ID = Pattern.compile("(?i)(img|mvm|bld|upl)-[0-9a-f]+");
    private static final Pattern DEVICE = Pattern.compile("(?i)(con|prn|aux|nul|com[0-9]|lpt[0-9])");

    private ImageNames() {}

    /** INVALID (ValidationException) saying why, unless {@code name} may name a new image. */
    static void check(String name, ImageCatalog catalog) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw ImageException.invalid("name must be 1 to 64 letters, digits, '-' or '_' (the API's pattern [a-zA-Z0-9-_]+)");
        }
        if (ID.matcher(name).matches()) {
            throw ImageException.invalid("name " + name + " has the form of an Ember id (img-, mvm-, bld-, upl- and hex), which "
                    + "identifiers would take for one; choose another name");
        }
        if (DEVICE.matcher(name).matches()) {
            throw ImageException.invalid("name " + name + " is a device name some systems reserve; choose another name");
        }
        String lower = name.toLowerCase(Locale.ROOT);
        if (catalog.images().stream().anyMatch(m -> m.name().toLowerCase(Locale.ROOT).equals(lower))) {
            throw ImageException.invalid("name " + name + " is the name of a managed image");
        }
    }
}
