/* EXEC streams: spawning, pipes, stdin with flow control, signals, timeouts, exit. */
#include "agent.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

enum { STAGE_SETUP = 1, STAGE_CHDIR, STAGE_EXEC, STAGE_USER };

/* What EXEC and SPAWN share: the command, its environment, directory and user. */
struct launch {
    char **argv, **envp, **env_block; /* envp is env_block, or a copy of its pointers plus TERM */
    const char *path;
    char cwd[PATH_MAX];
    struct user_ids user;
};

/* Tells the parent why the child could not exec, then dies. */
static void child_fail(int fd, int stage, int err)
{
    int msg[2] = { stage, err };
    ssize_t w = write(fd, msg, sizeof msg);
    (void)w;
    _exit(127);
}

/* Runs in the forked child: execvpe with the PATH of the new environment, not ours. */
static void child_exec(const struct launch *l, int in_r, int out_w, int err_w, int ctty, int report)
{
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    signal(SIGPIPE, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    signal(SIGINT, SIG_DFL);
    signal(SIGHUP, SIG_DFL);
    setsid();
    if (ctty >= 0 && ioctl(ctty, TIOCSCTTY, 0) < 0) /* the session's controlling terminal */
        child_fail(report, STAGE_SETUP, errno);
    restore_child_limits();

    int fd0 = in_r;
    if (fd0 < 0 && (fd0 = open("/dev/null", O_RDONLY | O_CLOEXEC)) < 0) {
        int p[2]; /* no /dev/null: an empty pipe reads as EOF just the same */
        if (pipe2(p, O_CLOEXEC) < 0)
            child_fail(report, STAGE_SETUP, errno);
        close(p[1]);
        fd0 = p[0];
    }
    if (dup2(fd0, 0) < 0 || dup2(out_w, 1) < 0 || dup2(err_w, 2) < 0)
        child_fail(report, STAGE_SETUP, errno);
    if (apply_user(&l->user) < 0) /* before chdir: the directory is entered with the user's rights */
        child_fail(report, STAGE_USER, errno);
    if (chdir(l->cwd) < 0)
        child_fail(report, STAGE_CHDIR, errno);

    char **argv = l->argv, **envp = l->envp;
    const char *file = argv[0];
    if (strchr(file, '/')) {
        execve(file, argv, envp);
        child_fail(report, STAGE_EXEC, errno);
    }
    size_t flen = strlen(file);
    int eacces = 0;
    char buf[PATH_MAX];
    for (const char *p = l->path; flen;) {
        const char *end = strchrnul(p, ':');
        size_t dlen = (size_t)(end - p);
        if (dlen + flen + 2 <= sizeof buf) {
            memcpy(buf, p, dlen);
            buf[dlen] = '/';
            memcpy(buf + dlen + 1, file, flen + 1);
            execve(dlen ? buf : file, argv, envp);
            if (errno == EACCES)
                eacces = 1;
            else if (errno != ENOENT && errno != ENOTDIR && errno != ENAMETOOLONG)
                child_fail(report, STAGE_EXEC, errno);
        }
        if (!*end)
            break;
        p = end + 1;
    }
    child_fail(report, STAGE_EXEC, eacces ? EACCES : ENOENT);
}

/* Copies the repeated string field `tag` into a NULL-terminated array; NULL if one holds a NUL. */
static char **string_array(const uint8_t *p, size_t n, uint8_t tag, size_t *count)
{
    size_t c = field_count(p, n, tag), bytes = 0;
    uint32_t len;
    for (size_t i = 0; i < c; i++) {
        const uint8_t *v = field_nth(p, n, tag, i, &len);
        if (memchr(v, 0, len))
            return NULL;
        bytes += len + 1;
    }
    char **arr = xmalloc((c + 1) * sizeof *arr + bytes);
    char *str = (char *)(arr + c + 1);
    for (size_t i = 0; i < c; i++) {
        const uint8_t *v = field_nth(p, n, tag, i, &len);
        arr[i] = str;
        memcpy(str, v, len);
        str[len] = 0;
        str += len + 1;
    }
    arr[c] = NULL;
    *count = c;
    return arr;
}

static void close_pair(int p[2])
{
    if (p[0] >= 0) close(p[0]);
    if (p[1] >= 0) close(p[1]);
    p[0] = p[1] = -1;
}

static void set_nonblock(int fd)
{
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

static void launch_free(struct launch *l)
{
    if (l->envp != l->env_block)
        free(l->envp);
    free(l->argv);
    free(l->env_block);
    l->argv = l->envp = l->env_block = NULL;
}

/* A terminal's programs need TERM: the default unless the host sent one. */
static void default_term(struct launch *l)
{
    size_t c = 0;
    for (; l->envp[c]; c++)
        if (!strncmp(l->envp[c], "TERM=", 5))
            return;
    char **e = xmalloc((c + 2) * sizeof *e);
    memcpy(e, l->envp, c * sizeof *e);
    e[c] = "TERM=xterm-256color";
    e[c + 1] = NULL;
    l->envp = e;
}

/* Parses ARG, ENV, CWD and USER; on a bad request sends ERROR and returns -1. */
static int launch_parse(uint32_t id, const char *what, const uint8_t *p, size_t n, struct launch *l)
{
    size_t argc = 0, envc = 0;
    char user[128], err[300];
    memset(l, 0, sizeof *l);
    l->argv = string_array(p, n, F_ARG, &argc);
    l->envp = l->env_block = string_array(p, n, F_ENV, &envc);
    int r = field_str(p, n, F_CWD, l->cwd, sizeof l->cwd);
    int ur = field_str(p, n, F_USER, user, sizeof user);
    if (!l->argv || !l->envp || argc == 0 || !l->argv[0][0]) {
        send_error(id, EINVAL, "%s needs a non-empty ARG and strings without NUL bytes", what);
        return -1;
    }
    if (r == -1)
        snprintf(l->cwd, sizeof l->cwd, "%s", g_workspace);
    else if (r < 0 || l->cwd[0] != '/') {
        send_error(id, r == -3 ? ENAMETOOLONG : EINVAL, "CWD must be an absolute path");
        return -1;
    }
    if (ur == -2 || ur == -3 || ur == 0) {
        send_error(id, EINVAL, "USER must be 1 to %zu bytes without NUL", sizeof user - 1);
        return -1;
    }
    if (ur > 0 && (r = resolve_user(user, &l->user, err, sizeof err)) != 0) {
        send_error(id, r, "%s", err);
        return -1;
    }
    l->path = DEFAULT_PATH;
    for (size_t i = 0; i < envc; i++)
        if (!strncmp(l->envp[i], "PATH=", 5))
            l->path = l->envp[i] + 5;
    return 0;
}

/*
 * Forks the child and waits until it has exec'd (the report pipe closes on exec) or failed. On
 * failure sends ERROR and returns -1; else returns the pid.
 */
static pid_t launch_fork(uint32_t id, const struct launch *l, int in_r, int out_w, int err_w, int ctty)
{
    int rep[2];
    if (pipe2(rep, O_CLOEXEC) < 0) {
        send_error(id, errno, "pipe: %s", strerror(errno));
        return -1;
    }
    pid_t pid = fork();
    if (pid < 0) {
        send_error(id, errno, "fork: %s", strerror(errno));
        close_pair(rep);
        return -1;
    }
    if (pid == 0)
        child_exec(l, in_r, out_w, err_w, ctty, rep[1]);
    close(rep[1]);
    int msg[2];
    ssize_t got;
    do /* closed by exec (CLOEXEC) on success, else the child's reason */
        got = read(rep[0], msg, sizeof msg);
    while (got < 0 && errno == EINTR);
    close(rep[0]);
    if (got != (ssize_t)sizeof msg)
        return pid;
    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
        ;
    if (msg[0] == STAGE_CHDIR)
        send_error(id, msg[1], "chdir %s: %s", l->cwd, strerror(msg[1]));
    else if (msg[0] == STAGE_EXEC)
        send_error(id, msg[1], "exec %s: %s", l->argv[0], strerror(msg[1]));
    else if (msg[0] == STAGE_USER)
        send_error(id, msg[1], "switching to uid %u gid %u: %s", (unsigned)l->user.uid, (unsigned)l->user.gid,
                   strerror(msg[1]));
    else
        send_error(id, msg[1], "process setup: %s", strerror(msg[1]));
    return -1;
}

/*
 * With a terminal the child's 0-2 are its slave; the master is read as STDOUT (out_fd) and written
 * as stdin through a duplicate (in_fd), so closing stdin never hangs the terminal up.
 */
void exec_start(uint32_t id, const uint8_t *p, size_t n)
{
    struct launch l;
    int64_t timeout = 0, want_stdin = 0;
    field_int(p, n, F_TIMEOUT_MS, &timeout);
    field_int(p, n, F_STDIN, &want_stdin);
    int in[2] = { -1, -1 }, out[2] = { -1, -1 }, err[2] = { -1, -1 }, tty[2] = { -1, -1 }, pty;
    pid_t pid;
    if (launch_parse(id, "EXEC", p, n, &l) < 0)
        goto done;
    if (timeout < 0) {
        send_error(id, EINVAL, "negative TIMEOUT_MS");
        goto done;
    }
    if ((pty = pty_request(id, p, n, &tty[0], &tty[1])) < 0)
        goto done;
    if (pty) {
        default_term(&l);
        if ((in[1] = fcntl(tty[0], F_DUPFD_CLOEXEC, 0)) < 0) {
            send_error(id, errno, "dup: %s", strerror(errno));
            goto done;
        }
        pid = launch_fork(id, &l, tty[1], tty[1], tty[1], tty[1]);
        out[0] = tty[0]; /* already non-blocking, as is its duplicate */
        tty[0] = -1;
    } else {
        if ((want_stdin && pipe2(in, O_CLOEXEC) < 0) || pipe2(out, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0) {
            send_error(id, errno, "pipe: %s", strerror(errno));
            goto done;
        }
        pid = launch_fork(id, &l, in[0], out[1], err[1], -1);
        set_nonblock(out[0]);
        set_nonblock(err[0]);
        if (in[1] >= 0)
            set_nonblock(in[1]);
    }
    if (pid < 0)
        goto done;

    struct stream *s = stream_new(id, K_EXEC);
    s->pid = pid;
    s->pty = (uint8_t)pty;
    s->out_fd = out[0];
    s->err_fd = err[0];
    s->in_fd = in[1];
    out[0] = err[0] = in[1] = -1;
    if (timeout > 0) /* beyond ~35 years means never */
        s->deadline = timeout < (1LL << 40) ? now_ms() + timeout : 0;
    frame_begin(id, T_STARTED);
    put_int(F_PID, pid);
    frame_end();
    if (g_verbose)
        logmsg("stream %u: started %s as pid %d", id, l.argv[0], (int)pid);
done:
    close_pair(in);
    close_pair(out);
    close_pair(err);
    close_pair(tty);
    launch_free(&l);
}

/*
 * SPAWN: a process that belongs to no stream. It outlives the channel; we only reap it (PID 1
 * reaps everything; in host mode we are its subreaper). STARTED is the last frame of the stream.
 */
void spawn_start(uint32_t id, const uint8_t *p, size_t n)
{
    struct launch l;
    char logpath[PATH_MAX];
    int64_t v = 0;
    int fd = -1;
    if (launch_parse(id, "SPAWN", p, n, &l) < 0)
        goto done;
    if ((field_int(p, n, F_TIMEOUT_MS, &v) && v) || (field_int(p, n, F_STDIN, &v) && v)) {
        send_error(id, EINVAL, "SPAWN takes no TIMEOUT_MS and no STDIN");
        goto done;
    }
    int r = field_str(p, n, F_PATH, logpath, sizeof logpath);
    if (r == -1)
        snprintf(logpath, sizeof logpath, "/dev/null");
    else if (r <= 0 || logpath[0] != '/') {
        send_error(id, r == -3 ? ENAMETOOLONG : EINVAL, "the log PATH of SPAWN must be an absolute path");
        goto done;
    }
    fd = open(logpath, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0600);
    if (fd < 0) {
        send_error(id, errno, "open log %s: %s", logpath, strerror(errno));
        goto done;
    }
    pid_t pid = launch_fork(id, &l, -1, fd, fd, -1);
    if (pid < 0)
        goto done;
    frame_begin(id, T_STARTED);
    put_int(F_PID, pid);
    frame_end();
    if (g_verbose)
        logmsg("stream %u: spawned %s as pid %d, output to %s", id, l.argv[0], (int)pid, logpath);
done:
    if (fd >= 0)
        close(fd);
    launch_free(&l);
}

/* Signals the stream's process group, unless its id may already belong to a newer process. */
static void kill_group(struct stream *s, int signo)
{
    pty_signal_foreground(s, signo);
    if (s->reaped)
        for (struct stream *o = g_streams; o; o = o->next)
            if (o != s && o->kind == K_EXEC && !o->dead && o->pid == s->pid && !o->reaped)
                return;
    if (kill(-s->pid, signo) < 0 && !s->reaped)
        kill(s->pid, signo);
}

void exec_signal(struct stream *s, int signo)
{
    if (signo <= 0) {
        logmsg("stream %u: ignoring SIGNAL with an invalid signal number", s->id);
        return;
    }
    kill_group(s, signo);
}

static void free_stdin(struct stream *s)
{
    if (s->in_fd >= 0)
        close(s->in_fd);
    s->in_fd = -1;
    free(s->in_buf);
    s->in_buf = NULL;
    s->in_off = s->in_len = s->in_cap = 0;
}

/* Nobody is at a detached terminal any more: closing it hangs it up (SIGHUP), as a dropped ssh does. */
void exec_detach(struct stream *s)
{
    s->detached = 1;
    free_stdin(s);
    if (s->pty && s->out_fd >= 0) {
        close(s->out_fd);
        s->out_fd = -1;
    }
}

void exec_cancel(struct stream *s)
{
    kill_group(s, SIGKILL);
    exec_detach(s);
}

void exec_kill_all(void)
{
    for (struct stream *s = g_streams; s; s = s->next)
        if (s->kind == K_EXEC && !s->dead)
            kill_group(s, SIGKILL);
}

/* Returns credit to the host for stdin bytes written to the pipe (or dropped). */
static void consumed(struct stream *s, size_t n)
{
    s->unacked += (int64_t)n;
    if (s->unacked > 0 && !s->detached && (s->unacked >= ACK_THRESHOLD || s->in_len == 0)) {
        send_window(s->id, s->unacked);
        s->in_credit += s->unacked;
        s->unacked = 0;
    }
}

/* The process closed its stdin: what is buffered and what still comes is dropped. */
static void stdin_broken(struct stream *s)
{
    size_t dropped = s->in_len;
    close(s->in_fd);
    s->in_fd = -1;
    free(s->in_buf);
    s->in_buf = NULL;
    s->in_off = s->in_len = s->in_cap = 0;
    consumed(s, dropped);
}

void exec_stdin_ready(struct stream *s)
{
    while (s->in_len && s->in_fd >= 0) {
        ssize_t w = write(s->in_fd, s->in_buf + s->in_off, s->in_len);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            if (errno != EAGAIN)
                stdin_broken(s);
            return;
        }
        s->in_off += (size_t)w;
        s->in_len -= (size_t)w;
        consumed(s, (size_t)w);
    }
    if (s->in_len == 0) {
        free(s->in_buf);
        s->in_buf = NULL;
        s->in_off = s->in_cap = 0;
        if (s->in_closing && s->in_fd >= 0) {
            close(s->in_fd);
            s->in_fd = -1;
        }
    }
}

/* An empty STDIN on a terminal is the user's ^D (EOT): the terminal itself stays open. */
static const uint8_t EOT = 0x04;

int exec_stdin(struct stream *s, const uint8_t *p, size_t n)
{
    if ((int64_t)n > s->in_credit)
        return violation("stream %u: STDIN beyond the window", s->id);
    if (s->in_closing)
        return violation("stream %u: STDIN after stdin was closed", s->id);
    s->in_credit -= (int64_t)n;
    if (n == 0 && s->pty) {
        if (s->in_len >= WINDOW_INIT) /* a terminal that reads nothing does not buffer endless EOTs */
            return 0;
        s->unacked -= 1; /* the EOT byte is ours, not the host's: writing it returns no credit */
        return exec_stdin_append(s, &EOT, 1);
    }
    if (n == 0) {
        s->in_closing = 1;
        exec_stdin_ready(s);
        return 0;
    }
    return exec_stdin_append(s, p, n);
}

/* Writes what the pipe takes now and buffers the rest (at most the window the host was granted). */
int exec_stdin_append(struct stream *s, const uint8_t *p, size_t n)
{
    if (s->in_fd < 0) { /* stdin was /dev/null or the process closed it */
        consumed(s, n);
        return 0;
    }
    size_t w = 0;
    if (s->in_len == 0) {
        ssize_t r = write(s->in_fd, p, n);
        if (r < 0 && errno != EAGAIN && errno != EINTR) {
            stdin_broken(s);
            consumed(s, n);
            return 0;
        }
        w = r > 0 ? (size_t)r : 0;
    }
    size_t rest = n - w;
    if (rest) {
        if (s->in_off + s->in_len + rest > s->in_cap) {
            if (s->in_len) /* the first chunk finds no buffer: NULL + 0 is undefined (found by fuzzing) */
                memmove(s->in_buf, s->in_buf + s->in_off, s->in_len);
            s->in_off = 0;
            if (s->in_len + rest > s->in_cap) {
                s->in_cap = s->in_len + rest > 2 * s->in_cap ? s->in_len + rest : 2 * s->in_cap;
                s->in_buf = xrealloc(s->in_buf, s->in_cap);
            }
        }
        memcpy(s->in_buf + s->in_off + s->in_len, p + w, rest);
        s->in_len += rest;
    }
    if (w)
        consumed(s, w);
    return 0;
}

void exec_pipe_ready(struct stream *s, int is_err)
{
    int *fd = is_err ? &s->err_fd : &s->out_fd;
    int64_t *left = is_err ? &s->err_left : &s->out_left;
    if (*fd < 0)
        return;
    size_t max = MAX_CHUNK;
    if (!s->detached) {
        if (s->credit <= 0 || g_outq_len >= OUTQ_HIGH)
            return;
        if (s->credit < (int64_t)max)
            max = (size_t)s->credit;
    }
    if (*left > 0 && *left < (int64_t)max) /* cut: only what the pipe held then */
        max = (size_t)*left;
    /* a detached stream reads into the queue's spare room and drops it */
    uint8_t *buf = data_begin(s->id, is_err ? T_STDERR : T_STDOUT, max);
    ssize_t r = read(*fd, buf, max);
    if (r > 0) {
        if (s->detached) {
            data_abort();
        } else {
            data_commit((size_t)r);
            s->credit -= r;
            /*
             * A program on a terminal writes line by line (stdio is line-buffered there): read at once, every line
             * is a frame and a wake-up. After a small read the next waits a little; a keystroke's echo does not.
             */
            if (s->pty && r < PTY_SMALL_READ)
                s->pty_hold = now_ms() + PTY_HOLD_MS;
        }
        if (*left > 0 && (*left -= r) <= 0) {
            close(*fd);
            *fd = -1;
        }
        return;
    }
    data_abort();
    if (r < 0 && (errno == EAGAIN || errno == EINTR))
        return;
    close(*fd);
    *fd = -1;
}

/*
 * The grace after the process was reaped is over and a pipe is still open: a process it left behind (`setsid
 * sleep 100 &`, a daemon) holds it, and would hold the stream, the caller and the host's deadline for ever. What
 * the pipe holds now is still sent (the process's last output may be waiting for credit); then it is closed, and
 * whoever still writes to it gets EPIPE.
 */
static void cut_pipe(int *fd, int64_t *left)
{
    int queued = 0;
    if (*fd < 0)
        return;
    if (ioctl(*fd, FIONREAD, &queued) < 0 || queued <= 0) {
        close(*fd);
        *fd = -1;
        return;
    }
    *left = queued;
}

void exec_reaped(pid_t pid, int status)
{
    for (struct stream *s = g_streams; s; s = s->next)
        if (s->kind == K_EXEC && !s->dead && !s->reaped && s->pid == pid) {
            s->reaped = 1;
            s->status = status;
            if (!s->pty) /* a terminal is drained without waiting for its end (pty_drain) */
                s->grace_end = now_ms() + EXIT_GRACE_MS;
            return;
        }
    /* an orphan that was reparented to us: reaping it is all there is to do */
}

void exec_timers(int64_t now)
{
    for (struct stream *s = g_streams; s; s = s->next) {
        if (s->kind != K_EXEC || s->dead)
            continue;
        if (s->deadline && now >= s->deadline) {
            s->deadline = 0;
            s->timed_out = 1;
            kill_group(s, SIGKILL); /* its reaping starts the grace, after which the pipes are cut */
        }
        if (s->grace_end && now >= s->grace_end) {
            s->grace_end = 0;
            cut_pipe(&s->out_fd, &s->out_left);
            cut_pipe(&s->err_fd, &s->err_left);
        }
    }
}

/*
 * EXIT goes out only once the process is reaped and both pipes reached EOF or were cut EXIT_GRACE_MS
 * after the reaping (a terminal: nothing more to read, see pty_drain). Returns 1 when the loop should
 * come back at once.
 */
int exec_finish_check(struct stream *s)
{
    if (s->kind != K_EXEC || s->dead || !s->reaped)
        return 0;
    if (pty_drain(s))
        return 1;
    if (s->out_fd >= 0 || s->err_fd >= 0)
        return 0;
    if (!s->detached) {
        frame_begin(s->id, T_EXIT);
        put_int(F_CODE, WIFEXITED(s->status) ? WEXITSTATUS(s->status) : -1);
        put_int(F_SIGNO, WIFSIGNALED(s->status) ? WTERMSIG(s->status) : 0);
        put_int(F_TIMED_OUT, s->timed_out);
        frame_end();
    }
    s->dead = 1;
    return 0;
}
