/*
 * The build network: `ember.net=ADDR/PREFIX,GATEWAY,DNS` on the kernel command line (QEMU user-mode
 * NAT: 10.0.2.15/24,10.0.2.2,10.0.2.3). Configured with ioctls, since an image need not have `ip`,
 * and DNS through a bind mount over /etc/resolv.conf, so the image's own file is left alone.
 */
#include "agent.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <net/route.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define IFACE_WAIT_MS 3000
#define RESOLV "/run/ember/resolv.conf"

/* The first interface that is not loopback; waits a little for the driver to register it. */
static int find_iface(char *name, size_t cap)
{
    struct timespec ts = { 0, 20 * 1000000 };
    for (int waited = 0; waited <= IFACE_WAIT_MS; waited += 20) {
        DIR *d = opendir("/sys/class/net");
        struct dirent *e;
        int found = 0;
        while (d && !found && (e = readdir(d)))
            if (e->d_name[0] != '.' && strcmp(e->d_name, "lo") && strlen(e->d_name) < cap && strlen(e->d_name) < IFNAMSIZ) {
                memcpy(name, e->d_name, strlen(e->d_name) + 1);
                found = 1;
            }
        if (d)
            closedir(d);
        if (found)
            return 0;
        nanosleep(&ts, NULL);
    }
    return -1;
}

static void set_sin(struct sockaddr *sa, struct in_addr a)
{
    struct sockaddr_in sin;
    memset(&sin, 0, sizeof sin);
    sin.sin_family = AF_INET;
    sin.sin_addr = a;
    memcpy(sa, &sin, sizeof sin);
}

static int configure(const char *ifn, struct in_addr addr, int prefix, struct in_addr gw)
{
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    memcpy(ifr.ifr_name, ifn, strnlen(ifn, IFNAMSIZ - 1));
    struct in_addr mask = { htonl(prefix ? 0xFFFFFFFFu << (32 - prefix) : 0) };
    const char *step = "SIOCSIFADDR";
    set_sin(&ifr.ifr_addr, addr);
    if (ioctl(fd, SIOCSIFADDR, &ifr) < 0)
        goto fail;
    step = "SIOCSIFNETMASK";
    set_sin(&ifr.ifr_netmask, mask);
    if (ioctl(fd, SIOCSIFNETMASK, &ifr) < 0)
        goto fail;
    step = "SIOCGIFFLAGS";
    if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
        goto fail;
    step = "SIOCSIFFLAGS";
    ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
    if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
        goto fail;
    struct rtentry rt;
    memset(&rt, 0, sizeof rt);
    set_sin(&rt.rt_dst, (struct in_addr){ 0 });
    set_sin(&rt.rt_genmask, (struct in_addr){ 0 });
    set_sin(&rt.rt_gateway, gw);
    rt.rt_flags = RTF_UP | RTF_GATEWAY;
    step = "SIOCADDRT (default route)";
    if (ioctl(fd, SIOCADDRT, &rt) < 0 && errno != EEXIST)
        goto fail;
    close(fd);
    return 0;
fail:
    logmsg("network: %s on %s: %s", step, ifn, strerror(errno));
    close(fd);
    return -1;
}

static void resolver(struct in_addr dns)
{
    char text[64];
    int n = snprintf(text, sizeof text, "nameserver %s\n", inet_ntoa(dns));
    if (mkdir("/run/ember", 0755) < 0 && errno != EEXIST) {
        logmsg("network: mkdir /run/ember: %s", strerror(errno));
        return;
    }
    int fd = open(RESOLV, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0 || write(fd, text, (size_t)n) != n) {
        logmsg("network: writing " RESOLV ": %s", strerror(errno));
        if (fd >= 0)
            close(fd);
        return;
    }
    close(fd);
    struct stat st;
    if (stat("/etc/resolv.conf", &st) < 0) { /* missing (or a dangling link): an empty file to mount on */
        int c = open("/etc/resolv.conf", O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
        if (c < 0) {
            logmsg("network: creating /etc/resolv.conf: %s", strerror(errno));
            return;
        }
        close(c);
    }
    if (mount(RESOLV, "/etc/resolv.conf", NULL, MS_BIND, NULL) < 0)
        logmsg("network: bind-mounting " RESOLV " on /etc/resolv.conf: %s", strerror(errno));
}

void net_setup(const char *cmdline)
{
    static const char key[] = "ember.net=";
    const char *w = strstr(cmdline, key);
    while (w && w != cmdline && w[-1] != ' ')
        w = strstr(w + 1, key);
    if (!w)
        return;
    char spec[128], ifn[64];
    size_t len = strcspn(w + sizeof key - 1, " \t\n");
    if (len >= sizeof spec) {
        logmsg("network: ember.net= is too long");
        return;
    }
    memcpy(spec, w + sizeof key - 1, len);
    spec[len] = 0;
    char *slash = strchr(spec, '/'), *c1 = strchr(spec, ','), *c2 = c1 ? strchr(c1 + 1, ',') : NULL;
    struct in_addr addr, gw, dns;
    int prefix = -1;
    if (slash && c1 && c2 && slash < c1) {
        *slash = *c1 = *c2 = 0;
        if (sscanf(slash + 1, "%d", &prefix) != 1 || prefix < 0 || prefix > 32)
            prefix = -1;
    }
    if (prefix < 0 || !inet_aton(spec, &addr) || !inet_aton(c1 + 1, &gw) || !inet_aton(c2 + 1, &dns)) {
        logmsg("network: ember.net= must be ADDR/PREFIX,GATEWAY,DNS");
        return;
    }
    if (find_iface(ifn, sizeof ifn) < 0) {
        logmsg("network: no network interface appeared within %d ms (virtio_net loaded?)", IFACE_WAIT_MS);
        return;
    }
    if (configure(ifn, addr, prefix, gw) == 0)
        logmsg("network: %s up, %s/%d via %s", ifn, spec, prefix, c1 + 1);
    resolver(dns);
}
