package io.ember.image.build;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/** One entry's data: inflated, limited to its declared size, CRC-checked at the end. */
final class EntryStream extends InputStream {
    private final FileChannel ch;
    private final ZipDirectory.Record r;
    private final Inflater inflater;
    private final CRC32 crc = new CRC32();
    private final byte[] in = new byte[16384];
    private long pos; // next compressed byte in the file
    private final long end;
    private long produced;
    private boolean dummyGiven, done;

    private EntryStream(FileChannel ch, ZipDirectory.Record r, long start) {
        this.ch = ch;
        this.r = r;
        this.pos = start;
        this.end = start + r.compressedSize();
        this.inflater = r.method() == 8 ? new Inflater(true) : null;
    }

    static InputStream open(FileChannel ch, ZipDirectory.Record r) throws IOException {
        if (r.method() == 0 && r.compressedSize() != r.size())
            throw new IOException(r.name() + ": stored entry with different compressed and uncompressed sizes");
        return new EntryStream(ch, r, ZipDirectory.dataOffset(ch, r));
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (done) return -1;
        if (len == 0) return 0;
        int n = inflater == null ? stored(b, off, len) : inflated(b, off, len);
        if (n < 0) {
            finish();
            return -1;
        }
        produced += n;
        if (produced > r.size()) throw new IOException(r.name() + ": more data than its declared size of " + r.size() + " bytes");
        crc.update(b, off, n);
        return n;
    }

    private int stored(byte[] b, int off, int len) throws IOException {
        if (pos >= end) return -1;
        int n = ch.read(ByteBuffer.wrap(b, off, (int) Math.min(len, end - pos)), pos);
        if (n < 0) throw new IOException(r.name() + ": unexpected end of the zip file");
        pos += n;
        return n;
    }

    private int inflated(byte[] b, int off, int len) throws IOException {
        try {
            while (true) {
                int n = inflater.inflate(b, off, len);
                if (n > 0) return n;
                if (inflater.finished()) return -1;
                if (inflater.needsDictionary()) throw new IOException(r.name() + ": corrupt deflate data");
                if (!inflater.needsInput()) continue;
                if (pos < end) {
                    int got = ch.read(ByteBuffer.wrap(in, 0, (int) Math.min(in.length, end - pos)), pos);
                    if (got < 0) throw new IOException(r.name() + ": unexpected end of the zip file");
                    pos += got;
                    inflater.setInput(in, 0, got);
                } else if (!dummyGiven) { // zlib's nowrap mode may need one byte past the data
                    dummyGiven = true;
                    inflater.setInput(new byte[1], 0, 1);
                } else {
                    throw new IOException(r.name() + ": truncated deflate data");
                }
            }
        } catch (DataFormatException e) {
            throw new IOException(r.name() + ": corrupt deflate data: " + e.getMessage());
        }
    }

    private void finish() throws IOException {
        done = true;
        if (produced != r.size())
            throw new IOException(r.name() + ": " + produced + " bytes of data where " + r.size() + " were declared");
        if (crc.getValue() != r.crc()) throw new IOException(r.name() + ": CRC mismatch (corrupt data)");
    }

    @Override
    public void close() {
        if (inflater != null) inflater.end();
    }
}
