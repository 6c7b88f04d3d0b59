/*
 * The NIC: `ember.net=ADDR/PREFIX,GATEWAY,DNS` on the kernel command line configures it at boot (its MAC is the
 * device's own); RESTORED's NET field `ADDR/PREFIX,GATEWAY,DNS,MAC` reconfigures it after a restore from a snapshot
 * (every clone of an image gets its own MAC and address). Configured with ioctls, since an image need not have `ip`,
 * and DNS through a bind mount over /etc/resolv.conf, so the image's own file is left alone.
 */
#include "agent.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <net/route.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define IFACE_WAIT_MS 3000
#define RESOLV "/run/ember/resolv.conf"

static int g_resolv_mounted; /* in RAM: a restored guest remembers its bind mount */

/* The first interface that is not loopback; waits up to wait_ms for the driver to register it. */
static int find_iface(char *name, size_t cap, int wait_ms)
{
    struct timespec ts = { 0, 20 * 1000000 };
    for (int waited = 0;; waited += 20) {
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
        if (waited >= wait_ms)
            return -1;
        nanosleep(&ts, NULL);
    }
}

static void set_sin(struct sockaddr *sa, struct in_addr a)
{
    struct sockaddr_in sin;
    memset(&sin, 0, sizeof sin);
    sin.sin_family = AF_INET;
    sin.sin_addr = a;
    memcpy(sa, &sin, sizeof sin);
}

/* No IPv6 on the NIC: the host drops it anyway, and the guest then sends no DAD, router solicitations or MLD. */
static void no_ipv6(const char *ifn)
{
    char path[96];
    snprintf(path, sizeof path, "/proc/sys/net/ipv6/conf/%s/disable_ipv6", ifn);
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd >= 0) {
        if (write(fd, "1", 1) != 1) { /* a kernel without IPv6 on it: nothing to disable */ }
        close(fd);
    }
}

/*
 * Sets the interface's MAC (when c->has_mac), its one IPv4 address (SIOCSIFADDR replaces the primary address, and
 * with it the old subnet route) and the default route via the gateway. The interface goes down first: that drops
 * its routes and neighbour entries (the old gateway's MAC), and a MAC change needs it on some drivers.
 * 0, or an errno with err set.
 */
static int configure(const char *ifn, const struct net_conf *c, char *err, size_t ecap)
{
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        snprintf(err, ecap, "socket: %s", strerror(errno));
        return errno;
    }
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    memcpy(ifr.ifr_name, ifn, strnlen(ifn, IFNAMSIZ - 1));
    struct in_addr mask = { htonl(c->prefix ? 0xFFFFFFFFu << (32 - c->prefix) : 0) };
    const char *step = "SIOCGIFFLAGS";
    if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
        goto fail;
    short flags = ifr.ifr_flags;
    if (c->has_mac) {
        step = "SIOCSIFFLAGS (down)";
        ifr.ifr_flags = flags & ~IFF_UP;
        if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
            goto fail;
        step = "SIOCSIFHWADDR";
        ifr.ifr_hwaddr.sa_family = ARPHRD_ETHER;
        memcpy(ifr.ifr_hwaddr.sa_data, c->mac, 6);
        if (ioctl(fd, SIOCSIFHWADDR, &ifr) < 0)
            goto fail;
    }
    no_ipv6(ifn);
    step = "SIOCSIFADDR";
    set_sin(&ifr.ifr_addr, c->addr);
    if (ioctl(fd, SIOCSIFADDR, &ifr) < 0)
        goto fail;
    step = "SIOCSIFNETMASK";
    set_sin(&ifr.ifr_netmask, mask);
    if (ioctl(fd, SIOCSIFNETMASK, &ifr) < 0)
        goto fail;
    step = "SIOCSIFFLAGS (up)";
    ifr.ifr_flags = flags | IFF_UP | IFF_RUNNING;
    if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
        goto fail;
    struct rtentry rt;
    memset(&rt, 0, sizeof rt);
    set_sin(&rt.rt_dst, (struct in_addr){ 0 });
    set_sin(&rt.rt_genmask, (struct in_addr){ 0 });
    rt.rt_flags = RTF_UP;
    while (ioctl(fd, SIOCDELRT, &rt) == 0) /* every old default route (one normally; none after the down) */
        ;
    set_sin(&rt.rt_gateway, c->gw);
    rt.rt_flags = RTF_UP | RTF_GATEWAY;
    step = "SIOCADDRT (default route)";
    if (ioctl(fd, SIOCADDRT, &rt) < 0 && errno != EEXIST)
        goto fail;
    close(fd);
    return 0;
fail:;
    int e = errno;
    snprintf(err, ecap, "%s on %s: %s", step, ifn, strerror(e));
    close(fd);
    return e;
}

/* /run/ember/resolv.conf gets `nameserver DNS`, written in place (the bind mount holds the inode), and is bind-mounted
 * over /etc/resolv.conf once. 0 or an errno with err set. */
static int resolver(struct in_addr dns, char *err, size_t ecap)
{
    char text[64];
    int n = snprintf(text, sizeof text, "nameserver %s\n", inet_ntoa(dns));
    if (mkdir("/run/ember", 0755) < 0 && errno != EEXIST) {
        snprintf(err, ecap, "mkdir /run/ember: %s", strerror(errno));
        return errno;
    }
    int fd = open(RESOLV, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd < 0 || write(fd, text, (size_t)n) != n) {
        int e = errno ? errno : EIO;
        snprintf(err, ecap, "writing " RESOLV ": %s", strerror(e));
        if (fd >= 0)
            close(fd);
        return e;
    }
    close(fd);
    if (g_resolv_mounted)
        return 0;
    struct stat st;
    if (stat("/etc/resolv.conf", &st) < 0) { /* missing (or a dangling link): an empty file to mount on */
        int c = open("/etc/resolv.conf", O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
        if (c < 0) {
            snprintf(err, ecap, "creating /etc/resolv.conf: %s", strerror(errno));
            return errno;
        }
        close(c);
    }
    if (mount(RESOLV, "/etc/resolv.conf", NULL, MS_BIND, NULL) < 0) {
        snprintf(err, ecap, "bind-mounting " RESOLV " on /etc/resolv.conf: %s", strerror(errno));
        return errno;
    }
    g_resolv_mounted = 1;
    return 0;
}

static int hex(char ch)
{
    return ch >= '0' && ch <= '9' ? ch - '0' : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : ch >= 'A' && ch <= 'F' ? ch - 'A' + 10 : -1;
}

/* `ADDR/PREFIX,GATEWAY,DNS` (with_mac: then `,MAC`, a unicast xx:xx:xx:xx:xx:xx). */
int net_parse(const char *text, int with_mac, struct net_conf *c)
{
    char s[128];
    if (strlen(text) >= sizeof s)
        return -1;
    strcpy(s, text);
    memset(c, 0, sizeof *c);
    char *slash = strchr(s, '/'), *c1 = strchr(s, ','), *c2 = c1 ? strchr(c1 + 1, ',') : NULL;
    char *c3 = c2 ? strchr(c2 + 1, ',') : NULL;
    if (!slash || !c1 || !c2 || slash > c1 || (with_mac ? !c3 || strchr(c3 + 1, ',') : c3 != NULL))
        return -1;
    *slash = *c1 = *c2 = 0;
    if (c3)
        *c3 = 0;
    char *end;
    long prefix = strtol(slash + 1, &end, 10);
    if (end == slash + 1 || *end || prefix < 1 || prefix > 31)
        return -1;
    c->prefix = (int)prefix;
    if (inet_pton(AF_INET, s, &c->addr) != 1 || inet_pton(AF_INET, c1 + 1, &c->gw) != 1
        || inet_pton(AF_INET, c2 + 1, &c->dns) != 1)
        return -1;
    if (with_mac) {
        const char *m = c3 + 1;
        if (strlen(m) != 17)
            return -1;
        for (int i = 0; i < 6; i++) {
            int hi = hex(m[3 * i]), lo = hex(m[3 * i + 1]);
            if (hi < 0 || lo < 0 || (i < 5 && m[3 * i + 2] != ':'))
                return -1;
            c->mac[i] = (unsigned char)(hi << 4 | lo);
        }
        static const unsigned char zero[6];
        if ((c->mac[0] & 1) || !memcmp(c->mac, zero, 6))
            return -1; /* multicast or all zeros: not a NIC's address */
        c->has_mac = 1;
    }
    return 0;
}

int net_reconfigure(const struct net_conf *c, char *err, size_t ecap)
{
    char ifn[64];
    if (find_iface(ifn, sizeof ifn, 0) < 0) {
        snprintf(err, ecap, "the guest has no network interface");
        return ENODEV;
    }
    int rc = configure(ifn, c, err, ecap);
    return rc ? rc : resolver(c->dns, err, ecap);
}

void net_setup(const char *cmdline)
{
    static const char key[] = "ember.net=";
    const char *w = strstr(cmdline, key);
    while (w && w != cmdline && w[-1] != ' ')
        w = strstr(w + 1, key);
    if (!w)
        return;
    char spec[128], ifn[64], err[256];
    size_t len = strcspn(w + sizeof key - 1, " \t\n");
    struct net_conf c;
    if (len >= sizeof spec) {
        logmsg("network: ember.net= is too long");
        return;
    }
    memcpy(spec, w + sizeof key - 1, len);
    spec[len] = 0;
    if (net_parse(spec, 0, &c) < 0) {
        logmsg("network: ember.net= must be ADDR/PREFIX,GATEWAY,DNS");
        return;
    }
    if (find_iface(ifn, sizeof ifn, IFACE_WAIT_MS) < 0) {
        logmsg("network: no network interface appeared within %d ms (virtio_net loaded?)", IFACE_WAIT_MS);
        return;
    }
    if (configure(ifn, &c, err, sizeof err) == 0)
        logmsg("network: %s up, %s", ifn, spec);
    else
        logmsg("network: %s", err);
    if (resolver(c.dns, err, sizeof err))
        logmsg("network: %s", err);
}
