package io.ember.image.build;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a zip's central directory itself (java.util.zip hides the Unix mode bits and merges duplicate names, both
 * of which the build must see). Every count and offset is checked against the file and the limits before use.
 */
final class ZipDirectory {
    /** One central directory record, undecoded beyond what the artifact needs. */
    record Record(String name, int madeBy, int flags, int method, long crc, long compressedSize, long size,
                  long externalAttributes, long localHeaderOffset) {}

    private static final int EOCD = 0x06054b50, ZIP64_LOCATOR = 0x07064b50, ZIP64_EOCD = 0x06064b50,
            CENTRAL = 0x02014b50, LOCAL = 0x04034b50;
    private static final long MAX_DIRECTORY_BYTES = 64L << 20;

    private ZipDirectory() {}

    static List<Record> read(FileChannel ch, int maxEntries) throws IOException {
        long fileSize = ch.size();
        if (fileSize < 22) throw new IOException("not a zip file (too short)");
        int tail = (int) Math.min(fileSize, 22 + 65535);
        ByteBuffer end = readAt(ch, fileSize - tail, tail);
        int eocd = -1;
        for (int i = tail - 22; i >= 0; i--) {
            if (end.getInt(i) == EOCD && i + 22 + (end.getShort(i + 20) & 0xffff) == tail) {
                eocd = i;
                break;
            }
        }
        if (eocd < 0) throw new IOException("not a zip file (no end of central directory record)");
        long eocdPos = fileSize - tail + eocd;
        int disk = end.getShort(eocd + 4) & 0xffff, cdDisk = end.getShort(eocd + 6) & 0xffff;
        long count = end.getShort(eocd + 10) & 0xffff;
        long cdSize = end.getInt(eocd + 12) & 0xffffffffL, cdOffset = end.getInt(eocd + 16) & 0xffffffffL;
        if (count == 0xffff || cdSize == 0xffffffffL || cdOffset == 0xffffffffL) {
            if (eocdPos < 20) throw new IOException("truncated zip64 locator");
            ByteBuffer loc = readAt(ch, eocdPos - 20, 20);
            if (loc.getInt(0) != ZIP64_LOCATOR) throw new IOException("missing zip64 end of central directory locator");
            long z = loc.getLong(8);
            if (z < 0 || z + 56 > eocdPos) throw new IOException("bad zip64 end of central directory offset");
            ByteBuffer z64 = readAt(ch, z, 56);
            if (z64.getInt(0) != ZIP64_EOCD) throw new IOException("bad zip64 end of central directory record");
            disk = z64.getInt(16);
            cdDisk = z64.getInt(20);
            count = z64.getLong(32);
            cdSize = z64.getLong(40);
            cdOffset = z64.getLong(48);
        }
        if (disk != 0 || cdDisk != 0) throw new IOException("multi-volume zip files are not supported");
        if (count < 0 || count > maxEntries)
            throw new IOException("the zip has " + Long.toUnsignedString(count) + " entries, more than the limit of " + maxEntries);
        if (cdSize < 0 || cdOffset < 0 || cdSize > MAX_DIRECTORY_BYTES || cdOffset + cdSize > eocdPos)
            throw new IOException("bad central directory bounds");
        ByteBuffer cd = readAt(ch, cdOffset, (int) cdSize);
        List<Record> out = new ArrayList<>();
        int p = 0;
        for (long n = 0; n < count; n++) {
            if (p + 46 > cdSize || cd.getInt(p) != CENTRAL) throw new IOException("corrupt central directory entry " + n);
            int nameLen = cd.getShort(p + 28) & 0xffff, extraLen = cd.getShort(p + 30) & 0xffff,
                    commentLen = cd.getShort(p + 32) & 0xffff;
            if (p + 46L + nameLen + extraLen + commentLen > cdSize) throw new IOException("corrupt central directory entry " + n);
            byte[] nameBytes = new byte[nameLen];
            cd.get(p + 46, nameBytes);
            long csize = cd.getInt(p + 20) & 0xffffffffL, size = cd.getInt(p + 24) & 0xffffffffL,
                    offset = cd.getInt(p + 42) & 0xffffffffL;
            // zip64 extra field: the 32-bit fields that are all ones follow, in this order
            int x = p + 46 + nameLen, xEnd = x + extraLen;
            while (x + 4 <= xEnd) {
                int id = cd.getShort(x) & 0xffff, len = cd.getShort(x + 2) & 0xffff;
                if (x + 4 + len > xEnd) break;
                if (id == 1) {
                    int q = x + 4;
                    if (size == 0xffffffffL && q + 8 <= x + 4 + len) { size = cd.getLong(q); q += 8; }
                    if (csize == 0xffffffffL && q + 8 <= x + 4 + len) { csize = cd.getLong(q); q += 8; }
                    if (offset == 0xffffffffL && q + 8 <= x + 4 + len) offset = cd.getLong(q);
                }
                x += 4 + len;
            }
            out.add(new Record(name(nameBytes, n), cd.getShort(p + 4) & 0xffff, cd.getShort(p + 8) & 0xffff,
                    cd.getShort(p + 10) & 0xffff, cd.getInt(p + 16) & 0xffffffffL, csize, size,
                    cd.getInt(p + 38) & 0xffffffffL, offset));
            p += 46 + nameLen + extraLen + commentLen;
        }
        return out;
    }

    /** Where the entry's data starts, after its local header; checked to lie inside the file. */
    static long dataOffset(FileChannel ch, Record r) throws IOException {
        if (r.localHeaderOffset() < 0 || r.localHeaderOffset() + 30 > ch.size())
            throw new IOException("bad local header offset for " + r.name());
        ByteBuffer h = readAt(ch, r.localHeaderOffset(), 30);
        if (h.getInt(0) != LOCAL) throw new IOException("bad local header for " + r.name());
        long data = r.localHeaderOffset() + 30 + (h.getShort(26) & 0xffff) + (h.getShort(28) & 0xffff);
        if (r.compressedSize() < 0 || data + r.compressedSize() > ch.size())
            throw new IOException("the data of " + r.name() + " lies outside the file");
        return data;
    }

    private static String name(byte[] b, long n) throws IOException {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b)).toString();
        } catch (CharacterCodingException e) {
            throw new IOException("the name of entry " + n + " is not valid UTF-8");
        }
    }

    static ByteBuffer readAt(FileChannel ch, long pos, int len) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(len).order(ByteOrder.LITTLE_ENDIAN);
        while (b.hasRemaining()) {
            if (ch.read(b, pos + b.position()) < 0) throw new IOException("unexpected end of the zip file");
        }
        return b.flip();
    }
}
