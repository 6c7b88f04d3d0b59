/*
 * USER of EXEC and SPAWN, with Dockerfile USER semantics: `name`, `uid`, `name:group`, `uid:gid`.
 * Names are looked up in the guest's own /etc/passwd and /etc/group: the agent is static (musl,
 * no NSS), and the image's files are the only truth about its users.
 */
#include "agent.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <grp.h>
#include <string.h>
#include <unistd.h>

#define MAX_LINE 4096
#define MAX_LINES 100000 /* a hostile image cannot make us read forever */

const char *g_passwd_file = "/etc/passwd";
const char *g_group_file = "/etc/group";

/* A decimal id in [0, 2^32 - 2]; -1 when s is not one (-1 is "no change" to setuid). */
static long long parse_id(const char *s)
{
    if (!*s || strlen(s) > 10)
        return -1;
    long long v = 0;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9')
            return -1;
        v = v * 10 + (*p - '0');
    }
    return v <= 0xFFFFFFFELL ? v : -1;
}

/* Splits a line at ':' into at most max fields; returns the count. */
static int split(char *line, char **f, int max)
{
    int n = 0;
    line[strcspn(line, "\n")] = 0;
    f[n++] = line;
    for (char *p = line; *p && n < max; p++)
        if (*p == ':') {
            *p = 0;
            f[n++] = p + 1;
        }
    return n;
}

/*
 * Finds a passwd entry by name (key) or, when byid, by uid. Fills uid, gid and the name.
 * Returns 1 found, 0 not found, -1 the file cannot be read (errno set).
 */
static int passwd_find(const char *key, int byid, long long id, uid_t *uid, gid_t *gid,
                       char *name, size_t ncap)
{
    FILE *f = fopen(g_passwd_file, "re");
    if (!f)
        return errno == ENOENT ? 0 : -1;
    char line[MAX_LINE];
    int found = 0;
    for (int i = 0; !found && i < MAX_LINES && fgets(line, sizeof line, f); i++) {
        char *fl[7];
        if (line[0] == '#' || split(line, fl, 7) < 4)
            continue;
        long long u = parse_id(fl[2]), g = parse_id(fl[3]);
        if (u < 0 || g < 0)
            continue;
        if (byid ? u == id : !strcmp(fl[0], key)) {
            *uid = (uid_t)u;
            *gid = (gid_t)g;
            snprintf(name, ncap, "%s", fl[0]);
            found = 1;
        }
    }
    fclose(f);
    return found;
}

static int group_find(const char *key, gid_t *gid)
{
    FILE *f = fopen(g_group_file, "re");
    if (!f)
        return errno == ENOENT ? 0 : -1;
    char line[MAX_LINE];
    int found = 0;
    for (int i = 0; !found && i < MAX_LINES && fgets(line, sizeof line, f); i++) {
        char *fl[4];
        if (line[0] == '#' || split(line, fl, 4) < 3)
            continue;
        long long g = parse_id(fl[2]);
        if (g >= 0 && !strcmp(fl[0], key)) {
            *gid = (gid_t)g;
            found = 1;
        }
    }
    fclose(f);
    return found;
}

static void add_group(struct user_ids *u, gid_t g)
{
    for (int i = 0; i < u->ngroups; i++)
        if (u->groups[i] == g)
            return;
    if (u->ngroups < MAX_GROUPS)
        u->groups[u->ngroups++] = g;
}

/* Supplementary groups: every group of /etc/group that lists the user as a member. */
static void member_groups(struct user_ids *u, const char *name)
{
    FILE *f = fopen(g_group_file, "re");
    if (!f)
        return;
    char line[MAX_LINE];
    for (int i = 0; i < MAX_LINES && fgets(line, sizeof line, f); i++) {
        char *fl[4];
        if (line[0] == '#' || split(line, fl, 4) < 4)
            continue;
        long long g = parse_id(fl[2]);
        if (g < 0)
            continue;
        for (char *m = strtok(fl[3], ","); m; m = strtok(NULL, ","))
            if (!strcmp(m, name))
                add_group(u, (gid_t)g);
    }
    fclose(f);
}

int resolve_user(const char *spec, struct user_ids *u, char *err, size_t ecap)
{
    char buf[128], name[256] = "";
    memset(u, 0, sizeof *u);
    if (!*spec || strlen(spec) >= sizeof buf) {
        snprintf(err, ecap, "USER must be 1 to %zu bytes", sizeof buf - 1);
        return EINVAL;
    }
    snprintf(buf, sizeof buf, "%s", spec);
    char *grp = strchr(buf, ':');
    if (grp)
        *grp++ = 0;
    if (!*buf || (grp && !*grp)) {
        snprintf(err, ecap, "USER '%s' is not name, uid, name:group or uid:gid", spec);
        return EINVAL;
    }

    long long id = parse_id(buf);
    int r = passwd_find(buf, id >= 0, id, &u->uid, &u->gid, name, sizeof name);
    if (r < 0) {
        int e = errno;
        snprintf(err, ecap, "cannot read %s: %s", g_passwd_file, strerror(e));
        return e;
    }
    if (!r) {
        if (id < 0) {
            snprintf(err, ecap, "unknown user '%s': no such name in %s", buf, g_passwd_file);
            return ENOENT;
        }
        u->uid = (uid_t)id; /* a bare uid need not exist (Docker runs it with gid 0) */
        u->gid = 0;
    }
    if (grp) {
        long long gid = parse_id(grp);
        if (gid < 0) {
            int g = group_find(grp, &u->gid);
            if (g <= 0) {
                int e = g < 0 ? errno : ENOENT;
                snprintf(err, ecap, g < 0 ? "cannot read %s: %s" : "unknown group '%s' in %s", g < 0 ? g_group_file : grp,
                         g < 0 ? strerror(e) : g_group_file);
                return e;
            }
        } else {
            u->gid = (gid_t)gid;
        }
        add_group(u, u->gid); /* an explicit group replaces the user's memberships */
    } else {
        add_group(u, u->gid);
        if (name[0])
            member_groups(u, name);
    }
    u->set = 1;
    return 0;
}

/* In the child, before exec: groups first, then gid, and uid last (it drops the right to do the others). */
int apply_user(const struct user_ids *u)
{
    if (!u->set)
        return 0;
    if (setgroups((size_t)u->ngroups, u->groups) < 0 || setgid(u->gid) < 0 || setuid(u->uid) < 0)
        return -1;
    return 0;
}
