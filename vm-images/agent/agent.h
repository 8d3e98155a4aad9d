// dockside-agent: shared declarations. See PROTOCOL.md for what the agent does and why.
#ifndef DOCKSIDE_AGENT_H
#define DOCKSIDE_AGENT_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <limits.h>
#include <stdint.h>
#include <sys/types.h>

#include "json.h"

#define PROTOCOL_VERSION 1
#define MAX_PAYLOAD 1048576u
#define INITIAL_WINDOW 65536u

enum frame_kind { FRAME_REQUEST = 1, FRAME_REPLY = 2, FRAME_DATA = 3, FRAME_CREDIT = 4, FRAME_ERROR = 5, FRAME_EVENT = 6 };

/* What failed: the protocol's error object. */
struct err {
    int errnum;
    char op[32];
    char path[PATH_MAX];
    char message[256]; /* empty: strerror(errnum) */
};

/* Fills e from errno (or errnum) and returns -1, so failures read `return fail(e, "mount", path);`. */
int fail(struct err *e, const char *op, const char *path);
int fail_errno(struct err *e, int errnum, const char *op, const char *path);
const char *errno_name(int errnum);

/* ---- main.c: frames out ---- */
void send_frame(int kind, uint32_t id, const void *payload, size_t length);
/* {"ok":true<fields>}: fields is "" or starts with a comma, e.g. ",\"pid\":12". */
void reply_ok(uint32_t id, const char *fields);
void reply_error(uint32_t id, const struct err *e);
void error_to_json(struct buf *b, const struct err *e);
/* Bytes queued for the host and not yet written to the port. */
size_t output_backlog(void);

/* ---- util.c ---- */
int mkdir_p(const char *path, mode_t mode);
/* Writes a whole small file (O_WRONLY|O_CREAT|O_TRUNC). */
int write_file(const char *path, const char *data, size_t n, struct err *e);
/* Reads at most max bytes of a file; -1 with errno on failure. */
int read_file(const char *path, struct buf *out, size_t max);
int set_nonblocking(int fd);
long long now_ms(void);
/* Joins dir and a path inside it ("/a" + "/b/c" or "b/c" -> "/a/b/c"). */
void path_join(char *out, size_t size, const char *dir, const char *path);
/* Writes a message to the agent's log (stderr, the guest's console). */
void agent_log(const char *format, ...) __attribute__((format(printf, 1, 2)));
/* The value of NAME in an "A=B" list, or NULL. */
const char *env_lookup(const struct json *env, const char *name);
/* Finds args0 in PATH (from env) like execvp; out gets the path to execve. */
int find_executable(const char *args0, const struct json *env, char *out, size_t size);
/* Child side: reset signal mask and dispositions before execve. */
void reset_signals(void);

/* ---- streams.c ---- */
struct process;
struct stream {
    uint32_t id;
    int output;          /* 1: agent -> host (stdout, stderr, pty); 0: host -> agent (stdin) */
    int fd;              /* -1 once closed */
    int pty;             /* stdin of a pty: EOF is the terminal's EOF character */
    uint32_t window;     /* output: bytes the host still accepts */
    struct buf pending;  /* input: bytes received and not yet written into the process */
    size_t pending_off;
    int eof;             /* input: the host closed the stream; output: empty DATA sent */
    int attaching;       /* fd -1 until the child sends its pty master */
    struct process *process;
    struct stream *next;
};

struct stream *stream_open(uint32_t id, int output, int fd, int pty, struct process *p);
struct stream *stream_find(uint32_t id);
/* Forgets a stream (closing its fd). */
void stream_release(struct stream *s);
void stream_data(uint32_t id, const char *data, size_t n);
void stream_credit(uint32_t id, uint32_t n);
/* poll events the stream wants now (0: none). */
short stream_events(const struct stream *s);
/* The pty master arrived (fd >= 0), or never will (fd -1: the output stream ends). */
void stream_attach(struct stream *s, int fd);
void stream_ready(struct stream *s, short revents);
extern struct stream *all_streams;

/* ---- process.c ---- */
struct container;

enum report_kind { REPORT_NONE, REPORT_EXEC, REPORT_CREATE, REPORT_START };

/* Child-side plan for a process's stdio, made in the agent before fork. */
struct stdio_plan {
    int fd[3];     /* what becomes 0, 1, 2 in the child (-1 for an inside terminal) */
    int terminal;  /* make fd[0] the controlling terminal after setsid */
    int inside;    /* the child opens the pty in its own /dev/ptmx and sends the master back */
    unsigned short rows, cols;
};

/* Message a child sends on its report socket (close-on-exec: EOF means execve worked). */
enum { REPORT_FAILED = 0, REPORT_READY = 1, REPORT_PTY = 2 };
struct report {
    int ready;   /* REPORT_READY: set up, waiting for start; REPORT_PTY: carries the pty master */
    int errnum;
    char op[32];
    char path[512];
};

#define MAX_WAITERS 8

struct process {
    char id[256];
    pid_t pid;
    int exited, status;
    struct stream *in, *out, *err;
    int master;                   /* pty master (for resize), -1 */
    char cgroup[PATH_MAX];        /* for oomKilled; "" if none */
    long long oom_at_start;
    int oom_killed;
    uint32_t waiters[MAX_WAITERS];
    int nwaiters;
    int report_fd;                /* read end of the child's report pipe, -1 */
    enum report_kind report_kind;
    uint32_t report_request;
    struct container *container;  /* created by create, NULL otherwise */
    struct process *next;
};

extern struct process *all_processes;

struct process *process_find(const char *id);
struct process *process_find_pid(pid_t pid);
/* Makes the process record, its streams and the child's stdio plan from a process spec. */
struct process *process_prepare(const struct json *spec, int inside, struct stdio_plan *plan, struct err *e);
/* A close-on-exec socket pair for the report channel. */
int report_channel(int fds[2], struct err *e);
/* In the child, for an inside terminal: opens the pty in the current /dev, sends the master on the
   report socket, and makes the slave the controlling terminal. console: bind it on /dev/console. */
int child_inside_pty(const struct stdio_plan *plan, int report_fd, int console, struct err *e);
/* In the agent after fork: closes the child's ends. */
void process_started(struct process *p, struct stdio_plan *plan, pid_t pid);
/* Drops a process that never ran (or whose start failed before the host knew it). */
void process_discard(struct process *p);
/* In the child: stdio, session and controlling terminal. */
int child_stdio(const struct stdio_plan *plan, struct err *e);
/* In the child: closes every other fd above 2 (-1: none). */
void child_keep_fds(int a, int b);
/* In the child: sends a failure on the report pipe and exits. */
void child_fail(int report_fd, const struct err *e) __attribute__((noreturn));
/* In the child: uid, gid, groups from a spec. */
int child_identity(const struct json *spec, struct err *e);
/* In the child: finds args[0] and execve's it; only returns on failure. */
int child_exec(const struct json *spec, struct err *e);
long long read_oom_kills(const char *cgroup);
/* The agent saw the pid exit. */
void process_reaped(pid_t pid, int status);
/* Replies to waiters once exited and all output closed; forgets the process. */
void process_check_done(struct process *p);
void process_report_ready(struct process *p);

void op_spawn(uint32_t req, const struct json *args);
void op_wait(uint32_t req, const struct json *args);
void op_signal(uint32_t req, const struct json *args);
void op_resize(uint32_t req, const struct json *args);

/* ---- container.c ---- */
struct container {
    char id[256];
    struct process *init;   /* NULL once the host waited for it */
    pid_t pid;              /* the init's pid in the agent's namespace */
    int reaped;
    int sync_fd;            /* write end: one byte lets the child go on */
    char cgroup[PATH_MAX];
    char merged[PATH_MAX];
    char host_veth[32];
    int pending_create;
    struct container *next;
};

extern struct container *all_containers;
void op_create(uint32_t req, const struct json *args);
void op_start(uint32_t req, const struct json *args);
void op_exec(uint32_t req, const struct json *args);
void op_delete(uint32_t req, const struct json *args);
void container_reaped(pid_t pid);
void container_create_failed(struct container *c);

/* ---- net.c ---- */
/* Creates the veth pair: host end on the bridge and up, the peer named eth0 inside pid's netns. */
int net_create_veth(const char *host_name, const char *bridge, pid_t pid, const char *mac, int mtu, struct err *e);
/* In the container's network namespace: lo up, eth0's address and the default route. */
int net_configure_inside(const char *address, const char *gateway, struct err *e);
int net_link_up(const char *name, struct err *e);
int net_delete_link(const char *name, struct err *e);

/* ---- cgroup.c ---- */
void op_freeze(uint32_t req, const struct json *args);
void op_killall(uint32_t req, const struct json *args);
/* Freeze requests waiting for cgroup.events; returns the poll timeout they need (-1: none). */
int freeze_poll_timeout(void);
void freeze_check(void);
/* mkdir -p, with every controller enabled for children in each ancestor. */
int cgroup_create(const char *path, struct err *e);
/* Kills every process of a cgroup and removes the directory (waits up to a second). */
int cgroup_destroy(const char *path, struct err *e);
/* Loads a devices cgroup program built from {"defaultAllow": bool, "rules": [...]} and attaches it. */
int cgroup_devices(const char *path, const struct json *devices, struct err *e);

/* ---- files.c ---- */
void op_read(uint32_t req, const struct json *args);
void op_write(uint32_t req, const struct json *args);
void op_unpack(uint32_t req, const struct json *args);
void op_pack(uint32_t req, const struct json *args);
void op_changes(uint32_t req, const struct json *args);

/* ---- sockets.c: listening unix sockets relayed to the host ---- */
/* Stream ids of accepted connections (chosen by the agent) start here; the host's stay below. */
#define CONN_ID_BASE 0x80000000u
struct pollfd;
struct listener {
    char name[32];       /* the host's name for it: "cli", "api" */
    char path[108];
    int fd;
    struct listener *next;
};
struct conn {
    uint32_t id;
    int fd;
    uint32_t window;     /* socket -> host: bytes the host still accepts */
    struct buf pending;  /* host -> socket: received, not yet written */
    size_t pending_off;
    int host_eof;        /* the host sent its empty DATA */
    int shut_write;      /* shutdown(SHUT_WR) done */
    int read_eof;        /* the socket's reading side ended and the empty DATA was sent */
    struct conn *next;
};
extern struct listener *all_listeners;
extern struct conn *all_conns;
void op_listen(uint32_t req, const struct json *args);
void op_unlisten(uint32_t req, const struct json *args);
void op_close(uint32_t req, const struct json *args);
/* DATA/CREDIT for a connection's stream; 0 when the id is not a connection id. */
int conn_data(uint32_t id, const char *data, size_t n);
int conn_credit(uint32_t id, uint32_t n);
int conn_find_ptr(const struct conn *c);
size_t sockets_count(void);
/* Fills poll slots (kinds: 0 listener, 1 connection) and returns how many. */
size_t sockets_pollfds(struct pollfd *fds, void **ptrs, int *kinds);
void sockets_ready(void *ptr, int kind, int fd, short revents);

/* ---- jobs (util.c): slow work in a forked worker that writes its reply JSON to a pipe ---- */
typedef void (*job_fn)(const struct json *args, struct buf *reply);
void job_start(uint32_t req, const struct json *args, job_fn fn);
struct job {
    uint32_t request;
    pid_t pid;
    int fd;
    int exited;
    struct buf output;
    struct job *next;
};
extern struct job *all_jobs;
void job_readable(struct job *j);
int job_reaped(pid_t pid);

#endif
