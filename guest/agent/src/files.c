/* File streams (write, read, list) and one-shot file operations (stat, mkdir, remove). */
#include "agent.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define LIST_BATCH 64

static char *xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    return memcpy(xmalloc(n), s, n);
}

/* Reads the PATH field; on failure answers ERROR and returns 0. */
static int get_path(uint32_t id, const uint8_t *p, size_t n, char *path)
{
    int e = field_path(p, n, path, PATH_MAX);
    if (e)
        send_error(id, e, "PATH must be a non-empty absolute path below PATH_MAX bytes");
    return !e;
}

static const char *type_name(mode_t m)
{
    return S_ISREG(m) ? "file" : S_ISDIR(m) ? "directory" : S_ISLNK(m) ? "symlink" : "other";
}

static void put_stat(const struct stat *st)
{
    put_str(F_TYPE, type_name(st->st_mode));
    put_int(F_SIZE, st->st_size);
    put_int(F_MODE, st->st_mode & 07777);
    put_int(F_MTIME_MS, (int64_t)st->st_mtim.tv_sec * 1000 + st->st_mtim.tv_nsec / 1000000);
}

void file_close(struct stream *s, int remove_tmp)
{
    if (s->fd >= 0)
        close(s->fd);
    s->fd = -1;
    if (s->dir)
        closedir(s->dir);
    s->dir = NULL;
    if (remove_tmp && s->tmp)
        unlink(s->tmp);
    s->dead = 1;
}

void file_write_start(uint32_t id, const uint8_t *p, size_t n)
{
    char path[PATH_MAX], tmp[PATH_MAX];
    int64_t mode = 0644;
    struct stat st;
    if (!get_path(id, p, n, path))
        return;
    field_int(p, n, F_MODE, &mode);
    mode &= 07777;
    if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        send_error(id, EISDIR, "%s is a directory", path);
        return;
    }
    if ((size_t)snprintf(tmp, sizeof tmp, "%s.ember-tmp-%u", path, id) >= sizeof tmp) {
        send_error(id, ENAMETOOLONG, "path too long");
        return;
    }
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, (mode_t)mode);
    if (fd < 0) {
        send_error(id, errno, "open %s: %s", tmp, strerror(errno));
        return;
    }
    fchmod(fd, (mode_t)mode); /* exactly MODE, whatever the umask */
    struct stream *s = stream_new(id, K_FWRITE);
    s->fd = fd;
    s->path = xstrdup(path);
    s->tmp = xstrdup(tmp);
}

static void write_failed(struct stream *s, const char *what)
{
    int e = errno;
    send_error(s->id, e, "%s %s: %s", what, s->path, strerror(e));
    file_close(s, 1);
}

int file_write_data(struct stream *s, const uint8_t *p, size_t n)
{
    if ((int64_t)n > s->in_credit)
        return violation("stream %u: FILE_DATA beyond the window", s->id);
    s->in_credit -= (int64_t)n;
    if (n == 0) {
        if (fsync(s->fd) < 0)
            return write_failed(s, "fsync"), 0;
        int r = close(s->fd);
        s->fd = -1;
        if (r < 0)
            return write_failed(s, "close"), 0;
        if (rename(s->tmp, s->path) < 0)
            return write_failed(s, "rename to"), 0;
        send_empty(s->id, T_OK);
        file_close(s, 0);
        return 0;
    }
    for (size_t off = 0; off < n;) {
        ssize_t w = write(s->fd, p + off, n - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            if (w == 0)
                errno = EIO;
            return write_failed(s, "write"), 0;
        }
        off += (size_t)w;
    }
    s->unacked += (int64_t)n;
    if (s->unacked >= ACK_THRESHOLD) {
        send_window(s->id, s->unacked);
        s->in_credit += s->unacked;
        s->unacked = 0;
    }
    return 0;
}

void file_read_start(uint32_t id, const uint8_t *p, size_t n)
{
    char path[PATH_MAX];
    struct stat st;
    memset(&st, 0, sizeof st);
    if (!get_path(id, p, n, path))
        return;
    /* O_NONBLOCK: opening a FIFO must not hang the agent */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) {
        send_error(id, errno, "open %s: %s", path, strerror(errno));
        return;
    }
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        int e = errno;
        if (st.st_mode)
            e = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
        close(fd);
        send_error(id, e, "%s is not a regular file", path);
        return;
    }
    struct stream *s = stream_new(id, K_FREAD);
    s->fd = fd;
    s->remaining = st.st_size; /* never more than announced, even if the file grows */
    s->path = xstrdup(path);
    frame_begin(id, T_FILE_INFO);
    put_int(F_SIZE, st.st_size);
    frame_end();
}

static void file_read_step(struct stream *s)
{
    if (s->remaining > 0) {
        size_t max = MAX_CHUNK;
        if (s->credit <= 0)
            return;
        if (s->credit < (int64_t)max)
            max = (size_t)s->credit;
        if (s->remaining < (int64_t)max)
            max = (size_t)s->remaining;
        uint8_t *buf = data_begin(s->id, T_FILE_DATA, max);
        ssize_t r;
        do
            r = read(s->fd, buf, max);
        while (r < 0 && errno == EINTR);
        if (r < 0) {
            data_abort();
            send_error(s->id, errno, "read %s: %s", s->path, strerror(errno));
            file_close(s, 0);
            return;
        }
        if (r == 0) { /* the file shrank: end here */
            data_abort();
            s->remaining = 0;
        } else {
            data_commit((size_t)r);
            s->credit -= r;
            s->remaining -= r;
        }
    }
    if (s->remaining == 0) {
        send_empty(s->id, T_FILE_DATA);
        file_close(s, 0);
    }
}

void do_stat(uint32_t id, const uint8_t *p, size_t n)
{
    char path[PATH_MAX];
    struct stat st;
    if (!get_path(id, p, n, path))
        return;
    if (lstat(path, &st) < 0) {
        send_error(id, errno, "stat %s: %s", path, strerror(errno));
        return;
    }
    frame_begin(id, T_STAT_RESULT);
    put_stat(&st);
    frame_end();
}

void list_start(uint32_t id, const uint8_t *p, size_t n)
{
    char path[PATH_MAX];
    if (!get_path(id, p, n, path))
        return;
    DIR *d = opendir(path);
    if (!d) {
        send_error(id, errno, "opendir %s: %s", path, strerror(errno));
        return;
    }
    struct stream *s = stream_new(id, K_LIST);
    s->dir = d;
    s->path = xstrdup(path);
}

static void list_step(struct stream *s)
{
    for (int i = 0; i < LIST_BATCH; i++) {
        errno = 0;
        struct dirent *e = readdir(s->dir);
        if (!e) {
            if (errno)
                send_error(s->id, errno, "readdir %s: %s", s->path, strerror(errno));
            else
                send_empty(s->id, T_OK);
            file_close(s, 0);
            return;
        }
        const char *nm = e->d_name;
        struct stat st;
        if ((nm[0] == '.' && (!nm[1] || (nm[1] == '.' && !nm[2]))) ||
            fstatat(dirfd(s->dir), nm, &st, AT_SYMLINK_NOFOLLOW) < 0)
            continue; /* gone since readdir: not an entry any more */
        frame_begin(s->id, T_LIST_ENTRY);
        put_str(F_NAME, nm);
        put_stat(&st);
        frame_end();
    }
}

/* File reads and listings produce while the output queue has room (and reads, credit). */
int producers_pump(void)
{
    int ready = 0;
    for (int round = 0; round < 4 && g_outq_len < OUTQ_HIGH; round++) {
        ready = 0;
        for (struct stream *s = g_streams; s && g_outq_len < OUTQ_HIGH; s = s->next) {
            if (s->dead)
                continue;
            if (s->kind == K_FREAD)
                file_read_step(s);
            else if (s->kind == K_LIST)
                list_step(s);
        }
        for (struct stream *s = g_streams; s; s = s->next)
            if (!s->dead && (s->kind == K_LIST ||
                             (s->kind == K_FREAD && (s->credit > 0 || s->remaining == 0))))
                ready = 1;
        if (!ready)
            break;
    }
    return ready && g_outq_len < OUTQ_HIGH;
}

void do_mkdir(uint32_t id, const uint8_t *p, size_t n)
{
    char path[PATH_MAX];
    int64_t mode = 0755, parents = 0;
    struct stat st;
    if (!get_path(id, p, n, path))
        return;
    field_int(p, n, F_MODE, &mode);
    field_int(p, n, F_PARENTS, &parents);
    mode &= 07777;
    for (size_t len = strlen(path); len > 1 && path[len - 1] == '/'; len--)
        path[len - 1] = 0;
    if (parents) {
        for (char *c = path + 1; *c; c++) {
            if (*c != '/')
                continue;
            *c = 0;
            int r = mkdir(path, 0755);
            int e = errno;
            *c = '/';
            if (r < 0 && e != EEXIST) {
                send_error(id, e, "mkdir %s: %s", path, strerror(e));
                return;
            }
        }
    }
    if (mkdir(path, (mode_t)mode) < 0) {
        int e = errno;
        if (parents && e == EEXIST && stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
            send_empty(id, T_OK);
            return;
        }
        send_error(id, e, "mkdir %s: %s", path, strerror(e));
        return;
    }
    chmod(path, (mode_t)mode); /* exactly MODE, whatever the umask */
    send_empty(id, T_OK);
}

static int rm_errno;
static char rm_where[PATH_MAX];

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    int r = (flag == FTW_DP || flag == FTW_D || flag == FTW_DNR) ? rmdir(path) : unlink(path);
    if (r < 0 && errno != ENOENT) {
        rm_errno = errno;
        snprintf(rm_where, sizeof rm_where, "%s", path);
        return 1;
    }
    return 0;
}

void do_remove(uint32_t id, const uint8_t *p, size_t n)
{
    char path[PATH_MAX], real[PATH_MAX];
    int64_t recursive = 0;
    struct stat st;
    if (!get_path(id, p, n, path))
        return;
    field_int(p, n, F_RECURSIVE, &recursive);
    const char *base = strrchr(path, '/') + 1;
    if (!strcmp(base, ".") || !strcmp(base, "..")) {
        send_error(id, EINVAL, "refusing to remove %s", path);
        return;
    }
    if (lstat(path, &st) < 0) {
        send_error(id, errno, "remove %s: %s", path, strerror(errno));
        return;
    }
    if (!S_ISDIR(st.st_mode)) {
        if (unlink(path) < 0)
            send_error(id, errno, "unlink %s: %s", path, strerror(errno));
        else
            send_empty(id, T_OK);
        return;
    }
    if (realpath(path, real) && !strcmp(real, "/")) {
        send_error(id, EBUSY, "refusing to remove /");
        return;
    }
    if (!recursive) {
        if (rmdir(path) < 0) {
            int e = errno == EEXIST ? ENOTEMPTY : errno;
            send_error(id, e, "rmdir %s: %s", path, strerror(e));
        } else {
            send_empty(id, T_OK);
        }
        return;
    }
    rm_errno = 0;
    /* FTW_PHYS: symlinks are removed, never followed; FTW_DEPTH: contents before their dir */
    int r = nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
    if (r < 0)
        send_error(id, errno, "remove %s: %s", path, strerror(errno));
    else if (rm_errno)
        send_error(id, rm_errno, "remove %s: %s", rm_where, strerror(rm_errno));
    else
        send_empty(id, T_OK);
}
