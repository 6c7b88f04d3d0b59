/*
 * libFuzzer target: the bytes the host sends the agent, read by the agent's own inq_read (frame decoder, dispatch,
 * fields, the stream table and every per-stream check: STDIN, FILE_DATA and TCP_DATA windows, SIGNAL, RESIZE,
 * WINDOW, CANCEL, META_ANSWER, RESTORED's validation). Built with ASan and UBSan (make fuzz).
 *
 * Nothing reaches the machine: requests that would start a process, write or remove a file, list a directory or
 * open a connection are replaced (-Wl,--wrap) by stand-ins that open a stream of the same kind over harmless
 * descriptors (a pipe for a process's stdin, a socket pair for a connection, /dev/null for a file, renamed inside
 * a private directory), so what follows on that stream runs the real code. Process ids are above pid_max, so a
 * SIGNAL or CANCEL signals nothing. The agent runs in host mode, in which RESTORED checks its fields and changes
 * nothing (clock, RNG, hostname).
 *
 * Besides the sanitizers, after each input: no stream has negative credit or more than a window of the host's
 * data accepted without returning credit, and none buffers more stdin or TCP data than the window.
 */
#include "../src/agent.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* What main.c provides to the other files. */
int g_verbose;
int g_host_mode = 1;
int g_pid1_guest;
const char *g_workspace = "/nonexistent";

void logmsg(const char *fmt, ...) { (void)fmt; } /* violations are expected: printing them is most of the time */

void fatal(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    abort();
}

void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        abort();
    return p;
}

void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (!p)
        abort();
    return p;
}

int64_t now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

#define NO_SUCH_PID 0x3fffffff /* above any pid_max (at most 2^22): kill() finds nothing */
static char dir[] = "/tmp/ember-fuzz-agent-XXXXXX";

static void nonblocking(int fd) { fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK); }

void __wrap_exec_start(uint32_t id, const uint8_t *p, size_t n)
{
    int64_t stdin_on = 0, pty = 0;
    field_int(p, n, F_STDIN, &stdin_on);
    field_int(p, n, F_PTY, &pty);
    if (field_count(p, n, F_ARG) == 0) {
        send_error(id, EINVAL, "EXEC without ARG");
        return;
    }
    struct stream *s = stream_new(id, K_EXEC);
    s->pid = NO_SUCH_PID;
    s->pty = pty == 1;
    if (stdin_on == 1 || s->pty) {
        int fds[2];
        if (pipe(fds) == 0) {
            nonblocking(fds[1]);
            s->in_fd = fds[1];
            s->err_fd = fds[0]; /* a process that never reads: the pipe fills, then the agent buffers */
        }
    }
    frame_begin(id, T_STARTED);
    put_int(F_PID, s->pid);
    frame_end();
}

void __wrap_spawn_start(uint32_t id, const uint8_t *p, size_t n)
{
    (void)p, (void)n;
    frame_begin(id, T_STARTED);
    put_int(F_PID, NO_SUCH_PID);
    frame_end();
}

void __wrap_file_write_start(uint32_t id, const uint8_t *p, size_t n)
{
    char path[4096];
    int err = field_path(p, n, path, sizeof path);
    if (err) {
        send_error(id, err, "bad path");
        return;
    }
    struct stream *s = stream_new(id, K_FWRITE);
    s->fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
    size_t len = strlen(dir) + 16;
    s->path = xmalloc(len);
    s->tmp = xmalloc(len);
    snprintf(s->path, len, "%s/file", dir);
    snprintf(s->tmp, len, "%s/file.tmp", dir);
    close(open(s->tmp, O_WRONLY | O_CREAT | O_CLOEXEC, 0600)); /* what the rename at the end moves */
}

void __wrap_file_read_start(uint32_t id, const uint8_t *p, size_t n)
{
    (void)p, (void)n;
    stream_new(id, K_FREAD); /* the host sends nothing on it but CANCEL */
}

void __wrap_list_start(uint32_t id, const uint8_t *p, size_t n)
{
    (void)p, (void)n;
    stream_new(id, K_LIST);
}

void __wrap_do_mkdir(uint32_t id, const uint8_t *p, size_t n)
{
    (void)p, (void)n;
    send_empty(id, T_OK);
}

void __wrap_do_remove(uint32_t id, const uint8_t *p, size_t n)
{
    (void)p, (void)n;
    send_empty(id, T_OK);
}

void __wrap_tcp_connect(uint32_t id, const uint8_t *p, size_t n)
{
    int64_t port;
    if (!field_int(p, n, F_PORT, &port) || port < 1 || port > 65535) {
        send_error(id, EINVAL, "CONNECT needs a PORT of 1 to 65535");
        return;
    }
    int fds[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds) < 0)
        abort();
    struct stream *s = stream_new(id, K_TCP);
    s->fd = fds[0];
    s->err_fd = fds[1]; /* an application that never reads (closed with the stream; TCP does not use err_fd) */
    send_empty(id, T_OK);
}

void __wrap_meta_open(uint32_t id)
{
    stream_new(id, K_META);
    send_empty(id, T_OK);
}

static void check_streams(void)
{
    for (struct stream *s = g_streams; s; s = s->next) {
        if (s->in_credit < 0 || s->in_credit > WINDOW_INIT) {
            fprintf(stderr, "stream %u: credit for the host of %lld bytes\n", s->id, (long long)s->in_credit);
            abort();
        }
        if (s->in_len > WINDOW_INIT + 1) { /* + the EOT a terminal's empty STDIN stands for */
            fprintf(stderr, "stream %u: %zu bytes buffered\n", s->id, s->in_len);
            abort();
        }
        if (s->credit < 0 || s->credit > WINDOW_MAX) {
            fprintf(stderr, "stream %u: credit to send of %lld bytes\n", s->id, (long long)s->credit);
            abort();
        }
    }
}

static int channel = -1;

static void remove_dir(void)
{
    char path[sizeof dir + 16];
    snprintf(path, sizeof path, "%s/file", dir);
    unlink(path);
    snprintf(path, sizeof path, "%s/file.tmp", dir);
    unlink(path);
    rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    signal(SIGPIPE, SIG_IGN); /* as main.c: a write to a closed pipe is an error, not the end */
    if (!mkdtemp(dir))
        abort();
    atexit(remove_dir);
    channel = memfd_create("host-bytes", MFD_CLOEXEC);
    if (channel < 0)
        abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (ftruncate(channel, 0) < 0 || pwrite(channel, data, size, 0) != (ssize_t)size || lseek(channel, 0, SEEK_SET) < 0)
        abort();
    int r;
    while ((r = inq_read(channel)) == 1) {
        check_streams();
        outq_clear(); /* the host read it all */
    }
    if (r != 0 && r != -2) /* end of the bytes, or a violation: the only ways out */
        abort();
    check_streams();
    streams_reset(); /* as when the host goes away */
    for (struct stream *s = g_streams; s; s = s->next)
        s->dead = 1;
    stream_sweep();
    inq_clear();
    outq_clear();
    return 0;
}
