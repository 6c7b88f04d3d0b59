package io.ember.sdk;

/**
 * An image version's lifecycle hooks (the model's Hooks; docs/hooks.md): the port the application's hooks listener
 * runs on inside the microVM (1 to 65535, default 8080), the hooks around each microVM's lifecycle, and the hooks of the
 * image's build.
 */
public record Hooks(Integer port, MicrovmHooks microvmHooks, MicrovmImageHooks microvmImageHooks) {

    /** The microVM hooks on the default port. */
    public static Hooks of(MicrovmHooks microvmHooks) {
        return new Hooks(null, microvmHooks, null);
    }

    public Hooks withPort(Integer p) {
        return new Hooks(p, microvmHooks, microvmImageHooks);
    }

    public Hooks withMicrovmImageHooks(MicrovmImageHooks h) {
        return new Hooks(port, microvmHooks, h);
    }
}
