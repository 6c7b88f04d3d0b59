/* ember-agent: entry point, signals, and the single-threaded poll() loop. */
#include "agent.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/reboot.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PORT_NAME "ember.agent"
#define PORT_WAIT_MS 10000
#define RECONNECT_POLL_MS 1000 /* fallback: SIGIO normally says when the host comes back */

int g_verbose;
int g_host_mode;
int g_pid1_guest;
const char *g_workspace = "/workspace";
static int g_pid1, g_connect_mode, g_connected;
static int chan = -1, sigfd = -1;

static void vlog(const char *prefix, const char *fmt, va_list ap)
{
    char buf[600];
    int n = snprintf(buf, sizeof buf, "ember-agent: %s", prefix);
    n += vsnprintf(buf + n, sizeof buf - (size_t)n, fmt, ap);
    if (n > (int)sizeof buf - 2)
        n = (int)sizeof buf - 2;
    buf[n++] = '\n';
    ssize_t w = write(2, buf, (size_t)n);
    (void)w;
}

void logmsg(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vlog("", fmt, ap);
    va_end(ap);
}

/* As PID 1, exiting would panic the kernel: say why on the console and power off instead. */
void fatal(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vlog("fatal: ", fmt, ap);
    va_end(ap);
    if (!g_pid1) {
        exec_kill_all();
        exit(1);
    }
    struct stat con, err;
    int c = open("/dev/console", O_WRONLY | O_NOCTTY | O_CLOEXEC);
    if (c >= 0 && fstat(c, &con) == 0 && fstat(2, &err) == 0 && con.st_rdev == err.st_rdev) {
        close(c); /* already said on stderr */
        c = -1;
    }
    if (c >= 0) {
        char buf[600];
        va_start(ap, fmt);
        int n = vsnprintf(buf, sizeof buf - 1, fmt, ap);
        va_end(ap);
        if (n > (int)sizeof buf - 2)
            n = (int)sizeof buf - 2;
        buf[n++] = '\n';
        ssize_t w = write(c, "ember-agent: fatal: ", 20);
        w = write(c, buf, (size_t)n);
        (void)w;
        close(c);
    }
    sync();
    reboot(RB_POWER_OFF);
    for (;;)
        pause();
}

void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        fatal("out of memory (%zu bytes)", n);
    return p;
}

void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (!p)
        fatal("out of memory (%zu bytes)", n);
    return p;
}

int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void quit(int code)
{
    exec_kill_all();
    exit(code);
}

/*
 * While no host is attached the port polls as POLLHUP, so it cannot sit in the poll set. The
 * driver raises SIGIO (O_ASYNC) when the host connects: that wakes us through the signalfd.
 */
static void set_connected(int on)
{
    g_connected = on;
    if (!g_connect_mode) {
        int fl = fcntl(chan, F_GETFL);
        fcntl(chan, F_SETFL, on ? fl & ~O_ASYNC : fl | O_ASYNC);
    }
}

static void host_gone(const char *why)
{
    if (g_connect_mode) {
        if (g_verbose)
            logmsg("host closed the channel (%s)", why);
        quit(0);
    }
    logmsg("host disconnected (%s); waiting for it to come back", why);
    streams_reset();
    inq_clear();
    outq_clear();
    set_connected(0);
}

static void after_violation(void)
{
    if (g_connect_mode)
        quit(3);
    streams_reset();
    inq_clear();
    outq_clear();
}

/*
 * A virtio port reports POLLHUP while no host is attached. Bytes that are already readable are
 * kept: they come from the next host, whose data can overtake the driver's (deferred) notice
 * that it connected. The previous host's bytes were all read before its EOF.
 */
static void check_reconnect(void)
{
    struct pollfd p = { .fd = chan, .events = POLLIN };
    if (poll(&p, 1, 0) < 0 || (p.revents & POLLHUP))
        return;
    logmsg("host connected");
    set_connected(1);
}

static void on_signals(void)
{
    struct signalfd_siginfo si;
    while (read(sigfd, &si, sizeof si) == (ssize_t)sizeof si)
        if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT)
            quit(0);
    int status;
    pid_t pid;
    while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
        exec_reaped(pid, status);
}

struct slot {
    struct stream *s;
    int which; /* 0 stdout, 1 stderr, 2 stdin, 3 TCP socket, 4 metadata endpoint (idx: its connection, -1 listener) */
    int idx;
};

static struct pollfd *pfd;
static struct slot *slots;
static size_t nslots, capslots;

static void add_slot(int fd, short events, struct stream *s, int which)
{
    if (nslots == capslots) {
        capslots = capslots ? capslots * 2 : 64;
        pfd = xrealloc(pfd, capslots * sizeof *pfd);
        slots = xrealloc(slots, capslots * sizeof *slots);
    }
    pfd[nslots] = (struct pollfd){ .fd = fd, .events = events };
    slots[nslots++] = (struct slot){ s, which, 0 };
}

static void add_meta_slot(int fd, short events, int idx)
{
    add_slot(fd, events, NULL, 4);
    slots[nslots - 1].idx = idx;
}

static int build_poll_set(int64_t now, int more)
{
    int timeout = more ? 0 : -1;
    nslots = 0;
    add_slot(sigfd, POLLIN, NULL, 0);
    short ev = 0;
    if (g_connected)
        ev = (g_outq_len < OUTQ_STOP_READ ? POLLIN : 0) | (g_outq_len ? POLLOUT : 0);
    add_slot(g_connected ? chan : -1, ev, NULL, 0);
    if (!g_connected)
        timeout = RECONNECT_POLL_MS;
    meta_poll_set(add_meta_slot, now, &timeout);
    for (struct stream *s = g_streams; s; s = s->next) {
        if (!s->dead && s->kind == K_TCP) {
            short tev = tcp_events(s);
            if (tev)
                add_slot(s->fd, tev, s, 3);
            if (s->connecting) {
                int64_t t = s->deadline > now ? s->deadline - now : 0;
                if (timeout < 0 || t < timeout)
                    timeout = (int)t;
            }
            continue;
        }
        if (s->dead || s->kind != K_EXEC)
            continue;
        int can = s->detached || (s->credit > 0 && g_outq_len < OUTQ_HIGH);
        if (s->pty_hold > now) { /* let a trickling terminal fill up: fewer, bigger frames */
            can = 0;
            if (timeout < 0 || s->pty_hold - now < timeout)
                timeout = (int)(s->pty_hold - now);
        }
        s->turn ^= 1; /* alternate so stderr is not starved by stdout under a small window */
        for (int k = 0; k < 2; k++) {
            int which = k ^ s->turn;
            int fd = which ? s->err_fd : s->out_fd;
            if (fd >= 0 && can)
                add_slot(fd, POLLIN, s, which);
        }
        if (s->in_fd >= 0 && s->in_len)
            add_slot(s->in_fd, POLLOUT, s, 2);
        for (int k = 0; k < 2; k++) {
            int64_t when = k ? s->grace_end : s->deadline;
            if (!when)
                continue;
            int64_t t = when > now ? when - now : 0;
            if (t > 3600000) /* poll takes an int; the loop comes back round anyway */
                t = 3600000;
            if (timeout < 0 || t < timeout)
                timeout = (int)t;
        }
    }
    return timeout;
}

static void serve(void)
{
    for (;;) {
        stream_sweep();
        int more = 0;
        for (struct stream *s = g_streams; s; s = s->next)
            more |= exec_finish_check(s);
        more |= producers_pump();
        if (!g_connected && !g_connect_mode)
            check_reconnect();
        if (g_connected && g_outq_len && outq_flush(chan) < 0)
            host_gone(strerror(errno));

        int timeout = build_poll_set(now_ms(), more);
        if (poll(pfd, nslots, timeout) < 0) {
            if (errno == EINTR)
                continue;
            fatal("poll: %s", strerror(errno));
        }
        if (pfd[0].revents)
            on_signals();
        /* pipes before the channel: frames from the host may close streams these slots name */
        for (size_t i = 2; i < nslots; i++) {
            if (pfd[i].revents && slots[i].which == 4) {
                meta_ready(slots[i].idx, pfd[i].revents);
                continue;
            }
            if (!pfd[i].revents || slots[i].s->dead)
                continue;
            if (slots[i].which == 3)
                tcp_ready(slots[i].s, pfd[i].revents);
            else if (slots[i].which == 2)
                exec_stdin_ready(slots[i].s);
            else
                exec_pipe_ready(slots[i].s, slots[i].which);
        }
        exec_timers(now_ms());
        tcp_timers(now_ms());
        meta_timers(now_ms());
        short rev = pfd[1].revents;
        if (rev & POLLIN) {
            int r = inq_read(chan);
            if (r == -2)
                after_violation();
            else if (r <= 0)
                host_gone(r == 0 ? "end of stream" : strerror(errno));
        } else if (rev & (POLLHUP | POLLERR)) {
            host_gone("hangup");
        }
    }
}

static void usage(void)
{
    fprintf(stderr, "usage: ember-agent [--connect UNIX_SOCKET] [--workspace DIR] [--etc DIR] [--metadata-port N] [--verbose]\n"
                    "  as PID 1: sets up the guest and serves the virtio port '" PORT_NAME "'\n"
                    "  --connect: serves a Unix socket instead (host-side tests), no PID 1 duties\n"
                    "  --metadata-port: host mode: the metadata endpoint on 127.0.0.1:N (0: none)\n");
    exit(2);
}

int main(int argc, char **argv)
{
    const char *connect_path = NULL;
    int metadata_port = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--connect") && i + 1 < argc)
            connect_path = argv[++i];
        else if (!strcmp(argv[i], "--workspace") && i + 1 < argc)
            g_workspace = argv[++i];
        else if (!strcmp(argv[i], "--etc") && i + 1 < argc) { /* host-mode tests: users from DIR/passwd, DIR/group */
            static char pw[4096], gr[4096];
            snprintf(pw, sizeof pw, "%s/passwd", argv[++i]);
            snprintf(gr, sizeof gr, "%s/group", argv[i]);
            g_passwd_file = pw;
            g_group_file = gr;
        } else if (!strcmp(argv[i], "--metadata-port") && i + 1 < argc)
            metadata_port = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--verbose"))
            g_verbose = 1;
        else if (!strcmp(argv[i], "--version")) {
            puts(AGENT_NAME);
            return 0;
        } else
            usage();
    }
    g_pid1 = getpid() == 1 && !connect_path;
    g_connect_mode = connect_path != NULL;
    g_host_mode = !g_pid1;
    g_pid1_guest = g_pid1;
    if (g_pid1)
        pid1_setup();
    early_setup();
    if (g_pid1)
        meta_listen(META_ADDR, META_PORT);
    else if (metadata_port > 0 && metadata_port < 65536)
        meta_listen("127.0.0.1", metadata_port);

    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGCHLD);
    sigaddset(&mask, SIGIO);
    signal(SIGPIPE, SIG_IGN);
    if (g_pid1) {
        signal(SIGTERM, SIG_IGN);
        signal(SIGINT, SIG_IGN);
        signal(SIGHUP, SIG_IGN);
    } else {
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        prctl(PR_SET_CHILD_SUBREAPER, 1); /* orphans of our processes come back to us */
    }
    sigprocmask(SIG_BLOCK, &mask, NULL);
    sigfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
    if (sigfd < 0)
        fatal("signalfd: %s", strerror(errno));

    if (g_connect_mode) {
        chan = connect_unix(connect_path);
        if (chan < 0)
            fatal("connect %s: %s", connect_path, strerror(errno));
        g_connected = 1;
    } else {
        chan = open_virtio_port(PORT_NAME, PORT_WAIT_MS);
        if (chan < 0)
            fatal("no virtio port named %s after %d ms", PORT_NAME, PORT_WAIT_MS);
        fcntl(chan, F_SETOWN, getpid());
        set_connected(0);
    }
    serve();
}
