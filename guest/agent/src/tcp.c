/*
 * CONNECT streams: a TCP connection from the agent to 127.0.0.1:PORT in the guest, its bytes
 * carried as TCP_DATA frames under the stream's windows (docs/agent-protocol.md, "CONNECT").
 * Memory per stream is bounded by the host's window (in_buf) and the output queue's high mark.
 */
#include "agent.h"

#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int tcp_count(void)
{
    int n = 0;
    for (struct stream *s = g_streams; s; s = s->next)
        n += s->kind == K_TCP && !s->dead;
    return n;
}

/* Socket error: the host gets ERROR with the errno, the stream is over. */
static void tcp_fail(struct stream *s, int err, const char *what)
{
    send_error(s->id, err, "%s: %s", what, strerror(err));
    tcp_close(s);
}

void tcp_close(struct stream *s)
{
    if (s->fd >= 0)
        close(s->fd);
    s->fd = -1;
    free(s->in_buf);
    s->in_buf = NULL;
    s->in_off = s->in_len = s->in_cap = 0;
    s->dead = 1;
}

/* Both directions ended: the final OK. */
static void tcp_finish_check(struct stream *s)
{
    if (!s->dead && s->rd_eof && s->wr_done) {
        send_empty(s->id, T_OK);
        tcp_close(s);
    }
}

void tcp_connect(uint32_t id, const uint8_t *p, size_t n)
{
    int64_t port = 0, timeout = TCP_CONNECT_MS;
    if (!field_int(p, n, F_PORT, &port) || port < 1 || port > 65535) {
        send_error(id, EINVAL, "CONNECT needs a PORT from 1 to 65535");
        return;
    }
    if (field_int(p, n, F_TIMEOUT_MS, &timeout) && (timeout < 1 || timeout > 60000)) {
        send_error(id, EINVAL, "CONNECT's TIMEOUT_MS must be 1 to 60000");
        return;
    }
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        send_error(id, errno, "socket: %s", strerror(errno));
        return;
    }
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK) }; /* never any other address */
    int r = connect(fd, (struct sockaddr *)&a, sizeof a);
    if (r < 0 && errno != EINPROGRESS) {
        send_error(id, errno, "connect 127.0.0.1:%d: %s", (int)port, strerror(errno));
        close(fd);
        return;
    }
    struct stream *s = stream_new(id, K_TCP);
    s->fd = fd;
    s->pid = (pid_t)port; /* for messages only */
    if (r == 0) {
        send_empty(id, T_OK);
    } else {
        s->connecting = 1;
        s->deadline = now_ms() + timeout;
    }
    if (g_verbose)
        logmsg("stream %u: connect 127.0.0.1:%d%s", id, (int)port, r == 0 ? " done" : " in progress");
}

/* Returns credit to the host for bytes written to the socket. */
static void consumed(struct stream *s, size_t n)
{
    s->unacked += (int64_t)n;
    if (s->unacked > 0 && (s->unacked >= ACK_THRESHOLD || s->in_len == 0)) {
        send_window(s->id, s->unacked);
        s->in_credit += s->unacked;
        s->unacked = 0;
    }
}

/* Writes what the host sent; after its empty frame and a drained buffer, half-closes. */
static void flush_in(struct stream *s)
{
    while (s->in_len) {
        ssize_t w = send(s->fd, s->in_buf + s->in_off, s->in_len, MSG_NOSIGNAL);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            if (errno != EAGAIN)
                tcp_fail(s, errno, "send");
            return;
        }
        s->in_off += (size_t)w;
        s->in_len -= (size_t)w;
        consumed(s, (size_t)w);
    }
    free(s->in_buf);
    s->in_buf = NULL;
    s->in_off = s->in_cap = 0;
    if (s->in_closing && !s->wr_done) {
        shutdown(s->fd, SHUT_WR);
        s->wr_done = 1;
        tcp_finish_check(s);
    }
}

int tcp_data(struct stream *s, const uint8_t *p, size_t n)
{
    if (s->connecting)
        return violation("stream %u: TCP_DATA before the connection was established", s->id);
    if ((int64_t)n > s->in_credit)
        return violation("stream %u: TCP_DATA beyond the window", s->id);
    if (s->in_closing)
        return violation("stream %u: TCP_DATA after its end", s->id);
    s->in_credit -= (int64_t)n;
    if (n == 0) {
        s->in_closing = 1;
        flush_in(s);
        return 0;
    }
    if (s->in_off + s->in_len + n > s->in_cap) {
        if (s->in_len) /* the first chunk finds no buffer: NULL + 0 is undefined (found by fuzzing) */
            memmove(s->in_buf, s->in_buf + s->in_off, s->in_len);
        s->in_off = 0;
        if (s->in_len + n > s->in_cap) {
            s->in_cap = s->in_len + n > 2 * s->in_cap ? s->in_len + n : 2 * s->in_cap;
            s->in_buf = xrealloc(s->in_buf, s->in_cap);
        }
    }
    memcpy(s->in_buf + s->in_off + s->in_len, p, n);
    s->in_len += n;
    flush_in(s);
    return 0;
}

/* What to poll the socket for; 0 = leave it out (so a hangup cannot spin the loop). */
short tcp_events(struct stream *s)
{
    if (s->connecting)
        return POLLOUT;
    short ev = 0;
    if (!s->rd_eof && s->credit > 0 && g_outq_len < OUTQ_HIGH)
        ev |= POLLIN;
    if (s->in_len)
        ev |= POLLOUT;
    return ev;
}

static void read_socket(struct stream *s)
{
    if (s->rd_eof || s->credit <= 0 || g_outq_len >= OUTQ_HIGH)
        return;
    size_t max = s->credit < MAX_CHUNK ? (size_t)s->credit : MAX_CHUNK;
    uint8_t *buf = data_begin(s->id, T_TCP_DATA, max);
    ssize_t r = recv(s->fd, buf, max, 0);
    if (r > 0) {
        data_commit((size_t)r);
        s->credit -= r;
        return;
    }
    data_abort();
    if (r < 0 && (errno == EAGAIN || errno == EINTR))
        return;
    if (r < 0) {
        tcp_fail(s, errno, "recv");
        return;
    }
    s->rd_eof = 1;
    send_empty(s->id, T_TCP_DATA);
    tcp_finish_check(s);
}

void tcp_ready(struct stream *s, short revents)
{
    if (s->connecting) {
        int err = 0;
        socklen_t len = sizeof err;
        if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
            err = errno;
        if (err) {
            send_error(s->id, err, "connect 127.0.0.1:%d: %s", (int)s->pid, strerror(err));
            tcp_close(s);
            return;
        }
        s->connecting = 0;
        s->deadline = 0;
        send_empty(s->id, T_OK);
        return;
    }
    if (s->in_len && (revents & (POLLOUT | POLLERR | POLLHUP)))
        flush_in(s);
    if (!s->dead && (revents & (POLLIN | POLLERR | POLLHUP)))
        read_socket(s);
}

void tcp_timers(int64_t now)
{
    for (struct stream *s = g_streams; s; s = s->next)
        if (s->kind == K_TCP && !s->dead && s->connecting && now >= s->deadline) {
            send_error(s->id, ETIMEDOUT, "connect 127.0.0.1:%d: %s", (int)s->pid, strerror(ETIMEDOUT));
            tcp_close(s);
        }
}
