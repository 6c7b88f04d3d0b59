/*
 * ember-jailer: starts one VMM process in a jail (docs/jail.md).
 *
 * Runs as root, once per VMM start, and execs nothing but the program after "--". In order:
 *   1. joins the cgroups it is given (their limits then cover every process and thread below),
 *   2. writes its own pid to --pidfile (the host-visible pid of this VM: the server supervises it),
 *   3. unshares mount, PID, IPC, UTS (and network, unless --netns or --host-net) namespaces,
 *   4. forks the VMM as PID 1 of the new PID namespace, which builds a root holding only the --bind paths
 *      (plus /usr, a few device nodes and a private /proc), pivots into it, sets rlimits, drops every
 *      capability, changes to --uid/--gid/--groups, sets no_new_privs and execs the VMM with an empty environment,
 *      (--ro-ram: with ember-ro-ram.so preloaded, see ro-ram.c),
 *   5. stays as the VMM's parent: copies the VMM's stdout/stderr to its own stdout up to --log-limit bytes,
 *      and exits as the VMM did (same exit code, or the same signal). It dies -> the VMM dies (PDEATHSIG).
 * Every failure before the exec is a message on stderr and exit code 125 (126 for the exec itself).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <linux/capability.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_LIST 64
#define FAIL_CODE 125

struct bind { const char *path; int writable; };

static struct {
    const char *id, *root, *pidfile, *netns, *program, *ro_ram, *preload;
    uid_t uid; gid_t gid;
    gid_t groups[MAX_LIST]; int ngroups;
    struct bind binds[MAX_LIST]; int nbinds;
    const char *devs[MAX_LIST]; int ndevs;
    const char *owndevs[MAX_LIST]; int nowndevs;
    const char *cgroups[MAX_LIST]; int ncgroups;
    int host_net;
    rlim_t nofile, nproc, fsize;
    long long log_limit;
    char **argv;
} cfg = { .nofile = 1024, .nproc = 512, .fsize = RLIM_INFINITY, .log_limit = 1 << 20 };

static void die(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fputs("ember-jailer: ", stderr);
    vfprintf(stderr, fmt, ap);
    if (errno) fprintf(stderr, ": %s", strerror(errno));
    fputc('\n', stderr);
    va_end(ap);
    _exit(FAIL_CODE);
}

static unsigned long long number(const char *s, const char *what) {
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (!*s || *end || errno || s[0] == '-') { errno = 0; die("%s: not a number: '%s'", what, s); }
    return v;
}

static const char *absolute(const char *p, const char *what) {
    if (p[0] != '/' || strstr(p, "/../") || strstr(p, "/./") || strlen(p) >= PATH_MAX - 64) {
        errno = 0;
        die("%s must be a plain absolute path: '%s'", what, p);
    }
    return p;
}

static void parse(int argc, char **argv) {
    int i;
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--")) { i++; break; }
        if (i + 1 >= argc) { errno = 0; die("%s needs a value", a); }
        const char *v = argv[++i];
        if (!strcmp(a, "--id")) cfg.id = v;
        else if (!strcmp(a, "--root")) cfg.root = absolute(v, a);
        else if (!strcmp(a, "--pidfile")) cfg.pidfile = absolute(v, a);
        else if (!strcmp(a, "--netns")) cfg.netns = absolute(v, a);
        else if (!strcmp(a, "--net")) {
            if (!strcmp(v, "host")) cfg.host_net = 1;
            else if (strcmp(v, "none")) { errno = 0; die("--net is host or none"); }
        }
        else if (!strcmp(a, "--uid")) cfg.uid = (uid_t) number(v, a);
        else if (!strcmp(a, "--gid")) cfg.gid = (gid_t) number(v, a);
        else if (!strcmp(a, "--group")) {
            if (cfg.ngroups == MAX_LIST) { errno = 0; die("too many --group"); }
            cfg.groups[cfg.ngroups++] = (gid_t) number(v, a);
        }
        else if (!strcmp(a, "--bind") || !strcmp(a, "--bind-ro")) {
            if (cfg.nbinds == MAX_LIST) { errno = 0; die("too many binds"); }
            cfg.binds[cfg.nbinds].path = absolute(v, a);
            cfg.binds[cfg.nbinds++].writable = !strcmp(a, "--bind");
        }
        else if (!strcmp(a, "--dev")) {
            if (cfg.ndevs == MAX_LIST || strncmp(absolute(v, a), "/dev/", 5)) { errno = 0; die("bad --dev '%s'", v); }
            cfg.devs[cfg.ndevs++] = v;
        }
        else if (!strcmp(a, "--dev-own")) {
            if (cfg.nowndevs == MAX_LIST || strncmp(absolute(v, a), "/dev/", 5)) { errno = 0; die("bad --dev-own '%s'", v); }
            cfg.owndevs[cfg.nowndevs++] = v;
        }
        else if (!strcmp(a, "--cgroup")) {
            if (cfg.ncgroups == MAX_LIST) { errno = 0; die("too many --cgroup"); }
            cfg.cgroups[cfg.ncgroups++] = absolute(v, a);
        }
        else if (!strcmp(a, "--ro-ram")) cfg.ro_ram = absolute(v, a);
        else if (!strcmp(a, "--preload")) cfg.preload = absolute(v, a);
        else if (!strcmp(a, "--nofile")) cfg.nofile = number(v, a);
        else if (!strcmp(a, "--nproc")) cfg.nproc = number(v, a);
        else if (!strcmp(a, "--fsize")) cfg.fsize = number(v, a);
        else if (!strcmp(a, "--log-limit")) cfg.log_limit = (long long) number(v, a);
        else { errno = 0; die("unknown option '%s'", a); }
    }
    errno = 0;
    if (!cfg.id || !cfg.root || !cfg.pidfile) die("--id, --root and --pidfile are required");
    if (cfg.uid == 0 || cfg.gid == 0) die("--uid and --gid must not be 0");
    if (i >= argc) die("no program after --");
    if (!cfg.ro_ram != !cfg.preload) die("--ro-ram and --preload go together");
    cfg.program = absolute(argv[i], "the program");
    cfg.argv = argv + i;
}

static void write_file(const char *path, const char *text) {
    int fd = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) die("open %s", path);
    ssize_t n = write(fd, text, strlen(text));
    if (n != (ssize_t) strlen(text)) die("write '%s' to %s", text, path);
    close(fd);
}

static void join_cgroups(void) {
    char path[PATH_MAX], pid[32];
    snprintf(pid, sizeof pid, "%d", getpid());
    for (int i = 0; i < cfg.ncgroups; i++) {
        snprintf(path, sizeof path, "%s/cgroup.procs", cfg.cgroups[i]);
        write_file(path, pid);
    }
}

static void write_pidfile(void) {
    char tmp[PATH_MAX], text[32];
    snprintf(tmp, sizeof tmp, "%s.tmp", cfg.pidfile);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) die("open %s", tmp);
    int len = snprintf(text, sizeof text, "%d\n", getpid());
    if (write(fd, text, len) != len) die("write %s", tmp);
    close(fd);
    if (rename(tmp, cfg.pidfile)) die("rename %s", tmp);
}

/* mkdir -p of the parents of path (below the new root), root-owned 0755. */
static void make_parents(const char *path) {
    char buf[PATH_MAX];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *s = buf + 1; *s; s++) {
        if (*s != '/') continue;
        *s = 0;
        if (mkdir(buf, 0755) && errno != EEXIST) die("mkdir %s", buf);
        *s = '/';
    }
    errno = 0;
}

/* Binds host path src at the same path under the new root; read-only unless writable. */
static void bind_into(const char *src, int writable, int device) {
    char dst[PATH_MAX];
    struct stat st;
    if (stat(src, &st)) die("stat %s", src);
    snprintf(dst, sizeof dst, "%s%s", cfg.root, src);
    make_parents(dst);
    if (S_ISDIR(st.st_mode)) {
        if (mkdir(dst, 0755) && errno != EEXIST) die("mkdir %s", dst);
    } else {
        int fd = open(dst, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
        if (fd < 0) die("create %s", dst);
        close(fd);
    }
    errno = 0;
    if (mount(src, dst, NULL, MS_BIND | MS_REC, NULL)) die("bind %s", src);
    unsigned long flags = MS_BIND | MS_REMOUNT | MS_NOSUID | (device ? MS_NOEXEC : MS_NODEV);
    if (!writable) flags |= MS_RDONLY;
    if (mount(NULL, dst, NULL, flags, NULL)) die("remount %s", dst);
}

/*
 * A node for the host's character device src in the jail, owned by --uid/--gid, mode 0600: for a device only root may
 * open on the host (/dev/net/tun is 0600 on some hosts), which the VMM needs without joining root's group. The jail's
 * root is its own tmpfs: the node exists only there.
 */
static void own_device(const char *src) {
    char dst[PATH_MAX];
    struct stat st;
    if (stat(src, &st)) die("stat %s", src);
    errno = 0;
    if (!S_ISCHR(st.st_mode)) die("--dev-own %s is not a character device", src);
    snprintf(dst, sizeof dst, "%s%s", cfg.root, src);
    make_parents(dst);
    if (mknod(dst, S_IFCHR | 0600, st.st_rdev)) die("mknod %s", dst);
    if (chown(dst, cfg.uid, cfg.gid)) die("chown %s", dst);
}

/* /bin, /lib, /lib64, /sbin: symlinks into /usr where the host has them (merged /usr), read-only binds otherwise. */
static void system_dirs(void) {
    static const char *dirs[] = { "/bin", "/sbin", "/lib", "/lib64", "/lib32", "/libx32" };
    char target[PATH_MAX], dst[PATH_MAX];
    bind_into("/usr", 0, 0);
    for (size_t i = 0; i < sizeof dirs / sizeof *dirs; i++) {
        ssize_t n = readlink(dirs[i], target, sizeof target - 1);
        snprintf(dst, sizeof dst, "%s%s", cfg.root, dirs[i]);
        if (n > 0) {
            target[n] = 0;
            if (symlink(target, dst)) die("symlink %s", dst);
        } else if (access(dirs[i], F_OK) == 0) {
            bind_into(dirs[i], 0, 0);
        }
        errno = 0;
    }
}

static void build_root(void) {
    char path[PATH_MAX];
    /* The directories made here must be the modes written below whatever umask the server runs with (bin/ember
     * runs it under 077, which would make them 0700 root's: the VMM's uid could not reach its own files). */
    mode_t mask = umask(022);
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL)) die("make / private");
    if (mount("tmpfs", cfg.root, "tmpfs", MS_NOSUID, "size=1m,nr_inodes=4096,mode=0755")) die("tmpfs on %s", cfg.root);
    system_dirs();
    for (int i = 0; i < cfg.nbinds; i++) bind_into(cfg.binds[i].path, cfg.binds[i].writable, 0);
    if (cfg.preload) bind_into(cfg.preload, 0, 0);
    static const char *always[] = { "/dev/null", "/dev/zero", "/dev/urandom", "/dev/random" };
    for (size_t i = 0; i < sizeof always / sizeof *always; i++) bind_into(always[i], 1, 1);
    for (int i = 0; i < cfg.ndevs; i++) bind_into(cfg.devs[i], 1, 1);
    for (int i = 0; i < cfg.nowndevs; i++) own_device(cfg.owndevs[i]);
    snprintf(path, sizeof path, "%s/proc", cfg.root);
    if (mkdir(path, 0555) && errno != EEXIST) die("mkdir %s", path);
    if (mount("proc", path, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, "hidepid=2")) die("mount proc");
    snprintf(path, sizeof path, "%s/tmp", cfg.root);
    if (mkdir(path, 0755) && errno != EEXIST) die("mkdir %s", path);
    errno = 0;
    if (chdir(cfg.root)) die("chdir %s", cfg.root);
    if (syscall(SYS_pivot_root, ".", ".")) die("pivot_root");
    if (umount2(".", MNT_DETACH)) die("detach the old root");
    if (chdir("/")) die("chdir /");
    if (mount(NULL, "/", NULL, MS_REMOUNT | MS_RDONLY | MS_NOSUID, "size=1m,nr_inodes=4096,mode=0755")) die("remount / read-only");
    umask(mask);
}

static void limit(int resource, rlim_t value, const char *name) {
    struct rlimit r = { value, value };
    struct rlimit cur;
    if (getrlimit(resource, &cur) == 0 && cur.rlim_max != RLIM_INFINITY && value > cur.rlim_max) r.rlim_cur = r.rlim_max = cur.rlim_max;
    if (setrlimit(resource, &r)) die("setrlimit %s", name);
}

static void drop_privileges(void) {
    for (int cap = 0; cap <= 63; cap++)
        if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) && errno != EINVAL) die("drop capability %d from the bounding set", cap);
    errno = 0;
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) && errno != EINVAL) die("clear ambient capabilities");
    errno = 0;
    if (setgroups(cfg.ngroups, cfg.groups)) die("setgroups");
    if (setresgid(cfg.gid, cfg.gid, cfg.gid)) die("setresgid");
    if (setresuid(cfg.uid, cfg.uid, cfg.uid)) die("setresuid");
    struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
    struct __user_cap_data_struct d[2];
    memset(d, 0, sizeof d);
    if (syscall(SYS_capset, &h, d)) die("clear capabilities");
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)) die("no_new_privs");
    if (setuid(0) == 0) { errno = 0; die("still able to become root"); }
    errno = 0;
}

static void close_from(int lowest) {
    if (syscall(SYS_close_range, lowest, ~0U, 0) == 0) return;
    for (int fd = lowest; fd < 65536; fd++) close(fd);
}

/*
 * The VMM must die with the jailer (the server kills the jailer's pid). PDEATHSIG is cleared by every credential
 * change, so it is set after the uid switch; a jailer that died before that is noticed through the life pipe, whose
 * write end only the jailer holds: it reads as hung up once the jailer is gone.
 */
static void die_with_parent(int life) {
    if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0)) die("PDEATHSIG");
    struct pollfd p = { .fd = life, .events = POLLIN };
    if (poll(&p, 1, 0) > 0 && (p.revents & (POLLHUP | POLLERR))) _exit(FAIL_CODE);
}

static void child(int out, int life) {
    setsid();
    if (sethostname("ember-vmm", 9)) die("sethostname");
    build_root();
    limit(RLIMIT_CORE, 0, "core");
    limit(RLIMIT_NOFILE, cfg.nofile, "nofile");
    limit(RLIMIT_FSIZE, cfg.fsize, "fsize");
    limit(RLIMIT_MEMLOCK, 0, "memlock");
    /* NPROC counts the threads of every process of this uid: the VMM's vCPU and I/O threads. The uid is this VM's alone. */
    limit(RLIMIT_NPROC, cfg.nproc, "nproc");
    drop_privileges();
    die_with_parent(life);
    if (dup2(out, 1) < 0 || dup2(out, 2) < 0) die("dup2");
    close_from(3);
    char preload[PATH_MAX + 16], ro_ram[PATH_MAX + 16];
    char *envp[] = { "PATH=/usr/bin:/bin", "LC_ALL=C", NULL, NULL, NULL };
    if (cfg.preload) {
        /* see ro-ram.c: QEMU 7.2 opens a privately mapped RAM file read-write; the library makes that open read-only */
        snprintf(preload, sizeof preload, "LD_PRELOAD=%s", cfg.preload);
        snprintf(ro_ram, sizeof ro_ram, "EMBER_RO_RAM=%s", cfg.ro_ram);
        envp[2] = preload;
        envp[3] = ro_ram;
    }
    execve(cfg.program, cfg.argv, envp);
    fprintf(stderr, "ember-jailer: exec %s: %s\n", cfg.program, strerror(errno));
    _exit(126);
}

/* Copies the VMM's output to stdout, at most log_limit bytes; drains the rest so the VMM never blocks on it. */
static void pump(int in) {
    char buf[8192];
    long long written = 0;
    int noted = 0;
    for (;;) {
        ssize_t n = read(in, buf, sizeof buf);
        if (n == 0) return;
        if (n < 0) { if (errno == EINTR) continue; return; }
        if (written < cfg.log_limit) {
            ssize_t keep = n;
            if (written + keep > cfg.log_limit) keep = (ssize_t) (cfg.log_limit - written);
            if (write(1, buf, keep) < 0) { /* the log is gone: keep draining */ }
            written += keep;
        } else if (!noted) {
            static const char note[] = "\nember-jailer: log limit reached; further VMM output is dropped\n";
            if (write(1, note, sizeof note - 1) < 0) { /* nothing to do */ }
            noted = 1;
        }
    }
}

int main(int argc, char **argv) {
    parse(argc, argv);
    if (geteuid() != 0) { errno = 0; die("must run as root (it builds the jail, then drops to --uid)"); }
    int netfd = -1;
    if (cfg.netns && (netfd = open(cfg.netns, O_RDONLY | O_CLOEXEC)) < 0) die("open %s", cfg.netns);
    join_cgroups();
    write_pidfile();
    int flags = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS;
    if (netfd >= 0) {
        if (setns(netfd, CLONE_NEWNET)) die("setns %s", cfg.netns);
        close(netfd);
    } else if (!cfg.host_net) {
        flags |= CLONE_NEWNET;
    }
    if (unshare(flags)) die("unshare");
    int pipefd[2], lifefd[2];
    if (pipe2(pipefd, O_CLOEXEC) || pipe2(lifefd, O_CLOEXEC)) die("pipe");
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) die("fork");
    if (pid == 0) {
        close(pipefd[0]);
        close(lifefd[1]);
        child(pipefd[1], lifefd[0]);
    }
    close(pipefd[1]);
    close(lifefd[0]);
    signal(SIGPIPE, SIG_IGN);
    pump(pipefd[0]);
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) die("waitpid");
    unlink(cfg.pidfile);
    if (WIFSIGNALED(status)) {
        int sig = WTERMSIG(status);
        signal(sig, SIG_DFL);
        struct rlimit none = { 0, 0 };
        setrlimit(RLIMIT_CORE, &none);
        kill(getpid(), sig);
        _exit(128 + sig);
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : FAIL_CODE;
}
