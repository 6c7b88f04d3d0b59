/* EXEC with a terminal: the pseudo-terminal, its size, and how its stream ends. */
#include "agent.h"

#include <errno.h>
#include <fcntl.h>
#include <pty.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

/* ROWS and COLS of `p`; 0 when both are valid (absent = 24 x 80), else -1. */
static int dims(const uint8_t *p, size_t n, struct winsize *ws)
{
    int64_t rows = 24, cols = 80;
    field_int(p, n, F_ROWS, &rows);
    field_int(p, n, F_COLS, &cols);
    if (rows < 1 || rows > PTY_MAX_DIM || cols < 1 || cols > PTY_MAX_DIM)
        return -1;
    memset(ws, 0, sizeof *ws);
    ws->ws_row = (unsigned short)rows;
    ws->ws_col = (unsigned short)cols;
    return 0;
}

/*
 * The PTY, ROWS and COLS fields of an EXEC. With PTY=1 opens the terminal at its size; both fds
 * are CLOEXEC (the child dup2s the slave onto 0-2, which clears the flag there).
 */
int pty_request(uint32_t id, const uint8_t *p, size_t n, int *master, int *slave)
{
    int64_t want = 0, v;
    struct winsize ws;
    field_int(p, n, F_PTY, &want);
    if (want != 0 && want != 1) {
        send_error(id, EINVAL, "PTY must be 0 or 1");
        return -1;
    }
    if (!want) {
        if (field_int(p, n, F_ROWS, &v) || field_int(p, n, F_COLS, &v)) {
            send_error(id, EINVAL, "ROWS and COLS need PTY=1");
            return -1;
        }
        return 0;
    }
    if (dims(p, n, &ws) < 0) {
        send_error(id, EINVAL, "ROWS and COLS must be 1 to %d", PTY_MAX_DIM);
        return -1;
    }
    if (openpty(master, slave, NULL, NULL, &ws) < 0) {
        send_error(id, errno, "openpty: %s", strerror(errno));
        return -1;
    }
    fcntl(*master, F_SETFD, FD_CLOEXEC);
    fcntl(*slave, F_SETFD, FD_CLOEXEC);
    fcntl(*master, F_SETFL, fcntl(*master, F_GETFL) | O_NONBLOCK);
    return 1;
}

/* RESIZE: the kernel sends SIGWINCH to the terminal's foreground group itself. */
int pty_resize(struct stream *s, const uint8_t *p, size_t n)
{
    struct winsize ws;
    int64_t v;
    if (!field_int(p, n, F_ROWS, &v) || !field_int(p, n, F_COLS, &v) || dims(p, n, &ws) < 0)
        return violation("RESIZE on stream %u without ROWS and COLS of 1 to %d", s->id, PTY_MAX_DIM);
    int fd = s->out_fd >= 0 ? s->out_fd : s->in_fd;
    if (s->pty && fd >= 0 && ioctl(fd, TIOCSWINSZ, &ws) < 0)
        logmsg("stream %u: TIOCSWINSZ: %s", s->id, strerror(errno));
    return 0; /* a stream without a terminal has no size: ignored */
}

/*
 * A shell with job control runs each job in its own process group, so signals for "the process"
 * also go to the terminal's foreground group, as a terminal's ^C would.
 */
void pty_signal_foreground(struct stream *s, int signo)
{
    int fd = s->out_fd >= 0 ? s->out_fd : s->in_fd;
    if (!s->pty || fd < 0)
        return;
    pid_t fg = tcgetpgrp(fd);
    if (fg > 1 && fg != s->pid)
        kill(-fg, signo);
}

/*
 * After the child is reaped. A background job may hold the terminal open for ever, so EOF (EIO)
 * cannot be awaited: the stream ends once a read finds nothing more (EAGAIN). One read per loop
 * turn, within the credit; returns 1 when the loop should come back at once.
 */
int pty_drain(struct stream *s)
{
    if (!s->pty || !s->reaped || s->out_fd < 0)
        return 0;
    if (!s->detached && (s->credit <= 0 || g_outq_len >= OUTQ_HIGH))
        return 0; /* a WINDOW or the queue draining brings us back */
    size_t max = MAX_CHUNK;
    if (!s->detached && s->credit < (int64_t)max)
        max = (size_t)s->credit;
    uint8_t *buf = data_begin(s->id, T_STDOUT, max);
    ssize_t r = read(s->out_fd, buf, max);
    if (r > 0 && !s->detached) {
        data_commit((size_t)r);
        s->credit -= r;
        return 1;
    }
    data_abort();
    if (r > 0 || (r < 0 && errno == EINTR))
        return 1;
    close(s->out_fd); /* EAGAIN, EIO or 0: the terminal has nothing more; closing it hangs it up */
    s->out_fd = -1;
    if (s->in_fd >= 0) {
        close(s->in_fd);
        s->in_fd = -1;
    }
    return 0;
}
