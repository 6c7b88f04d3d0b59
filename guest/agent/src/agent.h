/* ember-agent: shared declarations. The wire protocol is docs/agent-protocol.md. */
#ifndef EMBER_AGENT_H
#define EMBER_AGENT_H

#include <dirent.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>
#include <sys/types.h>

#define AGENT_NAME "ember-agent 0.1.0"
#define PROTO_VERSION 2

#define HDR_LEN 12
#define MAX_FRAME (1024 * 1024)
#define MAX_CHUNK 65536
#define WINDOW_INIT 262144
#define WINDOW_MAX (1LL << 40)      /* a credit above this is a host bug */
#define ACK_THRESHOLD 65536         /* return stdin/file credit in steps this big */
#define MAX_STREAMS 256
#define MAX_DETACHED 1024           /* abandoned processes still being drained */
#define OUTQ_HIGH (256 * 1024)      /* stop producing data while the queue is above this */
#define OUTQ_STOP_READ (2 * 1024 * 1024) /* stop reading the channel above this */
#define MAX_GROUPS 64               /* supplementary groups of a USER */
#define MAX_TCP 128                 /* concurrent CONNECT streams */
#define TCP_CONNECT_MS 10000        /* default connect deadline */
#define PTY_MAX_DIM 1000            /* ROWS and COLS of a terminal: 1 to this */
#define PTY_SMALL_READ 1024         /* a terminal read below this waits PTY_HOLD_MS before the next */
#define PTY_HOLD_MS 2
#define EXIT_GRACE_MS 1000         /* after the process is reaped, how long its pipes may stay open (a detached child) */
#define META_ADDR "169.254.169.254" /* the metadata endpoint, on lo, port 80 */
#define META_PORT 80
#define FEATURES "user,spawn,restored,net,tcp,pty,metadata,restored-net" /* optional parts of version 1 this agent has (HELLO_OK) */

enum frame_type {
    T_HELLO = 0x01, T_EXEC, T_STDIN, T_SIGNAL, T_FILE_WRITE, T_FILE_DATA, T_FILE_READ,
    T_STAT, T_LIST, T_MKDIR, T_REMOVE, T_WINDOW, T_CANCEL, T_SPAWN, T_RESTORED, T_CONNECT, T_TCP_DATA, T_RESIZE,
    T_METADATA, T_META_ANSWER,
    T_OK = 0x80, T_HELLO_OK, T_STARTED, T_STDOUT, T_STDERR, T_EXIT, T_FILE_INFO,
    T_STAT_RESULT, T_LIST_ENTRY, T_META_REQUEST, T_ERROR = 0x8F
};

enum field_tag {
    F_ARG = 1, F_ENV, F_CWD, F_TIMEOUT_MS, F_STDIN, F_SIGNO, F_PATH, F_MODE, F_PARENTS,
    F_RECURSIVE, F_N, F_VERSION, F_AGENT, F_KERNEL, F_HOSTNAME, F_PID, F_CODE, F_TIMED_OUT,
    F_SIZE, F_TYPE, F_MTIME_MS, F_NAME, F_ERRNO, F_MESSAGE, F_USER, F_FEATURES, F_TIME_NS,
    F_ENTROPY, F_NEW_IDENTITY, F_PORT, F_PTY, F_ROWS, F_COLS, F_REQ, F_STATUS, F_VALUE, F_NET
};

enum stream_kind { K_EXEC = 1, K_FWRITE, K_FREAD, K_LIST, K_TCP, K_META };

struct stream {
    struct stream *next;
    uint32_t id;
    uint8_t kind;
    uint8_t dead;      /* finished: freed at the top of the next loop turn */
    uint8_t detached;  /* exec whose host went away: drained and reaped silently */
    int64_t credit;    /* bytes we may still send to the host */
    int64_t in_credit; /* bytes the host may still send us */
    int64_t unacked;   /* bytes consumed, credit not yet returned */

    /* K_EXEC */
    pid_t pid;
    int out_fd, err_fd, in_fd;
    uint8_t *in_buf;
    size_t in_off, in_len, in_cap;
    uint8_t in_closing, reaped, timed_out, turn;
    uint8_t pty;       /* out_fd is a terminal master, in_fd its duplicate; no err_fd */
    int64_t pty_hold;  /* monotonic ms: the terminal is not read before this (see exec_pipe_ready) */
    int status;
    int64_t deadline;  /* monotonic ms, 0 = none */
    int64_t grace_end; /* monotonic ms: reaped; pipes still open then are cut (exec.c, cut_pipe), 0 = none */
    int64_t out_left, err_left; /* after the cut: bytes the pipe held then, still to send; -1 = not cut */

    /* K_TCP: fd is the socket, in_* buffer host data, deadline is the connect's */
    uint8_t connecting, rd_eof, wr_done;

    /* K_FWRITE, K_FREAD, K_LIST, K_TCP */
    int fd;
    int64_t remaining;
    char *path, *tmp;
    DIR *dir;
};

struct user_ids {
    int set;
    uid_t uid;
    gid_t gid;
    int ngroups;
    gid_t groups[MAX_GROUPS];
};

/* main.c */
extern int g_host_mode; /* --connect: a process on the host, not PID 1 of a guest */
extern int g_pid1_guest; /* PID 1 of a guest: may change the guest's network */
extern int g_verbose;
extern const char *g_workspace;
void logmsg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void *xmalloc(size_t n);
void *xrealloc(void *p, size_t n);
int64_t now_ms(void);

/* init.c: PID 1 duties and finding the channel */
void pid1_setup(void);
void early_setup(void);
int open_virtio_port(const char *name, int wait_ms);
int connect_unix(const char *path);
void restore_child_limits(void);
int valid_hostname(const char *s);

/* net.c: the NIC (ember.net= on the kernel command line at boot, RESTORED's NET after a restore) */
struct net_conf {
    struct in_addr addr, gw, dns;
    int prefix;
    int has_mac;
    unsigned char mac[6];
};
void net_setup(const char *cmdline);
int net_parse(const char *text, int with_mac, struct net_conf *c); /* 0, or -1 when malformed */
int net_reconfigure(const struct net_conf *c, char *err, size_t ecap); /* 0 or an errno (ENODEV: no NIC) */

/* user.c */
extern const char *g_passwd_file, *g_group_file;
int resolve_user(const char *spec, struct user_ids *u, char *err, size_t ecap); /* 0 or an errno */
int apply_user(const struct user_ids *u);

/* restore.c */
void do_restored(uint32_t id, const uint8_t *p, size_t n);

/* frame.c: channel I/O and the field codec */
extern size_t g_outq_len;
void frame_begin(uint32_t stream, uint8_t type);
void put_int(uint8_t tag, int64_t v);
void put_bytes(uint8_t tag, const void *v, size_t n);
void put_str(uint8_t tag, const char *s);
void frame_end(void);
void send_empty(uint32_t stream, uint8_t type);
void send_error(uint32_t stream, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void send_window(uint32_t stream, int64_t n);
uint8_t *data_begin(uint32_t stream, uint8_t type, size_t max);
void data_commit(size_t n);
void data_abort(void);
int outq_flush(int fd);          /* 0 ok/would block, -1 channel error */
void outq_clear(void);
int inq_read(int fd);            /* reads and dispatches; 1 ok, 0 EOF, -1 error, -2 violation */
void inq_clear(void);
int fields_valid(const uint8_t *p, size_t n);
int field_int(const uint8_t *p, size_t n, uint8_t tag, int64_t *out);
int field_str(const uint8_t *p, size_t n, uint8_t tag, char *out, size_t cap);
int field_path(const uint8_t *p, size_t n, char *out, size_t cap);
size_t field_count(const uint8_t *p, size_t n, uint8_t tag);
const uint8_t *field_nth(const uint8_t *p, size_t n, uint8_t tag, size_t idx, uint32_t *len);

/* stream.c: the stream table and dispatch of host frames */
extern struct stream *g_streams;
struct stream *stream_new(uint32_t id, uint8_t kind);
struct stream *stream_find(uint32_t id);
int stream_live_count(void);
void stream_sweep(void);
void streams_reset(void);
int dispatch(uint32_t stream, uint8_t type, const uint8_t *p, size_t n); /* -1 = violation */
int violation(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* exec.c */
void exec_start(uint32_t id, const uint8_t *p, size_t n);
void spawn_start(uint32_t id, const uint8_t *p, size_t n);
int exec_stdin(struct stream *s, const uint8_t *p, size_t n);
void exec_signal(struct stream *s, int signo);
void exec_cancel(struct stream *s);
void exec_detach(struct stream *s);
void exec_reaped(pid_t pid, int status);
void exec_pipe_ready(struct stream *s, int which);
void exec_stdin_ready(struct stream *s);
void exec_timers(int64_t now);
int exec_finish_check(struct stream *s); /* 1 = come back at once */
void exec_kill_all(void);
int exec_stdin_append(struct stream *s, const uint8_t *p, size_t n);

/* pty.c: EXEC with a terminal (PTY, ROWS, COLS), RESIZE */
int pty_request(uint32_t id, const uint8_t *p, size_t n, int *master, int *slave); /* 0 none, 1 open, -1 ERROR sent */
int pty_resize(struct stream *s, const uint8_t *p, size_t n); /* -1 = violation */
int pty_drain(struct stream *s); /* after the child is reaped; 1 = call again */
void pty_signal_foreground(struct stream *s, int signo);

/* tcp.c: CONNECT streams to the guest's loopback */
void tcp_connect(uint32_t id, const uint8_t *p, size_t n);
int tcp_data(struct stream *s, const uint8_t *p, size_t n);
short tcp_events(struct stream *s);
void tcp_ready(struct stream *s, short revents);
void tcp_timers(int64_t now);
void tcp_close(struct stream *s);
int tcp_count(void);

/* meta.c: the metadata endpoint (METADATA, META_REQUEST, META_ANSWER) */
void meta_listen(const char *addr, int port);
void meta_poll_set(void (*add)(int fd, short events, int idx), int64_t now, int *timeout);
void meta_ready(int idx, short revents);
void meta_timers(int64_t now);
void meta_open(uint32_t id);
void meta_end(struct stream *s);
int meta_answer(struct stream *s, const uint8_t *p, size_t n); /* -1 = violation */

/* files.c */
void file_write_start(uint32_t id, const uint8_t *p, size_t n);
int file_write_data(struct stream *s, const uint8_t *p, size_t n);
void file_read_start(uint32_t id, const uint8_t *p, size_t n);
void do_stat(uint32_t id, const uint8_t *p, size_t n);
void list_start(uint32_t id, const uint8_t *p, size_t n);
void do_mkdir(uint32_t id, const uint8_t *p, size_t n);
void do_remove(uint32_t id, const uint8_t *p, size_t n);
void file_close(struct stream *s, int remove_tmp);
int producers_pump(void);        /* returns 1 if some producer could make more progress */

#endif
