/* Channel I/O: the output queue, the input buffer, frame headers and the field codec. */
#include "agent.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static uint8_t *oq;
static size_t oq_off, oq_cap;
size_t g_outq_len;
static size_t cur_start; /* offset (from oq_off) of the frame being built */

static uint8_t *iq;
static size_t iq_len, iq_cap;

static void be32_put(uint8_t *b, uint32_t v)
{
    b[0] = v >> 24; b[1] = v >> 16; b[2] = v >> 8; b[3] = v;
}

static uint32_t be32(const uint8_t *b)
{
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

static uint8_t *oq_tail(void) { return oq + oq_off + g_outq_len; }

static void oq_reserve(size_t n)
{
    if (oq_off + g_outq_len + n <= oq_cap)
        return;
    if (oq_off) { /* frame offsets are relative to oq_off, so moving is safe */
        memmove(oq, oq + oq_off, g_outq_len);
        oq_off = 0;
    }
    if (g_outq_len + n <= oq_cap)
        return;
    size_t cap = oq_cap ? oq_cap : 16384;
    while (cap < g_outq_len + n)
        cap *= 2;
    oq = xrealloc(oq, cap);
    oq_cap = cap;
}

void frame_begin(uint32_t stream, uint8_t type)
{
    oq_reserve(HDR_LEN);
    uint8_t *h = oq_tail();
    be32_put(h, 0);
    be32_put(h + 4, stream);
    h[8] = type; h[9] = h[10] = h[11] = 0;
    cur_start = g_outq_len;
    g_outq_len += HDR_LEN;
}

void put_bytes(uint8_t tag, const void *v, size_t n)
{
    oq_reserve(5 + n);
    uint8_t *t = oq_tail();
    t[0] = tag;
    be32_put(t + 1, (uint32_t)n);
    if (n)
        memcpy(t + 5, v, n);
    g_outq_len += 5 + n;
}

void put_int(uint8_t tag, int64_t v)
{
    uint8_t b[8];
    for (int i = 7; i >= 0; i--, v = (int64_t)((uint64_t)v >> 8))
        b[i] = (uint8_t)v;
    put_bytes(tag, b, 8);
}

void put_str(uint8_t tag, const char *s) { put_bytes(tag, s, strlen(s)); }

void frame_end(void)
{
    be32_put(oq + oq_off + cur_start, (uint32_t)(g_outq_len - cur_start - HDR_LEN));
}

void send_empty(uint32_t stream, uint8_t type)
{
    frame_begin(stream, type);
    frame_end();
}

void send_error(uint32_t stream, int err, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (g_verbose)
        logmsg("stream %u: error %d: %s", stream, err, msg);
    frame_begin(stream, T_ERROR);
    put_int(F_ERRNO, err);
    put_str(F_MESSAGE, msg);
    frame_end();
}

void send_window(uint32_t stream, int64_t n)
{
    frame_begin(stream, T_WINDOW);
    put_int(F_N, n);
    frame_end();
}

uint8_t *data_begin(uint32_t stream, uint8_t type, size_t max)
{
    frame_begin(stream, type);
    oq_reserve(max);
    return oq_tail();
}

void data_commit(size_t n)
{
    g_outq_len += n;
    frame_end();
}

void data_abort(void) { g_outq_len = cur_start; }

int outq_flush(int fd)
{
    while (g_outq_len) {
        ssize_t w = write(fd, oq + oq_off, g_outq_len);
        if (g_verbose)
            logmsg("-> wrote %zd of %zu queued bytes%s", w, g_outq_len, w < 0 ? " (error)" : "");
        if (w < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN)
                return 0;
            return -1;
        }
        oq_off += (size_t)w;
        g_outq_len -= (size_t)w;
    }
    oq_off = 0;
    if (oq_cap > 131072) { /* give a burst's memory back */
        free(oq);
        oq = NULL;
        oq_cap = 0;
    }
    return 0;
}

void outq_clear(void)
{
    free(oq);
    oq = NULL;
    oq_off = oq_cap = g_outq_len = 0;
}

void inq_clear(void)
{
    free(iq);
    iq = NULL;
    iq_len = iq_cap = 0;
}

/* Dispatches every complete frame in the input buffer. */
static int inq_process(void)
{
    size_t off = 0;
    int rc = 1;
    while (iq_len - off >= HDR_LEN) {
        const uint8_t *h = iq + off;
        uint32_t len = be32(h);
        if (len > MAX_FRAME) {
            rc = violation("frame length %u above MAX_FRAME", len);
            break;
        }
        if (h[9] | h[10] | h[11]) {
            rc = violation("nonzero reserved bytes in frame type 0x%02x", h[8]);
            break;
        }
        if (iq_len - off < HDR_LEN + (size_t)len)
            break;
        if (dispatch(be32(h + 4), h[8], h + HDR_LEN, len) < 0) {
            rc = -1;
            break;
        }
        off += HDR_LEN + len;
    }
    if (rc < 0)
        return -2;
    memmove(iq, iq + off, iq_len - off);
    iq_len -= off;
    return 1;
}

int inq_read(int fd)
{
    for (int round = 0; round < 32 && g_outq_len < OUTQ_STOP_READ; round++) {
        size_t want = 65536 + HDR_LEN;
        if (iq_len >= HDR_LEN && be32(iq) <= MAX_FRAME && be32(iq) + HDR_LEN > want)
            want = be32(iq) + HDR_LEN;
        if (iq_cap < want) {
            iq = xrealloc(iq, want);
            iq_cap = want;
        }
        ssize_t r = read(fd, iq + iq_len, iq_cap - iq_len);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN)
                break;
            return -1;
        }
        if (r == 0)
            return 0;
        iq_len += (size_t)r;
        if (inq_process() < 0)
            return -2;
    }
    if (iq_len == 0 && iq_cap > 131072)
        inq_clear();
    return 1;
}

/* ---- fields: tag(1) | length(4, BE) | value ---- */

static int is_int_tag(uint8_t t)
{
    switch (t) {
    case F_TIMEOUT_MS: case F_STDIN: case F_SIGNO: case F_MODE: case F_PARENTS:
    case F_RECURSIVE: case F_N: case F_VERSION: case F_PID: case F_CODE: case F_TIMED_OUT:
    case F_SIZE: case F_MTIME_MS: case F_ERRNO: case F_TIME_NS: case F_NEW_IDENTITY:
    case F_PTY: case F_ROWS: case F_COLS: case F_REQ: case F_STATUS:
        return 1;
    }
    return 0;
}

/* Iterates fields; returns 1 with tag, val and len set, 0 at the end, -1 when malformed. */
static int field_next(const uint8_t *p, size_t n, size_t *off, uint8_t *tag,
                      const uint8_t **val, uint32_t *len)
{
    if (*off == n)
        return 0;
    if (n - *off < 5)
        return -1;
    uint32_t l = be32(p + *off + 1);
    if (n - *off - 5 < l)
        return -1;
    *tag = p[*off];
    *val = p + *off + 5;
    *len = l;
    *off += 5 + (size_t)l;
    return 1;
}

int fields_valid(const uint8_t *p, size_t n)
{
    size_t off = 0;
    uint8_t tag;
    const uint8_t *v;
    uint32_t l;
    int r;
    while ((r = field_next(p, n, &off, &tag, &v, &l)) == 1)
        if (is_int_tag(tag) && l != 8)
            return -1;
    return r;
}

const uint8_t *field_nth(const uint8_t *p, size_t n, uint8_t tag, size_t idx, uint32_t *len)
{
    size_t off = 0;
    uint8_t t;
    const uint8_t *v;
    while (field_next(p, n, &off, &t, &v, len) == 1)
        if (t == tag && idx-- == 0)
            return v;
    return NULL;
}

size_t field_count(const uint8_t *p, size_t n, uint8_t tag)
{
    size_t c = 0;
    uint32_t l;
    while (field_nth(p, n, tag, c, &l))
        c++;
    return c;
}

int field_int(const uint8_t *p, size_t n, uint8_t tag, int64_t *out)
{
    uint32_t l;
    const uint8_t *v = field_nth(p, n, tag, 0, &l);
    if (!v || l != 8)
        return 0;
    uint64_t x = 0;
    for (int i = 0; i < 8; i++)
        x = x << 8 | v[i];
    *out = (int64_t)x;
    return 1;
}

/* Copies a string field; -1 absent, -2 holds a NUL byte, -3 too long; else its length. */
int field_str(const uint8_t *p, size_t n, uint8_t tag, char *out, size_t cap)
{
    uint32_t l;
    const uint8_t *v = field_nth(p, n, tag, 0, &l);
    if (!v)
        return -1;
    if (memchr(v, 0, l))
        return -2;
    if (l >= cap)
        return -3;
    memcpy(out, v, l);
    out[l] = 0;
    return (int)l;
}

/* The PATH field as an absolute path; 0 or an errno. */
int field_path(const uint8_t *p, size_t n, char *out, size_t cap)
{
    int r = field_str(p, n, F_PATH, out, cap);
    if (r == -3)
        return ENAMETOOLONG;
    if (r < 0)
        return EINVAL;
    if (r == 0)
        return ENOENT;
    if (out[0] != '/')
        return EINVAL;
    return 0;
}
