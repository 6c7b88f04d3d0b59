/*
 * The metadata endpoint (docs/agent-protocol.md, "METADATA"): a small HTTP server on 169.254.169.254:80, an address
 * on lo (the guest has no other interface), that the application inside reads its secrets from at run time, as EC2's
 * IMDS. The agent holds no secret: each request goes to the host on the metadata stream (META_REQUEST) and its answer
 * (META_ANSWER) is written back, so the host checks the microVM's role at that moment. Bounded: 16 connections, a
 * 4 KiB request head, 5 s to send it, 10 s for the host's answer.
 */
#include "agent.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#define META_CONNS 16
#define META_HEAD 4096
#define META_READ_MS 5000
#define META_HOST_MS 10000
#define META_WRITE_MS 5000

enum { C_FREE, C_READING, C_WAITING, C_WRITING };

struct meta_conn {
    int fd;
    uint8_t state;
    uint32_t req;      /* C_WAITING: the META_REQUEST's REQ */
    int64_t deadline;  /* monotonic ms */
    size_t len;        /* C_READING: bytes of head; C_WRITING: bytes of out */
    size_t off;        /* C_WRITING: bytes written */
    char head[META_HEAD + 1];
    char *out;
};

static int listen_fd = -1;
static struct stream *meta_stream; /* the host's METADATA stream; NULL: nobody answers */
static struct meta_conn conns[META_CONNS];
static uint32_t next_req;

/* Puts 169.254.169.254/32 on lo as the alias lo:meta (PID 1 only: the host's lo is not ours to change). */
static void add_link_local(void)
{
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return;
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    strcpy(ifr.ifr_name, "lo:meta");
    struct sockaddr_in *a = (struct sockaddr_in *)&ifr.ifr_addr;
    a->sin_family = AF_INET;
    inet_pton(AF_INET, META_ADDR, &a->sin_addr);
    const char *step = "SIOCSIFADDR";
    if (ioctl(fd, SIOCSIFADDR, &ifr) == 0) {
        step = "SIOCSIFNETMASK";
        inet_pton(AF_INET, "255.255.255.255", &a->sin_addr);
        if (ioctl(fd, SIOCSIFNETMASK, &ifr) == 0)
            step = NULL;
    }
    if (step)
        logmsg("metadata address %s on lo: %s: %s", META_ADDR, step, strerror(errno));
    close(fd);
}

void meta_listen(const char *addr, int port)
{
    if (g_pid1_guest)
        add_link_local();
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        logmsg("metadata endpoint: socket: %s", strerror(errno));
        return;
    }
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
    if (inet_pton(AF_INET, addr, &a.sin_addr) != 1 || bind(fd, (struct sockaddr *)&a, sizeof a) < 0 ||
        listen(fd, META_CONNS) < 0) {
        logmsg("metadata endpoint %s:%d: %s", addr, port, strerror(errno));
        close(fd);
        return;
    }
    listen_fd = fd;
}

static const char *reason(int status)
{
    switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 431: return "Request Header Fields Too Large";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return status < 500 ? "Error" : "Server Error";
    }
}

/* Answers the connection with status and body (n bytes) and closes it once written. */
static void respond(struct meta_conn *c, int status, const void *body, size_t n)
{
    char hdr[200];
    int h = snprintf(hdr, sizeof hdr, "HTTP/1.1 %d %s\r\nContent-Type: text/plain; charset=utf-8\r\n"
                     "Content-Length: %zu\r\nConnection: close\r\n\r\n", status, reason(status), n);
    free(c->out);
    c->out = xmalloc((size_t)h + n);
    memcpy(c->out, hdr, (size_t)h);
    if (n)
        memcpy(c->out + h, body, n);
    c->len = (size_t)h + n;
    c->off = 0;
    c->state = C_WRITING;
    c->deadline = now_ms() + META_WRITE_MS;
}

static void respond_text(struct meta_conn *c, int status, const char *msg)
{
    char b[300];
    int n = snprintf(b, sizeof b, "%s\n", msg);
    respond(c, status, b, n < (int)sizeof b ? (size_t)n : sizeof b - 1);
}

static void conn_close(struct meta_conn *c)
{
    if (c->fd >= 0)
        close(c->fd);
    free(c->out);
    memset(c, 0, sizeof *c);
    c->fd = -1;
    c->state = C_FREE;
}

static int valid_name(const char *s)
{
    size_t n = strlen(s);
    if (n < 1 || n > 128)
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || strchr("/_+=.@-", *s)))
            return 0;
    return 1;
}

/* A header line "Name: value" of the head (case-insensitive name); 1 with value copied, 0 absent. */
static int header(const char *head, const char *name, char *val, size_t cap)
{
    size_t nl = strlen(name);
    for (const char *l = strstr(head, "\r\n"); l && l[2]; l = strstr(l + 2, "\r\n")) {
        const char *p = l + 2;
        if (strncasecmp(p, name, nl) || p[nl] != ':')
            continue;
        p += nl + 1;
        while (*p == ' ' || *p == '\t')
            p++;
        size_t k = strcspn(p, "\r\n");
        while (k && (p[k - 1] == ' ' || p[k - 1] == '\t'))
            k--;
        if (k >= cap)
            k = cap - 1;
        memcpy(val, p, k);
        val[k] = 0;
        return 1;
    }
    return 0;
}

/* A whole head arrived: check it, then ask the host (or answer at once). */
static void handle_head(struct meta_conn *c)
{
    char method[8], path[200], v[64];
    if (sscanf(c->head, "%7s %199s HTTP/1.%*c", method, path) != 2)
        return respond_text(c, 400, "malformed request line");
    if (header(c->head, "X-Forwarded-For", v, sizeof v))
        return respond_text(c, 403, "forwarded requests are refused (X-Forwarded-For)");
    if (!header(c->head, "X-Ember-Metadata", v, sizeof v) || strcmp(v, "true"))
        return respond_text(c, 403, "the header X-Ember-Metadata: true is required");
    if (strcmp(method, "GET"))
        return respond_text(c, 405, "only GET");
    static const char prefix[] = "/latest/secrets";
    const char *name = NULL;
    if (!strcmp(path, prefix) || !strcmp(path, "/latest/secrets/"))
        name = "";
    else if (!strncmp(path, "/latest/secrets/", sizeof prefix))
        name = path + sizeof prefix;
    if (!name)
        return respond_text(c, 404, "no such path (try /latest/secrets/)");
    if (*name && !valid_name(name))
        return respond_text(c, 400, "not a secret name");
    if (!meta_stream || meta_stream->dead)
        return respond_text(c, 503, "no host serves the metadata endpoint now");
    if (++next_req > 0x7fffffff)
        next_req = 1;
    c->req = next_req;
    c->state = C_WAITING;
    c->deadline = now_ms() + META_HOST_MS;
    frame_begin(meta_stream->id, T_META_REQUEST);
    put_int(F_REQ, c->req);
    if (*name)
        put_str(F_NAME, name);
    frame_end();
}

static void conn_read(struct meta_conn *c)
{
    ssize_t r = read(c->fd, c->head + c->len, META_HEAD - c->len);
    if (r < 0 && (errno == EAGAIN || errno == EINTR))
        return;
    if (r <= 0)
        return conn_close(c);
    c->len += (size_t)r;
    c->head[c->len] = 0;
    if (memchr(c->head, 0, c->len))
        return respond_text(c, 400, "NUL byte in the request");
    if (strstr(c->head, "\r\n\r\n"))
        return handle_head(c);
    if (c->len == META_HEAD)
        respond_text(c, 431, "request head above 4096 bytes");
}

static void conn_write(struct meta_conn *c)
{
    ssize_t w = write(c->fd, c->out + c->off, c->len - c->off);
    if (w < 0 && (errno == EAGAIN || errno == EINTR))
        return;
    if (w <= 0)
        return conn_close(c);
    c->off += (size_t)w;
    if (c->off == c->len) {
        shutdown(c->fd, SHUT_WR);
        conn_close(c);
    }
}

static void accept_one(void)
{
    for (int i = 0; i < META_CONNS; i++) {
        if (conns[i].state != C_FREE)
            continue;
        int fd = accept4(listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0)
            return;
        memset(&conns[i], 0, sizeof conns[i]);
        conns[i].fd = fd;
        conns[i].state = C_READING;
        conns[i].deadline = now_ms() + META_READ_MS;
        return;
    }
}

void meta_poll_set(void (*add)(int fd, short events, int idx), int64_t now, int *timeout)
{
    int free_slots = 0;
    for (int i = 0; i < META_CONNS; i++) {
        struct meta_conn *c = &conns[i];
        if (c->state == C_FREE) {
            free_slots++;
            continue;
        }
        if (c->state == C_READING)
            add(c->fd, POLLIN, i);
        else if (c->state == C_WRITING)
            add(c->fd, POLLOUT, i);
        int64_t t = c->deadline > now ? c->deadline - now : 0;
        if (*timeout < 0 || t < *timeout)
            *timeout = (int)t;
    }
    if (listen_fd >= 0 && free_slots) /* when full, newcomers wait in the listen backlog */
        add(listen_fd, POLLIN, -1);
}

void meta_ready(int idx, short revents)
{
    if (idx < 0) {
        accept_one();
        return;
    }
    struct meta_conn *c = &conns[idx];
    if (c->state == C_READING && (revents & (POLLIN | POLLHUP | POLLERR)))
        conn_read(c);
    else if (c->state == C_WRITING && (revents & (POLLOUT | POLLHUP | POLLERR)))
        conn_write(c);
}

void meta_timers(int64_t now)
{
    for (int i = 0; i < META_CONNS; i++) {
        struct meta_conn *c = &conns[i];
        if (c->state == C_FREE || now < c->deadline)
            continue;
        if (c->state == C_READING)
            respond_text(c, 408, "request head not received in time");
        else if (c->state == C_WAITING)
            respond_text(c, 504, "the host did not answer in time");
        else
            conn_close(c);
    }
}

/* METADATA: the host answers the endpoint's requests on stream id from now on. */
void meta_open(uint32_t id)
{
    if (meta_stream && !meta_stream->dead) {
        send_error(id, EBUSY, "a metadata stream is open already (stream %u)", meta_stream->id);
        return;
    }
    if (listen_fd < 0) {
        send_error(id, EADDRNOTAVAIL, "the metadata endpoint is not listening (see the console)");
        return;
    }
    meta_stream = stream_new(id, K_META);
    send_empty(id, T_OK);
}

/* The metadata stream ends (CANCEL, host gone, RESTORED): requests waiting for it get 503. */
void meta_end(struct stream *s)
{
    s->dead = 1;
    if (s != meta_stream)
        return;
    meta_stream = NULL;
    for (int i = 0; i < META_CONNS; i++)
        if (conns[i].state == C_WAITING)
            respond_text(&conns[i], 503, "the host went away before it answered");
}

/* META_ANSWER on the metadata stream: its REQ's connection gets the answer (unknown REQ: it timed out, dropped). */
int meta_answer(struct stream *s, const uint8_t *p, size_t n)
{
    (void)s;
    int64_t req, status;
    if (!field_int(p, n, F_REQ, &req) || !field_int(p, n, F_STATUS, &status) || status < 200 || status > 599)
        return violation("META_ANSWER without REQ and a STATUS of 200 to 599");
    struct meta_conn *c = NULL;
    for (int i = 0; i < META_CONNS; i++)
        if (conns[i].state == C_WAITING && conns[i].req == req)
            c = &conns[i];
    if (!c)
        return 0;
    uint32_t len;
    const uint8_t *v = field_nth(p, n, F_VALUE, 0, &len);
    if (status == 200 && v) {
        respond(c, 200, v, len);
        return 0;
    }
    if (status == 200) { /* the list: one name a line */
        size_t total = 0, k = field_count(p, n, F_NAME);
        for (size_t i = 0; i < k; i++) {
            field_nth(p, n, F_NAME, i, &len);
            total += len + 1;
        }
        char *body = xmalloc(total + 1), *at = body;
        for (size_t i = 0; i < k; i++) {
            const uint8_t *nm = field_nth(p, n, F_NAME, i, &len);
            memcpy(at, nm, len);
            at += len;
            *at++ = '\n';
        }
        respond(c, 200, body, total);
        free(body);
        return 0;
    }
    char msg[256] = "error";
    field_str(p, n, F_MESSAGE, msg, sizeof msg);
    respond_text(c, (int)status, msg);
    return 0;
}
