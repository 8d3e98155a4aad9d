// Processes: stdio (pipes or a PTY), spawning, the report pipe that carries execve failures, reaping,
// wait/signal/resize.
#define _GNU_SOURCE
#include "agent.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

struct process *all_processes;

struct process *process_find(const char *id) {
    for (struct process *p = all_processes; p; p = p->next)
        if (strcmp(p->id, id) == 0) return p;
    return NULL;
}

struct process *process_find_pid(pid_t pid) {
    for (struct process *p = all_processes; p; p = p->next)
        if (p->pid == pid && !p->exited) return p;
    return NULL;
}

static void close_plan(struct stdio_plan *plan) {
    for (int i = 0; i < 3; i++) {
        int fd = plan->fd[i];
        if (fd < 0) continue;
        close(fd);
        for (int j = i; j < 3; j++)
            if (plan->fd[j] == fd) plan->fd[j] = -1;
    }
}

static int stream_id_free(uint32_t id, struct err *e) {
    if (id == 0 || !stream_find(id)) return 0;
    fail_errno(e, EBUSY, "stream", "");
    snprintf(e->message, sizeof e->message, "stream %u is in use", id);
    return -1;
}

static int open_terminal(struct process *p, const struct json *spec, uint32_t in_id, uint32_t out_id,
                         struct stdio_plan *plan, struct err *e) {
    char name[64];
    plan->terminal = 1;
    plan->rows = (unsigned short)json_get_int(spec, "rows", 24);
    plan->cols = (unsigned short)json_get_int(spec, "cols", 80);
    if (plan->inside) {
        /* streams without an fd until the child sends the master of its own pty */
        p->out = stream_open(out_id, 1, -1, 1, p);
        p->out->attaching = 1;
        if (in_id) {
            p->in = stream_open(in_id, 0, -1, 1, p);
            p->in->attaching = 1;
        }
        return 0;
    }
    int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (master < 0) return fail(e, "posix_openpt", "/dev/ptmx");
    if (grantpt(master) < 0 || unlockpt(master) < 0 || ptsname_r(master, name, sizeof name) != 0) {
        fail(e, "unlockpt", "/dev/ptmx");
        close(master);
        return -1;
    }
    struct winsize ws = {.ws_row = plan->rows, .ws_col = plan->cols};
    ioctl(master, TIOCSWINSZ, &ws);
    int slave = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (slave < 0) {
        fail(e, "open", name);
        close(master);
        return -1;
    }
    set_nonblocking(master);
    plan->fd[0] = plan->fd[1] = plan->fd[2] = slave;
    p->out = stream_open(out_id, 1, master, 1, p);
    if (in_id) p->in = stream_open(in_id, 0, fcntl(master, F_DUPFD_CLOEXEC, 3), 1, p);
    p->master = fcntl(master, F_DUPFD_CLOEXEC, 3); /* resize keeps working after the output stream ends */
    return 0;
}

/* One end for the child (plan), the other as a stream; 0 means /dev/null. */
static int open_pipe(struct process *p, int which, uint32_t id, struct stdio_plan *plan, struct err *e) {
    if (id == 0) {
        plan->fd[which] = open("/dev/null", O_RDWR | O_CLOEXEC);
        return plan->fd[which] < 0 ? fail(e, "open", "/dev/null") : 0;
    }
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) < 0) return fail(e, "pipe", "");
    int ours = which == 0 ? fds[1] : fds[0];
    plan->fd[which] = which == 0 ? fds[0] : fds[1];
    set_nonblocking(ours);
    struct stream *s = stream_open(id, which != 0, ours, 0, p);
    if (which == 0) p->in = s;
    else if (which == 1) p->out = s;
    else p->err = s;
    return 0;
}

struct process *process_prepare(const struct json *spec, int inside, struct stdio_plan *plan, struct err *e) {
    plan->fd[0] = plan->fd[1] = plan->fd[2] = -1;
    plan->terminal = 0;
    const char *id = json_get_string(spec, "id", "");
    const struct json *args = json_get_array(spec, "args");
    if (!spec || spec->type != JSON_OBJECT || !*id || !args || args->length == 0) {
        fail_errno(e, EINVAL, "process", "");
        snprintf(e->message, sizeof e->message, "the process needs an id and args");
        return NULL;
    }
    for (size_t i = 0; i < args->length; i++) {
        if (args->items[i]->type != JSON_STRING) {
            fail_errno(e, EINVAL, "process", "");
            snprintf(e->message, sizeof e->message, "args must be strings");
            return NULL;
        }
    }
    if (process_find(id)) {
        fail_errno(e, EEXIST, "process", "");
        snprintf(e->message, sizeof e->message, "process %.200s exists", id);
        return NULL;
    }
    uint32_t ids[3] = {(uint32_t)json_get_int(spec, "stdin", 0), (uint32_t)json_get_int(spec, "stdout", 0),
                       (uint32_t)json_get_int(spec, "stderr", 0)};
    int terminal = json_get_bool(spec, "terminal", 0);
    plan->inside = inside && terminal;
    if ((ids[0] && (ids[0] == ids[1] || ids[0] == ids[2])) || (ids[1] && ids[1] == ids[2]) ||
        (terminal && (ids[2] || !ids[1]))) {
        fail_errno(e, EINVAL, "process", "");
        snprintf(e->message, sizeof e->message, "bad stream ids (a terminal needs stdout and no stderr)");
        return NULL;
    }
    for (int i = 0; i < 3; i++)
        if (stream_id_free(ids[i], e)) return NULL;

    struct process *p = calloc(1, sizeof *p);
    if (!p) abort();
    snprintf(p->id, sizeof p->id, "%s", id);
    p->master = -1;
    p->report_fd = -1;
    p->pid = -1;
    int r = terminal ? open_terminal(p, spec, ids[0], ids[1], plan, e)
                     : (open_pipe(p, 0, ids[0], plan, e) || open_pipe(p, 1, ids[1], plan, e) ||
                        open_pipe(p, 2, ids[2], plan, e));
    if (r) {
        close_plan(plan);
        process_discard(p);
        return NULL;
    }
    p->next = all_processes;
    all_processes = p;
    return p;
}

void process_started(struct process *p, struct stdio_plan *plan, pid_t pid) {
    close_plan(plan);
    p->pid = pid;
}

void process_discard(struct process *p) {
    for (struct process **pp = &all_processes; *pp; pp = &(*pp)->next) {
        if (*pp == p) {
            *pp = p->next;
            break;
        }
    }
    if (p->in) stream_release(p->in);
    if (p->out) stream_release(p->out);
    if (p->err) stream_release(p->err);
    if (p->master >= 0) close(p->master);
    if (p->report_fd >= 0) close(p->report_fd);
    if (p->container && p->container->init == p) p->container->init = NULL;
    free(p);
}

/* Closes every fd above 2 except the listed ones (so a waiting child holds no stdin pipe open). */
static void close_other_fds(const int *keep, int n) {
    unsigned from = 3;
    for (;;) {
        unsigned next = ~0u;
        for (int i = 0; i < n; i++)
            if (keep[i] >= (int)from && (unsigned)keep[i] < next) next = (unsigned)keep[i];
        if (next > from) close_range(from, next == ~0u ? ~0u : next - 1, 0);
        if (next == ~0u) break;
        from = next + 1;
    }
}

int child_stdio(const struct stdio_plan *plan, struct err *e) {
    if (plan->inside) return 0; /* see child_inside_pty */
    for (int i = 0; i < 3; i++)
        if (dup2(plan->fd[i], i) < 0) return fail(e, "dup2", "");
    if (plan->terminal) {
        if (setsid() < 0) return fail(e, "setsid", "");
        if (ioctl(0, TIOCSCTTY, 0) < 0) return fail(e, "ioctl", "TIOCSCTTY");
    }
    return 0;
}

void child_keep_fds(int a, int b) {
    int keep[2] = {a, b};
    close_other_fds(keep, 2);
}

int report_channel(int fds[2], struct err *e) {
    return socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) < 0 ? fail(e, "socketpair", "") : 0;
}

int child_inside_pty(const struct stdio_plan *plan, int report_fd, int console, struct err *e) {
    if (!plan->inside) return 0;
    char name[64];
    int master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (master < 0) return fail(e, "open", "/dev/ptmx");
    if (unlockpt(master) < 0 || ptsname_r(master, name, sizeof name) != 0) return fail(e, "unlockpt", "/dev/ptmx");
    struct winsize ws = {.ws_row = plan->rows, .ws_col = plan->cols};
    ioctl(master, TIOCSWINSZ, &ws);
    int slave = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (slave < 0) return fail(e, "open", name);
    if (console) {
        /* as runc does: the terminal is also the container's /dev/console */
        int fd = open("/dev/console", O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd >= 0) close(fd);
        if (fd < 0 || mount(name, "/dev/console", NULL, MS_BIND, NULL) < 0) return fail(e, "mount", "/dev/console");
    }
    struct report r = {.ready = REPORT_PTY};
    char control[CMSG_SPACE(sizeof(int))];
    memset(control, 0, sizeof control);
    struct iovec iov = {.iov_base = &r, .iov_len = sizeof r};
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control, .msg_controllen = sizeof control};
    struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);
    cmsg->cmsg_level = SOL_SOCKET;
    cmsg->cmsg_type = SCM_RIGHTS;
    cmsg->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(cmsg), &master, sizeof(int));
    if (sendmsg(report_fd, &msg, 0) < 0) return fail(e, "sendmsg", "");
    close(master);
    for (int i = 0; i < 3; i++)
        if (dup2(slave, i) < 0) return fail(e, "dup2", name);
    close(slave);
    if (setsid() < 0) return fail(e, "setsid", "");
    if (ioctl(0, TIOCSCTTY, 0) < 0) return fail(e, "ioctl", "TIOCSCTTY");
    return 0;
}

void child_fail(int report_fd, const struct err *e) {
    struct report r = {0};
    r.errnum = e->errnum;
    snprintf(r.op, sizeof r.op, "%.31s", e->op);
    snprintf(r.path, sizeof r.path, "%.511s", e->path);
    if (write(report_fd, &r, sizeof r) < 0) {
        /* the agent is gone; nothing to tell */
    }
    _exit(127);
}

/* Linux 6.1's capabilities in kernel order (CAP_LAST_CAP = 40). */
static const char *const capability_names[] = {
    "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL", "CAP_SETGID",
    "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN",
    "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT",
    "CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE",
    "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE", "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL",
    "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND",
    "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE"};

/*
 * Drops from the bounding set every capability the spec does not list. A root process's capabilities
 * after execve are its bounding set (plus an inheritable set, which is empty here), so this is what
 * makes docker's defaults, --cap-add/--cap-drop and --privileged real. No list: keep everything.
 * It runs before setuid, which would take away the CAP_SETPCAP that dropping needs.
 */
static int apply_capabilities(const struct json *spec, struct err *e) {
    const struct json *keep = json_get_array(spec, "capabilities");
    if (!keep) return 0;
    for (size_t cap = 0; cap < sizeof capability_names / sizeof *capability_names; cap++) {
        int wanted = 0;
        for (size_t i = 0; i < keep->length && !wanted; i++)
            wanted = keep->items[i]->type == JSON_STRING && strcmp(keep->items[i]->string, capability_names[cap]) == 0;
        if (!wanted && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL)
            return fail(e, "prctl", capability_names[cap]);
    }
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL) return fail(e, "prctl", "ambient");
    return 0;
}

static int base64_value(char c) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

/* Decodes base64 (padding optional) into out (room for length/4*3+2 bytes); -1 on a bad character. */
static long base64_decode(const char *text, size_t length, unsigned char *out) {
    unsigned bits = 0, have = 0;
    long n = 0;
    for (size_t i = 0; i < length && text[i] != '='; i++) {
        int v = base64_value(text[i]);
        if (v < 0) return -1;
        bits = (bits << 6) | (unsigned)v;
        have += 6;
        if (have >= 8) {
            have -= 8;
            out[n++] = (unsigned char)(bits >> have);
            bits &= (1u << have) - 1;
        }
    }
    return n;
}

/*
 * The spec's "seccomp": base64 of the classic BPF program (struct sock_filter entries, 8 bytes each) the
 * host compiled from the container's profile, installed with seccomp(2). The program's memory is not
 * freed: execve follows, and the filter may already refuse what free would call.
 */
static int install_seccomp(const struct json *spec, struct err *e) {
    const struct json *text = json_get(spec, "seccomp");
    if (!text || text->type != JSON_STRING || text->length == 0) return 0;
    unsigned char *bytes = malloc(text->length / 4 * 3 + 3);
    if (!bytes) return fail_errno(e, ENOMEM, "seccomp", "");
    long n = base64_decode(text->string, text->length, bytes);
    if (n <= 0 || n % 8 != 0 || n / 8 > BPF_MAXINSNS) {
        free(bytes);
        fail_errno(e, EINVAL, "seccomp", "");
        snprintf(e->message, sizeof e->message, "the seccomp filter is not base64 of at most %d sock_filter entries", BPF_MAXINSNS);
        return -1;
    }
    struct sock_fprog prog = {.len = (unsigned short)(n / 8), .filter = (struct sock_filter *)bytes};
    if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0) return fail(e, "seccomp", "");
    return 0;
}

int child_identity(const struct json *spec, struct err *e) {
    if (apply_capabilities(spec, e) < 0) return -1;
    int no_new_privs = json_get_bool(spec, "noNewPrivileges", 0);
    /* Without no_new_privs the kernel lets only a CAP_SYS_ADMIN holder install a filter: do it now, while
     * the process is still root with every capability in effect (runc does the same). The filter then has
     * to allow what follows (setgroups, setuid, chdir, execve), as docker's profile does. With
     * no_new_privs it waits until just before execve (child_exec). */
    if (!no_new_privs && install_seccomp(spec, e) < 0) return -1;
    const struct json *groups = json_get_array(spec, "groups");
    gid_t list[64];
    size_t n = 0;
    for (size_t i = 0; groups && i < groups->length && n < 64; i++)
        if (groups->items[i]->type == JSON_NUMBER) list[n++] = (gid_t)groups->items[i]->number;
    if (setgroups(n, list) < 0) return fail(e, "setgroups", "");
    if (setgid((gid_t)json_get_int(spec, "gid", 0)) < 0) return fail(e, "setgid", "");
    if (setuid((uid_t)json_get_int(spec, "uid", 0)) < 0) return fail(e, "setuid", "");
    /* docker's --security-opt no-new-privileges: setuid binaries and file capabilities stop granting. */
    if (no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) return fail(e, "prctl", "no_new_privs");
    return 0;
}

int child_exec(const struct json *spec, struct err *e) {
    const struct json *args = json_get_array(spec, "args");
    const struct json *env = json_get_array(spec, "env");
    char **argv = calloc(args->length + 1, sizeof *argv);
    size_t envc = env ? env->length : 0;
    char **envp = calloc(envc + 1, sizeof *envp);
    if (!argv || !envp) return fail_errno(e, ENOMEM, "execve", "");
    for (size_t i = 0; i < args->length; i++) argv[i] = args->items[i]->string;
    size_t k = 0;
    for (size_t i = 0; i < envc; i++)
        if (env->items[i]->type == JSON_STRING) envp[k++] = env->items[i]->string;
    char path[PATH_MAX];
    if (find_executable(argv[0], env, path, sizeof path) < 0) return fail(e, "execve", argv[0]);
    reset_signals();
    if (json_get_bool(spec, "noNewPrivileges", 0) && install_seccomp(spec, e) < 0) return -1;
    execve(path, argv, envp);
    return fail(e, "execve", path);
}

long long read_oom_kills(const char *cgroup) {
    char path[PATH_MAX];
    struct buf b = {0};
    long long count = -1;
    path_join(path, sizeof path, cgroup, "memory.events");
    if (read_file(path, &b, 4096) == 0 && b.data) {
        const char *at = strstr(b.data, "oom_kill ");
        if (at) count = atoll(at + 9);
    }
    buf_free(&b);
    return count;
}

/* ---- spawn ---- */

void op_spawn(uint32_t req, const struct json *args) {
    struct err e;
    struct stdio_plan plan;
    const struct json *spec = json_get(args, "process");
    const char *cgroup = json_get_string(args, "cgroup", "");
    char procs[PATH_MAX];
    if (*cgroup) {
        if (cgroup_create(cgroup, &e) < 0) {
            reply_error(req, &e);
            return;
        }
        path_join(procs, sizeof procs, cgroup, "cgroup.procs");
    }
    struct process *p = process_prepare(spec, 0, &plan, &e);
    if (!p) {
        reply_error(req, &e);
        return;
    }
    snprintf(p->cgroup, sizeof p->cgroup, "%s", cgroup);
    if (*cgroup) p->oom_at_start = read_oom_kills(cgroup);
    int report[2];
    if (report_channel(report, &e) < 0) {
        close_plan(&plan);
        process_discard(p);
        reply_error(req, &e);
        return;
    }
    pid_t pid = fork();
    if (pid == 0) {
        close(report[0]);
        if (child_stdio(&plan, &e) < 0) child_fail(report[1], &e);
        child_keep_fds(report[1], -1);
        if (*cgroup && write_file(procs, "0", 1, &e) < 0) child_fail(report[1], &e);
        const char *cwd = json_get_string(spec, "cwd", "/");
        if (child_identity(spec, &e) < 0) child_fail(report[1], &e);
        if (chdir(*cwd ? cwd : "/") < 0) {
            fail(&e, "chdir", cwd);
            child_fail(report[1], &e);
        }
        child_exec(spec, &e);
        child_fail(report[1], &e);
    }
    close(report[1]);
    if (pid < 0) {
        fail(&e, "fork", "");
        close(report[0]);
        close_plan(&plan);
        process_discard(p);
        reply_error(req, &e);
        return;
    }
    process_started(p, &plan, pid);
    set_nonblocking(report[0]);
    p->report_fd = report[0];
    p->report_kind = REPORT_EXEC;
    p->report_request = req;
}

/* The child's report pipe has something: a failure, "ready" (create), or EOF (execve worked). */
void process_report_ready(struct process *p) {
    struct report r;
    char control[CMSG_SPACE(sizeof(int))];
    struct iovec iov = {.iov_base = &r, .iov_len = sizeof r};
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control, .msg_controllen = sizeof control};
    ssize_t n = recvmsg(p->report_fd, &msg, MSG_CMSG_CLOEXEC);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
    int passed = -1;
    struct cmsghdr *cmsg = n > 0 ? CMSG_FIRSTHDR(&msg) : NULL;
    if (cmsg && cmsg->cmsg_level == SOL_SOCKET && cmsg->cmsg_type == SCM_RIGHTS) memcpy(&passed, CMSG_DATA(cmsg), sizeof(int));
    if (n == (ssize_t)sizeof r && r.ready == REPORT_PTY && passed >= 0) {
        set_nonblocking(passed);
        if (p->master < 0) p->master = fcntl(passed, F_DUPFD_CLOEXEC, 3);
        if (p->in) stream_attach(p->in, fcntl(passed, F_DUPFD_CLOEXEC, 3));
        if (p->out) stream_attach(p->out, passed);
        else close(passed);
        return;
    }
    if (passed >= 0) close(passed);
    enum report_kind kind = p->report_kind;
    uint32_t req = p->report_request;
    char fields[64];
    snprintf(fields, sizeof fields, ",\"pid\":%d", (int)p->pid);
    if (n == (ssize_t)sizeof r && r.ready == REPORT_READY) {
        p->report_kind = REPORT_NONE; /* the channel stays open for start */
        if (p->container) p->container->pending_create = 0;
        reply_ok(req, fields);
        return;
    }
    close(p->report_fd);
    p->report_fd = -1;
    p->report_kind = REPORT_NONE;
    /* a pty that never came: its output stream ends now */
    if (p->out && p->out->attaching) stream_attach(p->out, -1);
    if (p->in && p->in->attaching) stream_attach(p->in, -1);
    struct err e;
    if (n == (ssize_t)sizeof r) {
        fail_errno(&e, r.errnum, r.op, r.path);
    } else if (kind == REPORT_CREATE || n != 0) {
        fail_errno(&e, ECHILD, "create", "");
        snprintf(e.message, sizeof e.message, "the process exited before it was ready");
    } else {
        reply_ok(req, kind == REPORT_START ? "" : fields);
        process_check_done(p); /* the start reply goes before the wait reply */
        return;
    }
    reply_error(req, &e);
    if (kind == REPORT_CREATE && p->container) container_create_failed(p->container);
    else if (kind == REPORT_CREATE || kind == REPORT_EXEC) process_discard(p); /* the host never learnt its pid */
    else process_check_done(p);
}

/* ---- exits ---- */

void process_reaped(pid_t pid, int status) {
    struct process *p = process_find_pid(pid);
    if (!p) return;
    p->exited = 1;
    p->status = status;
    if (p->cgroup[0]) {
        long long now = read_oom_kills(p->cgroup);
        p->oom_killed = now > p->oom_at_start && p->oom_at_start >= 0;
    }
    process_check_done(p);
}

void process_check_done(struct process *p) {
    if (!p->exited || p->nwaiters == 0 || p->report_kind != REPORT_NONE) return;
    if ((p->out && !p->out->eof) || (p->err && !p->err->eof)) return;
    int code, sig = 0;
    if (WIFSIGNALED(p->status)) {
        sig = WTERMSIG(p->status);
        code = 128 + sig;
    } else {
        code = WEXITSTATUS(p->status);
    }
    char fields[96];
    snprintf(fields, sizeof fields, ",\"exitCode\":%d,\"signal\":%d,\"oomKilled\":%s", code, sig,
             p->oom_killed ? "true" : "false");
    for (int i = 0; i < p->nwaiters; i++) reply_ok(p->waiters[i], fields);
    process_discard(p);
}

static struct process *find_or_fail(uint32_t req, const struct json *args, const char *op) {
    const char *id = json_get_string(args, "process", "");
    struct process *p = process_find(id);
    if (!p) {
        struct err e;
        fail_errno(&e, ESRCH, op, "");
        snprintf(e.message, sizeof e.message, "no process %.200s", id);
        reply_error(req, &e);
    }
    return p;
}

void op_wait(uint32_t req, const struct json *args) {
    struct process *p = find_or_fail(req, args, "wait");
    if (!p) return;
    if (p->nwaiters == MAX_WAITERS) {
        struct err e;
        fail_errno(&e, EBUSY, "wait", "");
        reply_error(req, &e);
        return;
    }
    p->waiters[p->nwaiters++] = req;
    process_check_done(p);
}

void op_signal(uint32_t req, const struct json *args) {
    struct process *p = find_or_fail(req, args, "kill");
    if (!p) return;
    struct err e;
    if (p->exited || p->pid <= 0) {
        fail_errno(&e, ESRCH, "kill", "");
        reply_error(req, &e);
    } else if (kill(p->pid, (int)json_get_int(args, "signal", SIGTERM)) < 0) {
        fail(&e, "kill", "");
        reply_error(req, &e);
    } else {
        reply_ok(req, "");
    }
}

void op_resize(uint32_t req, const struct json *args) {
    struct process *p = find_or_fail(req, args, "ioctl");
    if (!p) return;
    struct err e;
    struct winsize ws = {.ws_row = (unsigned short)json_get_int(args, "rows", 24),
                         .ws_col = (unsigned short)json_get_int(args, "cols", 80)};
    if (p->master < 0) {
        fail_errno(&e, ENOTTY, "ioctl", "TIOCSWINSZ");
        reply_error(req, &e);
    } else if (ioctl(p->master, TIOCSWINSZ, &ws) < 0) {
        fail(&e, "ioctl", "TIOCSWINSZ");
        reply_error(req, &e);
    } else {
        reply_ok(req, "");
    }
}
