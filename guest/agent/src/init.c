/* PID 1 duties (mounts, hostname, loopback, fd limits) and opening the channel. */
#include "agent.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static struct rlimit child_nofile;
static int have_child_nofile;

static int is_mountpoint(const char *dir)
{
    char parent[PATH_MAX];
    struct stat a, b;
    snprintf(parent, sizeof parent, "%s/..", dir);
    if (stat(dir, &a) < 0 || stat(parent, &b) < 0)
        return 0;
    return a.st_dev != b.st_dev || a.st_ino == b.st_ino;
}

static void mount_fs(const char *src, const char *dir, const char *type, unsigned long flags,
                     const char *opts)
{
    if (mkdir(dir, 0755) < 0 && errno != EEXIST)
        logmsg("mkdir %s: %s", dir, strerror(errno));
    if (is_mountpoint(dir))
        return; /* the initramfs may have moved it here already */
    if (mount(src, dir, type, flags, opts) < 0)
        logmsg("mount %s on %s: %s", type, dir, strerror(errno));
}

/* Children must find fds 0-2 taken, else our pipes could land there. */
static void ensure_std_fds(void)
{
    for (int fd = 0; fd < 3; fd++) {
        if (fcntl(fd, F_GETFD) >= 0)
            continue;
        int c = open("/dev/console", O_RDWR | O_NOCTTY);
        if (c < 0)
            c = open("/dev/null", O_RDWR);
        if (c >= 0 && c != fd) {
            dup2(c, fd);
            close(c);
        }
    }
}

/* Letters, digits, '-' and '.', 1 to 64 bytes, no label starting or ending with '-'. */
int valid_hostname(const char *s)
{
    size_t n = strlen(s);
    if (n < 1 || n > 64 || s[0] == '.' || s[n - 1] == '.')
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        int alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        if (c == '.' && s[i + 1] == '.')
            return 0;
        if (c == '-' && (i == 0 || s[i - 1] == '.' || s[i + 1] == '.' || s[i + 1] == 0))
            return 0;
        if (!alnum && c != '-' && c != '.')
            return 0;
    }
    return 1;
}

static void read_cmdline(char *buf, size_t cap)
{
    buf[0] = 0;
    int fd = open("/proc/cmdline", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return;
    ssize_t n = read(fd, buf, cap - 1);
    close(fd);
    buf[n > 0 ? n : 0] = 0;
}

static void set_hostname(const char *cmdline)
{
    static const char key[] = "ember.hostname=";
    char buf[4096];
    snprintf(buf, sizeof buf, "%s", cmdline);
    for (char *tok = strtok(buf, " \t\n"); tok; tok = strtok(NULL, " \t\n")) {
        if (strncmp(tok, key, sizeof key - 1))
            continue;
        const char *name = tok + sizeof key - 1;
        if (!valid_hostname(name))
            logmsg("ignoring the invalid ember.hostname=%s", name);
        else if (sethostname(name, strlen(name)) < 0)
            logmsg("sethostname %s: %s", name, strerror(errno));
    }
}

static void loopback_up(void)
{
    struct ifreq ifr;
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return;
    memset(&ifr, 0, sizeof ifr);
    strcpy(ifr.ifr_name, "lo");
    if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0 ||
        (ifr.ifr_flags |= IFF_UP | IFF_RUNNING, ioctl(fd, SIOCSIFFLAGS, &ifr) < 0))
        logmsg("bringing up lo: %s", strerror(errno));
    close(fd);
}

void pid1_setup(void)
{
    const unsigned long nse = MS_NOSUID | MS_NODEV | MS_NOEXEC;
    umask(022);
    mount_fs("proc", "/proc", "proc", nse, NULL);
    mount_fs("sysfs", "/sys", "sysfs", nse, NULL);
    mount_fs("devtmpfs", "/dev", "devtmpfs", MS_NOSUID, "mode=0755");
    ensure_std_fds();
    mount_fs("devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC, "gid=5,mode=0620,ptmxmode=0666");
    mount_fs("tmpfs", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777");
    mount_fs("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777");
    mount_fs("tmpfs", "/run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755");
    symlink("/proc/self/fd", "/dev/fd");
    symlink("/proc/self/fd/0", "/dev/stdin");
    symlink("/proc/self/fd/1", "/dev/stdout");
    symlink("/proc/self/fd/2", "/dev/stderr");
    if (mkdir("/workspace", 0755) < 0 && errno != EEXIST)
        logmsg("mkdir /workspace: %s", strerror(errno));
    char cmdline[4096];
    read_cmdline(cmdline, sizeof cmdline);
    set_hostname(cmdline);
    loopback_up();
    net_setup(cmdline);
}

void early_setup(void)
{
    ensure_std_fds();
    /* we hold up to 3 fds per process: take the hard limit, children get the usual one back */
    if (getrlimit(RLIMIT_NOFILE, &child_nofile) == 0) {
        struct rlimit r = child_nofile;
        have_child_nofile = 1;
        r.rlim_cur = r.rlim_max;
        setrlimit(RLIMIT_NOFILE, &r);
    }
}

void restore_child_limits(void)
{
    if (have_child_nofile)
        setrlimit(RLIMIT_NOFILE, &child_nofile);
}

/* Finds the virtio-serial port by name; its number differs between hosts. */
static int try_open_port(const char *name)
{
    char buf[256], dev[300];
    DIR *d = opendir("/sys/class/virtio-ports");
    if (!d)
        return -1;
    int fd = -1;
    struct dirent *e;
    while (fd < 0 && (e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        snprintf(dev, sizeof dev, "/sys/class/virtio-ports/%s/name", e->d_name);
        int nf = open(dev, O_RDONLY | O_CLOEXEC);
        if (nf < 0)
            continue;
        ssize_t n = read(nf, buf, sizeof buf - 1);
        close(nf);
        if (n <= 0)
            continue;
        buf[n] = 0;
        buf[strcspn(buf, "\n")] = 0;
        if (strcmp(buf, name))
            continue;
        snprintf(dev, sizeof dev, "/dev/%s", e->d_name);
        fd = open(dev, O_RDWR | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
        if (fd >= 0)
            logmsg("channel %s (%s)", dev, name);
    }
    closedir(d);
    return fd;
}

int open_virtio_port(const char *name, int wait_ms)
{
    struct timespec ts = { 0, 50 * 1000000 };
    for (int waited = 0;; waited += 50) {
        int fd = try_open_port(name);
        if (fd >= 0 || waited >= wait_ms)
            return fd;
        nanosleep(&ts, NULL);
    }
}

int connect_unix(const char *path)
{
    struct sockaddr_un sa;
    memset(&sa, 0, sizeof sa);
    sa.sun_family = AF_UNIX;
    if (strlen(path) >= sizeof sa.sun_path) {
        errno = ENAMETOOLONG;
        return -1;
    }
    strcpy(sa.sun_path, path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    return fd;
}
