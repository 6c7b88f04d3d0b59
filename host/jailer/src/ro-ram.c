/*
 * ember-ro-ram.so: preloaded into a jailed QEMU that maps an image's RAM file privately (docs/jail.md,
 * "Read-only RAM files").
 *
 * A clone maps its image's RAM file copy-on-write (memory-backend-file,share=off): its writes stay in its own
 * anonymous pages and never reach the file. QEMU 7.2 still opens that file O_RDWR (its readonly=on maps the RAM
 * PROT_READ, which a guest cannot run on; rom=on, which separates the two, came in QEMU 8.2). A private writable
 * mapping needs only read access to the file, so this library turns that one open, of the path the jailer names
 * in EMBER_RO_RAM, into O_RDONLY. The file is bound read-only into the jail and not writable by the VM's uid either
 * way: without this QEMU fails to start; with it QEMU gets exactly the access it needs.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static char path[4096];

__attribute__((constructor)) static void init(void) {
    const char *p = getenv("EMBER_RO_RAM");
    if (p && strlen(p) < sizeof path) strcpy(path, p);
    unsetenv("EMBER_RO_RAM");
    unsetenv("LD_PRELOAD");
}

static int adjust(const char *file, int flags) {
    if (path[0] && file && !strcmp(file, path) && (flags & O_ACCMODE) == O_RDWR && !(flags & O_CREAT))
        return (flags & ~O_ACCMODE) | O_RDONLY;
    return flags;
}

#define MODE_ARG(flags, mode) \
    mode_t mode = 0; \
    if ((flags) & (O_CREAT | O_TMPFILE)) { va_list ap; va_start(ap, flags); mode = va_arg(ap, mode_t); va_end(ap); }

int open(const char *file, int flags, ...) {
    static int (*real)(const char *, int, ...);
    MODE_ARG(flags, mode);
    if (!real) real = dlsym(RTLD_NEXT, "open");
    return real(file, adjust(file, flags), mode);
}

int open64(const char *file, int flags, ...) {
    static int (*real)(const char *, int, ...);
    MODE_ARG(flags, mode);
    if (!real) real = dlsym(RTLD_NEXT, "open64");
    return real(file, adjust(file, flags), mode);
}

int openat(int dir, const char *file, int flags, ...) {
    static int (*real)(int, const char *, int, ...);
    MODE_ARG(flags, mode);
    if (!real) real = dlsym(RTLD_NEXT, "openat");
    return real(dir, file, adjust(file, flags), mode);
}

int openat64(int dir, const char *file, int flags, ...) {
    static int (*real)(int, const char *, int, ...);
    MODE_ARG(flags, mode);
    if (!real) real = dlsym(RTLD_NEXT, "openat64");
    return real(dir, file, adjust(file, flags), mode);
}

/* _FORTIFY_SOURCE builds (Debian's QEMU) call these when the flags are not a compile-time constant. */
int __open_2(const char *file, int flags) {
    static int (*real)(const char *, int);
    if (!real) real = dlsym(RTLD_NEXT, "__open_2");
    return real(file, adjust(file, flags));
}

int __open64_2(const char *file, int flags) {
    static int (*real)(const char *, int);
    if (!real) real = dlsym(RTLD_NEXT, "__open64_2");
    return real(file, adjust(file, flags));
}

int __openat_2(int dir, const char *file, int flags) {
    static int (*real)(int, const char *, int);
    if (!real) real = dlsym(RTLD_NEXT, "__openat_2");
    return real(dir, file, adjust(file, flags));
}

int __openat64_2(int dir, const char *file, int flags) {
    static int (*real)(int, const char *, int);
    if (!real) real = dlsym(RTLD_NEXT, "__openat64_2");
    return real(dir, file, adjust(file, flags));
}
