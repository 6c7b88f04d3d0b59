package io.ember.secrets;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The host's key for values the database must hold but never reveal (secret values, access keys'
 * secrets): AES-256-GCM, a fresh 96-bit nonce per value, and a context string (what the value is and
 * whose) bound as associated data so that a sealed value copied to another row does not open. The key
 * lives in a file outside the database (mode 0600), so a copy of ember.db alone discloses nothing.
 */
public final class HostKey {
    private static final byte VERSION = 1;
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final SecretKeySpec key;

    private HostKey(byte[] key) {
        this.key = new SecretKeySpec(key, "AES");
    }

    /** The key in {@code file}, made (readable by the owner only) on first use. */
    public static HostKey open(Path file) {
        return new HostKey(readOrCreate(file, 32));
    }

    /** {@code length} random bytes kept in {@code file}: created atomically with mode 0600 when absent. */
    public static byte[] readOrCreate(Path file, int length) {
        try {
            if (!Files.exists(file)) {
                byte[] fresh = new byte[length];
                RANDOM.nextBytes(fresh);
                Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
                Files.deleteIfExists(tmp);
                Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                Files.write(tmp, fresh, StandardOpenOption.WRITE, StandardOpenOption.SYNC);
                Files.move(tmp, file);
            }
            byte[] k = Files.readAllBytes(file);
            if (k.length < length) {
                throw new IllegalStateException(file + " is damaged (" + k.length + " bytes, expected " + length + ")");
            }
            return Arrays.copyOf(k, length);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create the key file " + file, e);
        }
    }

    /** {@code plaintext} encrypted and authenticated, bound to {@code context}. */
    public byte[] seal(byte[] plaintext, String context) {
        byte[] nonce = new byte[NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        byte[] sealed;
        try {
            sealed = cipher(Cipher.ENCRYPT_MODE, nonce, context).doFinal(plaintext);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
        return ByteBuffer.allocate(1 + NONCE_BYTES + sealed.length).put(VERSION).put(nonce).put(sealed).array();
    }

    /** The plaintext of {@link #seal}; IllegalStateException when tampered with, sealed for another context, or under another key. */
    public byte[] open(byte[] sealed, String context) {
        if (sealed.length < 1 + NONCE_BYTES + TAG_BITS / 8 || sealed[0] != VERSION) {
            throw new IllegalStateException("sealed value is damaged");
        }
        byte[] nonce = Arrays.copyOfRange(sealed, 1, 1 + NONCE_BYTES);
        try {
            return cipher(Cipher.DECRYPT_MODE, nonce, context).doFinal(sealed, 1 + NONCE_BYTES, sealed.length - 1 - NONCE_BYTES);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("sealed value does not open with this host's key (" + context + ")");
        }
    }

    private Cipher cipher(int mode, byte[] nonce, String context) {
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(mode, key, new GCMParameterSpec(TAG_BITS, nonce));
            c.updateAAD(context.getBytes(StandardCharsets.UTF_8));
            return c;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
