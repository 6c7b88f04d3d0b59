/* The stream table and the dispatch of frames from the host. */
#include "agent.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

struct stream *g_streams;

struct stream *stream_new(uint32_t id, uint8_t kind)
{
    struct stream *s = xmalloc(sizeof *s);
    memset(s, 0, sizeof *s);
    s->id = id;
    s->kind = kind;
    s->credit = WINDOW_INIT;
    s->in_credit = WINDOW_INIT;
    s->out_fd = s->err_fd = s->in_fd = s->fd = -1;
    s->out_left = s->err_left = -1;
    s->next = g_streams;
    g_streams = s;
    return s;
}

/* Open streams only: finished, cancelled and detached ones no longer own their id. */
struct stream *stream_find(uint32_t id)
{
    for (struct stream *s = g_streams; s; s = s->next)
        if (s->id == id && !s->dead && !s->detached)
            return s;
    return NULL;
}

int stream_live_count(void)
{
    int n = 0;
    for (struct stream *s = g_streams; s; s = s->next)
        n += !s->dead && !s->detached;
    return n;
}

static int detached_count(void)
{
    int n = 0;
    for (struct stream *s = g_streams; s; s = s->next)
        n += !s->dead && s->detached;
    return n;
}

static void close_fd(int *fd)
{
    if (*fd >= 0)
        close(*fd);
    *fd = -1;
}

void stream_sweep(void)
{
    struct stream **pp = &g_streams;
    while (*pp) {
        struct stream *s = *pp;
        if (!s->dead) {
            pp = &s->next;
            continue;
        }
        *pp = s->next;
        close_fd(&s->out_fd);
        close_fd(&s->err_fd);
        close_fd(&s->in_fd);
        close_fd(&s->fd);
        if (s->dir)
            closedir(s->dir);
        free(s->in_buf);
        free(s->path);
        free(s->tmp);
        free(s);
    }
}

/* The host went away or broke the protocol: nothing open survives, but processes keep running. */
void streams_reset(void)
{
    for (struct stream *s = g_streams; s; s = s->next) {
        if (s->dead || s->detached)
            continue;
        if (s->kind == K_EXEC)
            exec_detach(s);
        else if (s->kind == K_TCP)
            tcp_close(s);
        else if (s->kind == K_META)
            meta_end(s);
        else
            file_close(s, 1);
    }
}

int violation(const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    logmsg("protocol violation: %s", msg);
    return -1;
}

static void hello_ok(void)
{
    struct utsname u;
    if (uname(&u) < 0)
        memset(&u, 0, sizeof u);
    frame_begin(0, T_HELLO_OK);
    put_int(F_VERSION, PROTO_VERSION);
    put_str(F_AGENT, AGENT_NAME);
    put_str(F_KERNEL, u.release);
    put_str(F_HOSTNAME, u.nodename);
    put_str(F_FEATURES, FEATURES);
    frame_end();
}

static int open_request(uint32_t id, uint8_t type, const uint8_t *p, size_t n)
{
    /*
     * RESTORED comes from the first host after a snapshot was restored: streams still open belong to
     * the host that took the snapshot, which is gone. Their processes go on; their connections and
     * files are closed, and nothing more is sent for them.
     */
    if (type == T_RESTORED)
        streams_reset();
    if (stream_find(id))
        return violation("request type 0x%02x on stream %u, which is already open", type, id);
    if (stream_live_count() >= MAX_STREAMS) {
        send_error(id, EAGAIN, "too many open streams (limit %d)", MAX_STREAMS);
        return 0;
    }
    switch (type) {
    case T_EXEC:
        if (detached_count() >= MAX_DETACHED)
            send_error(id, EAGAIN, "too many abandoned processes still running");
        else
            exec_start(id, p, n);
        break;
    case T_FILE_WRITE: file_write_start(id, p, n); break;
    case T_FILE_READ: file_read_start(id, p, n); break;
    case T_STAT: do_stat(id, p, n); break;
    case T_LIST: list_start(id, p, n); break;
    case T_MKDIR: do_mkdir(id, p, n); break;
    case T_REMOVE: do_remove(id, p, n); break;
    case T_SPAWN: spawn_start(id, p, n); break;
    case T_RESTORED: do_restored(id, p, n); break;
    case T_METADATA: meta_open(id); break;
    case T_CONNECT:
        if (tcp_count() >= MAX_TCP)
            send_error(id, EMFILE, "too many TCP connections (limit %d)", MAX_TCP);
        else
            tcp_connect(id, p, n);
        break;
    }
    return 0;
}

/*
 * Frames for a stream we no longer know are dropped, not violations: the host may send STDIN,
 * WINDOW, SIGNAL or CANCEL before it has read our EXIT/OK/ERROR for that stream.
 */
int dispatch(uint32_t id, uint8_t type, const uint8_t *p, size_t n)
{
    if (g_verbose)
        logmsg("<- stream %u type 0x%02x len %zu", id, type, n);
    if (type < T_HELLO || type > T_META_ANSWER)
        return violation("unknown frame type 0x%02x on stream %u", type, id);
    if (type == T_STDIN || type == T_FILE_DATA || type == T_TCP_DATA) {
        if (n > MAX_CHUNK)
            return violation("data chunk of %zu bytes above MAX_CHUNK", n);
    } else if (fields_valid(p, n) < 0) {
        return violation("malformed fields in frame type 0x%02x on stream %u", type, id);
    }
    if (type == T_HELLO) {
        if (id != 0)
            return violation("HELLO on stream %u", id);
        hello_ok();
        return 0;
    }
    if (id == 0)
        return violation("frame type 0x%02x on stream 0", type);

    struct stream *s;
    int64_t v;
    switch (type) {
    case T_EXEC: case T_FILE_WRITE: case T_FILE_READ: case T_STAT: case T_LIST:
    case T_MKDIR: case T_REMOVE: case T_SPAWN: case T_RESTORED: case T_CONNECT: case T_METADATA:
        return open_request(id, type, p, n);
    case T_META_ANSWER:
        if (!(s = stream_find(id)))
            return 0;
        if (s->kind != K_META)
            return violation("META_ANSWER on stream %u, which is not the metadata stream", id);
        return meta_answer(s, p, n);
    case T_TCP_DATA:
        if (!(s = stream_find(id)))
            return 0;
        if (s->kind != K_TCP)
            return violation("TCP_DATA on stream %u, which is not a TCP connection", id);
        return tcp_data(s, p, n);
    case T_STDIN:
        if (!(s = stream_find(id)))
            return 0;
        if (s->kind != K_EXEC)
            return violation("STDIN on stream %u, which is not an exec", id);
        return exec_stdin(s, p, n);
    case T_FILE_DATA:
        if (!(s = stream_find(id)))
            return 0;
        if (s->kind != K_FWRITE)
            return violation("FILE_DATA on stream %u, which is not a file write", id);
        return file_write_data(s, p, n);
    case T_SIGNAL:
        if (!field_int(p, n, F_SIGNO, &v))
            return violation("SIGNAL without SIGNO on stream %u", id);
        if (!(s = stream_find(id)))
            return 0;
        if (s->kind != K_EXEC)
            return violation("SIGNAL on stream %u, which is not an exec", id);
        exec_signal(s, v < 0 || v > 64 ? 0 : (int)v);
        return 0;
    case T_RESIZE:
        if (!(s = stream_find(id)))
            return 0;
        if (s->kind != K_EXEC)
            return violation("RESIZE on stream %u, which is not an exec", id);
        return pty_resize(s, p, n);
    case T_WINDOW:
        if (!field_int(p, n, F_N, &v) || v <= 0)
            return violation("WINDOW without a positive N on stream %u", id);
        if (!(s = stream_find(id)))
            return 0;
        if (v > WINDOW_MAX - s->credit)
            return violation("WINDOW overflows the credit of stream %u", id);
        s->credit += v;
        return 0;
    case T_CANCEL:
        if (!(s = stream_find(id)))
            return 0;
        if (s->kind == K_EXEC)
            exec_cancel(s);
        else if (s->kind == K_TCP)
            tcp_close(s);
        else if (s->kind == K_META)
            meta_end(s);
        else
            file_close(s, 1);
        return 0;
    }
    return violation("unknown frame type 0x%02x", type);
}
