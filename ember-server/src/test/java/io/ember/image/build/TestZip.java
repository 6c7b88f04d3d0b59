package io.ember.image.build;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * Writes zips the way hostile or unusual tools do: duplicate names, '..' paths, Unix modes and symlinks, lying
 * sizes. java.util.zip's writer refuses most of these, which is why the tests have their own.
 */
final class TestZip {
    private record Item(String name, byte[] data, int unixMode, boolean deflate, long declaredSize) {}

    private final List<Item> items = new ArrayList<>();

    TestZip file(String name, String text) {
        return file(name, text.getBytes(StandardCharsets.UTF_8), 0100644);
    }

    TestZip file(String name, byte[] data, int unixMode) {
        items.add(new Item(name, data, unixMode, true, data.length));
        return this;
    }

    TestZip dir(String name, int unixMode) {
        items.add(new Item(name.endsWith("/") ? name : name + "/", new byte[0], unixMode | 0040000, false, 0));
        return this;
    }

    TestZip symlink(String name, String target) {
        items.add(new Item(name, target.getBytes(StandardCharsets.UTF_8), 0120777, false, target.length()));
        return this;
    }

    /** A file whose central directory claims {@code declared} bytes, whatever its data. */
    TestZip lying(String name, byte[] data, long declared) {
        items.add(new Item(name, data, 0100644, true, declared));
        return this;
    }

    /** Without Unix attributes (made by MS-DOS), as some Windows tools write. */
    TestZip dosFile(String name, String text) {
        items.add(new Item(name, text.getBytes(StandardCharsets.UTF_8), -1, false, text.length()));
        return this;
    }

    Path write(Path to) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream central = new ByteArrayOutputStream();
        for (Item it : items) {
            byte[] name = it.name().getBytes(StandardCharsets.UTF_8);
            CRC32 crc = new CRC32();
            crc.update(it.data());
            byte[] body = it.deflate() ? deflate(it.data()) : it.data();
            int method = it.deflate() ? 8 : 0;
            long offset = out.size();
            ByteBuffer local = le(30 + name.length);
            local.putInt(0x04034b50).putShort((short) 20).putShort((short) 0x800).putShort((short) method)
                    .putInt(0).putInt((int) crc.getValue()).putInt(body.length).putInt((int) it.declaredSize())
                    .putShort((short) name.length).putShort((short) 0).put(name);
            out.write(local.array());
            out.write(body);
            ByteBuffer c = le(46 + name.length);
            int madeBy = it.unixMode() < 0 ? 20 : (3 << 8) | 20;
            long ext = it.unixMode() < 0 ? 0 : ((long) it.unixMode() << 16);
            c.putInt(0x02014b50).putShort((short) madeBy).putShort((short) 20).putShort((short) 0x800)
                    .putShort((short) method).putInt(0).putInt((int) crc.getValue()).putInt(body.length)
                    .putInt((int) it.declaredSize()).putShort((short) name.length).putShort((short) 0)
                    .putShort((short) 0).putShort((short) 0).putShort((short) 0).putInt((int) ext).putInt((int) offset)
                    .put(name);
            central.write(c.array());
        }
        long cdOffset = out.size();
        out.write(central.toByteArray());
        ByteBuffer end = le(22);
        end.putInt(0x06054b50).putShort((short) 0).putShort((short) 0).putShort((short) items.size())
                .putShort((short) items.size()).putInt(central.size()).putInt((int) cdOffset).putShort((short) 0);
        out.write(end.array());
        return Files.write(to, out.toByteArray());
    }

    private static ByteBuffer le(int n) {
        return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static byte[] deflate(byte[] data) {
        Deflater d = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
        d.setInput(data);
        d.finish();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        while (!d.finished()) out.write(buf, 0, d.deflate(buf));
        d.end();
        return out.toByteArray();
    }
}
