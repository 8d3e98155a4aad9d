// cgroup v2 operations: freeze/thaw (answered once cgroup.events agrees), killall, removal, and the
// devices controller (an eBPF program attached to the cgroup, as runc does on cgroup v2).
#define _GNU_SOURCE
#include "agent.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define FREEZE_TIMEOUT_MS 5000
#define FREEZE_POLL_MS 5

struct freeze_wait {
    uint32_t request;
    char events[PATH_MAX];
    int frozen;
    long long deadline;
    struct freeze_wait *next;
};

static struct freeze_wait *freeze_waits;

/* 1 when cgroup.events has "KEY want", 0 when not, -1 when it cannot be read. */
static int events_say(const char *events, const char *key, int want) {
    struct buf b = {0};
    int r = -1;
    if (read_file(events, &b, 4096) == 0 && b.data) {
        char needle[64];
        snprintf(needle, sizeof needle, "%s ", key);
        const char *at = strstr(b.data, needle);
        r = at && atoi(at + strlen(needle)) == want;
    }
    buf_free(&b);
    return r;
}

void op_freeze(uint32_t req, const struct json *args) {
    struct err e;
    const char *cgroup = json_get_string(args, "cgroup", "");
    int frozen = json_get_bool(args, "frozen", 1);
    char file[PATH_MAX];
    path_join(file, sizeof file, cgroup, "cgroup.freeze");
    if (write_file(file, frozen ? "1" : "0", 1, &e) < 0) return reply_error(req, &e);
    struct freeze_wait *w = calloc(1, sizeof *w);
    if (!w) abort();
    w->request = req;
    path_join(w->events, sizeof w->events, cgroup, "cgroup.events");
    w->frozen = frozen;
    w->deadline = now_ms() + FREEZE_TIMEOUT_MS;
    w->next = freeze_waits;
    freeze_waits = w;
    freeze_check();
}

int freeze_poll_timeout(void) { return freeze_waits ? FREEZE_POLL_MS : -1; }

void freeze_check(void) {
    for (struct freeze_wait **pp = &freeze_waits; *pp;) {
        struct freeze_wait *w = *pp;
        int state = events_say(w->events, "frozen", w->frozen);
        struct err e;
        if (state == 1) {
            reply_ok(w->request, "");
        } else if (state < 0) {
            fail(&e, "open", w->events);
            reply_error(w->request, &e);
        } else if (now_ms() > w->deadline) {
            fail_errno(&e, ETIMEDOUT, "freeze", w->events);
            reply_error(w->request, &e);
        } else {
            pp = &w->next;
            continue;
        }
        *pp = w->next;
        free(w);
    }
}

void op_killall(uint32_t req, const struct json *args) {
    struct err e;
    const char *cgroup = json_get_string(args, "cgroup", "");
    int sig = (int)json_get_int(args, "signal", SIGKILL);
    char file[PATH_MAX];
    if (sig == SIGKILL) {
        path_join(file, sizeof file, cgroup, "cgroup.kill");
        if (write_file(file, "1", 1, &e) < 0) return reply_error(req, &e);
        return reply_ok(req, "");
    }
    struct buf procs = {0};
    path_join(file, sizeof file, cgroup, "cgroup.procs");
    if (read_file(file, &procs, 1 << 20) < 0) {
        fail(&e, "open", file);
        buf_free(&procs);
        return reply_error(req, &e);
    }
    for (char *line = procs.data; line && *line;) {
        pid_t pid = (pid_t)atoi(line);
        if (pid > 0) kill(pid, sig);
        char *next = strchr(line, '\n');
        line = next ? next + 1 : NULL;
    }
    buf_free(&procs);
    reply_ok(req, "");
}

int cgroup_destroy(const char *path, struct err *e) {
    char file[PATH_MAX];
    path_join(file, sizeof file, path, "cgroup.kill");
    struct err ignored;
    if (write_file(file, "1", 1, &ignored) < 0 && ignored.errnum == ENOENT) return 0; /* gone already */
    long long deadline = now_ms() + 1000;
    for (;;) {
        if (rmdir(path) == 0 || errno == ENOENT) return 0;
        if (errno != EBUSY || now_ms() > deadline) return fail(e, "rmdir", path);
        usleep(1000);
    }
}

/* Enables in one cgroup, for its children, every controller it has (as runc does for each parent). */
static int enable_controllers(const char *dir, struct err *e) {
    char file[PATH_MAX];
    struct buf have = {0}, enabled = {0}, want = {0};
    int r = 0;
    path_join(file, sizeof file, dir, "cgroup.controllers");
    if (read_file(file, &have, 4096) < 0) goto out; /* not a cgroup (above the mount): nothing to do */
    path_join(file, sizeof file, dir, "cgroup.subtree_control");
    if (read_file(file, &enabled, 4096) < 0) {
        r = fail(e, "open", file);
        goto out;
    }
    if (have.len == enabled.len && (have.len == 0 || memcmp(have.data, enabled.data, have.len) == 0)) goto out;
    for (char *name = strtok(have.data, " \n"); name; name = strtok(NULL, " \n")) buf_printf(&want, "+%s ", name);
    if (want.len) r = write_file(file, want.data, want.len, e);
out:
    buf_free(&have);
    buf_free(&enabled);
    buf_free(&want);
    return r;
}

int cgroup_create(const char *path, struct err *e) {
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s", path);
    if (mkdir_p(dir, 0755) < 0) return fail(e, "mkdir", path);
    /* every ancestor, top-down: a cgroup can only enable what its parent enabled */
    for (char *slash = strchr(dir + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
        *slash = 0;
        int r = enable_controllers(dir, e);
        *slash = '/';
        if (r < 0) return -1;
    }
    return 0;
}

/* ---- the devices cgroup ----
 *
 * cgroup v2 has no devices.allow file: a BPF_PROG_TYPE_CGROUP_DEVICE program attached to the cgroup
 * decides every open and mknod of a device node by its processes. The program is assembled here from
 * the host's rules ({"defaultAllow": false, "rules": [{"type": "c", "major": 1, "minor": 3,
 * "access": "rwm"}, ...]}; -1 is any number), the way runc's devicefilter does it:
 *
 *   r2 = type (low 16 bits of access_type)   r3 = access (high 16 bits)   r4 = major   r5 = minor
 *   per rule:  if r2 != type goto next;  if (r3 & access) != r3 goto next;
 *              if r4 != major goto next;  if r5 != minor goto next;  return !default
 *   return default
 */

#define DEVICE_PROG_MAX 4096

struct device_prog {
    struct bpf_insn insn[DEVICE_PROG_MAX];
    int n;
};

static int emit(struct device_prog *p, uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm) {
    if (p->n >= DEVICE_PROG_MAX) return -1;
    struct bpf_insn *i = &p->insn[p->n++];
    memset(i, 0, sizeof *i);
    i->code = code;
    i->dst_reg = dst & 0xf;
    i->src_reg = src & 0xf;
    i->off = off;
    i->imm = imm;
    return 0;
}

static int device_rule(struct device_prog *p, const struct json *rule, int result) {
    const char *type = json_get_string(rule, "type", "");
    const char *access = json_get_string(rule, "access", "");
    long long major = json_get_int(rule, "major", -1), minor = json_get_int(rule, "minor", -1);
    int bpf_type = type[0] == 'b' ? BPF_DEVCG_DEV_BLOCK : type[0] == 'c' ? BPF_DEVCG_DEV_CHAR : 0;
    int bpf_access = (strchr(access, 'm') ? BPF_DEVCG_ACC_MKNOD : 0) | (strchr(access, 'r') ? BPF_DEVCG_ACC_READ : 0) |
                     (strchr(access, 'w') ? BPF_DEVCG_ACC_WRITE : 0);
    if (!bpf_type || !bpf_access) return -1;
    int jumps[4], njumps = 0, r = 0;
    jumps[njumps++] = p->n;
    r |= emit(p, BPF_JMP | BPF_JNE | BPF_K, BPF_REG_2, 0, 0, bpf_type);
    if (bpf_access != (BPF_DEVCG_ACC_MKNOD | BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE)) {
        r |= emit(p, BPF_ALU | BPF_MOV | BPF_X, BPF_REG_1, BPF_REG_3, 0, 0);
        r |= emit(p, BPF_ALU | BPF_AND | BPF_K, BPF_REG_1, 0, 0, bpf_access);
        jumps[njumps++] = p->n;
        r |= emit(p, BPF_JMP | BPF_JNE | BPF_X, BPF_REG_1, BPF_REG_3, 0, 0);
    }
    if (major >= 0) {
        jumps[njumps++] = p->n;
        r |= emit(p, BPF_JMP | BPF_JNE | BPF_K, BPF_REG_4, 0, 0, (int32_t)major);
    }
    if (minor >= 0) {
        jumps[njumps++] = p->n;
        r |= emit(p, BPF_JMP | BPF_JNE | BPF_K, BPF_REG_5, 0, 0, (int32_t)minor);
    }
    r |= emit(p, BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, result);
    r |= emit(p, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
    if (r) return -1;
    for (int i = 0; i < njumps; i++) p->insn[jumps[i]].off = (int16_t)(p->n - (jumps[i] + 1));
    return 0;
}

static int bpf_call(int cmd, union bpf_attr *attr) { return (int)syscall(SYS_bpf, cmd, attr, sizeof *attr); }

int cgroup_devices(const char *path, const struct json *devices, struct err *e) {
    const struct json *rules = json_get_array(devices, "rules");
    int default_allow = json_get_bool(devices, "defaultAllow", 0);
    struct device_prog *p = calloc(1, sizeof *p);
    if (!p) abort();
    int r = 0;
    r |= emit(p, BPF_LDX | BPF_MEM | BPF_W, BPF_REG_2, BPF_REG_1, 0, 0);
    r |= emit(p, BPF_ALU | BPF_AND | BPF_K, BPF_REG_2, 0, 0, 0xffff);
    r |= emit(p, BPF_LDX | BPF_MEM | BPF_W, BPF_REG_3, BPF_REG_1, 0, 0);
    r |= emit(p, BPF_ALU | BPF_RSH | BPF_K, BPF_REG_3, 0, 0, 16);
    r |= emit(p, BPF_LDX | BPF_MEM | BPF_W, BPF_REG_4, BPF_REG_1, 4, 0);
    r |= emit(p, BPF_LDX | BPF_MEM | BPF_W, BPF_REG_5, BPF_REG_1, 8, 0);
    for (size_t i = 0; rules && i < rules->length && r == 0; i++) r |= device_rule(p, rules->items[i], !default_allow);
    r |= emit(p, BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, default_allow);
    r |= emit(p, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
    if (r) {
        free(p);
        fail_errno(e, EINVAL, "bpf", path);
        snprintf(e->message, sizeof e->message, "bad devices cgroup rules (a rule needs type b or c and access of r, w, m)");
        return -1;
    }

    static const char license[] = "Apache";
    union bpf_attr load;
    memset(&load, 0, sizeof load);
    load.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
    load.insn_cnt = (uint32_t)p->n;
    load.insns = (uint64_t)(uintptr_t)p->insn;
    load.license = (uint64_t)(uintptr_t)license;
    int prog = bpf_call(BPF_PROG_LOAD, &load);
    if (prog < 0) {
        int saved = errno;
        /* once more with the verifier's log, for the guest's console */
        static char log[4096];
        load.log_level = 1;
        load.log_size = sizeof log;
        load.log_buf = (uint64_t)(uintptr_t)log;
        if (bpf_call(BPF_PROG_LOAD, &load) < 0 && log[0]) agent_log("devices cgroup program refused by the verifier:\n%s", log);
        free(p);
        fail_errno(e, saved, "bpf", path);
        snprintf(e->message, sizeof e->message, "loading the devices cgroup program (BPF_PROG_LOAD): %s", strerror(saved));
        return -1;
    }
    free(p);
    int dir = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir < 0) {
        close(prog);
        return fail(e, "open", path);
    }
    union bpf_attr attach;
    memset(&attach, 0, sizeof attach);
    attach.target_fd = (uint32_t)dir;
    attach.attach_bpf_fd = (uint32_t)prog;
    attach.attach_type = BPF_CGROUP_DEVICE;
    attach.attach_flags = BPF_F_ALLOW_MULTI;
    int attached = bpf_call(BPF_PROG_ATTACH, &attach);
    int saved = errno;
    close(dir);
    close(prog); /* the attachment holds the program */
    if (attached < 0) {
        fail_errno(e, saved, "bpf", path);
        snprintf(e->message, sizeof e->message, "attaching the devices cgroup program (BPF_PROG_ATTACH): %s", strerror(saved));
        return -1;
    }
    return 0;
}
