// dockside-agent: the guest side of Dockside's runtime. Speaks framed requests, replies and streams
// on /dev/hvc1 (see PROTOCOL.md) and runs everything from one poll loop.
#define _GNU_SOURCE
#include "agent.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#define HEADER 12
#define READ_CHUNK 65536

static int port = -1;                /* /dev/hvc1 */
static struct buf out;               /* frames waiting for the port */
static size_t out_off;
static struct buf in;                /* bytes read from the port, not yet parsed */
static size_t in_off;
static int resyncing;                /* skipping garbage after a bad header */

/* ---- frames out ---- */

static void flush_output(void) {
    while (out_off < out.len) {
        ssize_t n = write(port, out.data + out_off, out.len - out_off);
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno != EAGAIN) agent_log("write to port: %s", strerror(errno));
            break;
        }
        out_off += (size_t)n;
    }
    if (out_off == out.len) {
        out.len = out_off = 0;
    } else if (out_off > 1 << 20 && out_off > out.len / 2) {
        buf_consume(&out, out_off);
        out_off = 0;
    }
}

size_t output_backlog(void) { return out.len - out_off; }

static void put_u32(unsigned char *p, uint32_t v) {
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
    p[2] = (unsigned char)(v >> 16);
    p[3] = (unsigned char)(v >> 24);
}

static uint32_t get_u32(const unsigned char *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

void send_frame(int kind, uint32_t id, const void *payload, size_t length) {
    if (length > MAX_PAYLOAD) {
        /* Never put an unreadable frame on the wire; callers keep replies smaller than this. */
        agent_log("dropping a frame of %zu bytes", length);
        return;
    }
    unsigned char h[HEADER] = {0x44, 0x53, PROTOCOL_VERSION, (unsigned char)kind};
    put_u32(h + 4, id);
    put_u32(h + 8, (uint32_t)length);
    buf_add(&out, h, HEADER);
    buf_add(&out, payload, length);
    flush_output();
}

void error_to_json(struct buf *b, const struct err *e) {
    buf_printf(b, "{\"ok\":false,\"errno\":%d,\"code\":\"%s\",\"op\":", e->errnum, errno_name(e->errnum));
    buf_json_string(b, e->op, strlen(e->op));
    buf_add(b, ",\"path\":", 8);
    buf_json_string(b, e->path, strlen(e->path));
    const char *message = e->message[0] ? e->message : strerror(e->errnum);
    buf_add(b, ",\"message\":", 11);
    buf_json_string(b, message, strlen(message));
    buf_addc(b, '}');
}

void reply_ok(uint32_t id, const char *fields) {
    struct buf b = {0};
    buf_printf(&b, "{\"ok\":true%s}", fields ? fields : "");
    send_frame(FRAME_REPLY, id, b.data, b.len);
    buf_free(&b);
}

void reply_error(uint32_t id, const struct err *e) {
    struct buf b = {0};
    error_to_json(&b, e);
    send_frame(FRAME_REPLY, id, b.data, b.len);
    buf_free(&b);
}

static void protocol_error(const char *what) {
    struct err e;
    fail_errno(&e, EPROTO, "frame", "");
    snprintf(e.message, sizeof e.message, "%s", what);
    struct buf b = {0};
    error_to_json(&b, &e);
    send_frame(FRAME_ERROR, 0, b.data, b.len);
    buf_free(&b);
}

/* ---- requests ---- */

static void op_hello(uint32_t req, const struct json *args) {
    (void)args;
    char fields[64];
    snprintf(fields, sizeof fields, ",\"version\":%d,\"pid\":%d", PROTOCOL_VERSION, (int)getpid());
    reply_ok(req, fields);
}

static const struct {
    const char *name;
    void (*handler)(uint32_t req, const struct json *args);
} operations[] = {
    {"hello", op_hello},   {"spawn", op_spawn},     {"create", op_create},   {"start", op_start},
    {"exec", op_exec},     {"wait", op_wait},       {"signal", op_signal},   {"resize", op_resize},
    {"freeze", op_freeze}, {"killall", op_killall}, {"delete", op_delete},   {"read", op_read},
    {"write", op_write},   {"unpack", op_unpack},   {"pack", op_pack},       {"changes", op_changes},
    {"listen", op_listen}, {"unlisten", op_unlisten}, {"close", op_close},
};

static void handle_request(uint32_t id, const char *payload, size_t length) {
    struct err e;
    struct json *request = json_parse(payload, length);
    if (!request || request->type != JSON_OBJECT) {
        fail_errno(&e, EINVAL, "request", "");
        snprintf(e.message, sizeof e.message, "the request is not a JSON object");
        reply_error(id, &e);
        json_free(request);
        return;
    }
    const char *op = json_get_string(request, "op", "");
    for (size_t i = 0; i < sizeof operations / sizeof operations[0]; i++) {
        if (strcmp(operations[i].name, op) == 0) {
            operations[i].handler(id, request);
            json_free(request);
            return;
        }
    }
    fail_errno(&e, ENOSYS, op, "");
    snprintf(e.message, sizeof e.message, "unknown op \"%.200s\"", op);
    reply_error(id, &e);
    json_free(request);
}

/* ---- frames in ---- */

/*
 * A new agent (at boot, or respawned by init after a crash) says so before its first reply: requests
 * the host sent before this one went to an earlier agent, or were lost before the port was open, and
 * will never be answered; the sockets it asked for must be listened on again.
 */
static void announce_start(uint32_t first_request) {
    static int announced;
    if (announced) return;
    announced = 1;
    char started[96];
    int len = snprintf(started, sizeof started, "{\"event\":\"started\",\"pid\":%d,\"request\":%u}", (int)getpid(), first_request);
    send_frame(FRAME_EVENT, 0, started, (size_t)len);
}

static void handle_frame(int kind, uint32_t id, const char *payload, size_t length) {
    switch (kind) {
    case FRAME_REQUEST:
        announce_start(id);
        handle_request(id, payload, length);
        break;
    case FRAME_DATA:
        if (!conn_data(id, payload, length)) stream_data(id, payload, length);
        break;
    case FRAME_CREDIT:
        if (length == 4) {
            uint32_t n = get_u32((const unsigned char *)payload);
            if (!conn_credit(id, n)) stream_credit(id, n);
        } else {
            protocol_error("CREDIT payload is not 4 bytes");
        }
        break;
    default: protocol_error("unexpected frame kind"); break;
    }
}

static void parse_input(void) {
    for (;;) {
        size_t avail = in.len - in_off;
        const unsigned char *p = (const unsigned char *)in.data + in_off;
        if (resyncing) {
            /* Skip to the next "DS" (a lone trailing 'D' may be the start of one). */
            size_t i = 0;
            while (i < avail && !(p[i] == 0x44 && (i + 1 == avail || p[i + 1] == 0x53))) i++;
            in_off += i;
            if (i == avail || in.len - in_off < 2) break;
            resyncing = 0;
            continue;
        }
        if (avail < HEADER) {
            /* A wrong magic is known before the whole header arrives. */
            if ((avail >= 1 && p[0] != 0x44) || (avail >= 2 && p[1] != 0x53)) goto bad;
            break;
        }
        if (p[0] != 0x44 || p[1] != 0x53) goto bad;
        if (p[2] != PROTOCOL_VERSION) {
            protocol_error("unsupported protocol version");
            in_off += 2;
            resyncing = 1;
            continue;
        }
        uint32_t length = get_u32(p + 8);
        if (length > MAX_PAYLOAD) {
            protocol_error("payload longer than 1 MiB");
            in_off += 2;
            resyncing = 1;
            continue;
        }
        if (avail < HEADER + (size_t)length) break;
        in_off += HEADER + length;
        handle_frame(p[3], get_u32(p + 4), (const char *)p + HEADER, length);
        continue;
    bad:
        protocol_error("bad magic");
        in_off += 1;
        resyncing = 1;
    }
    if (in_off == in.len) {
        in.len = in_off = 0;
    } else if (in_off > 0 && in_off >= in.len / 2) {
        buf_consume(&in, in_off);
        in_off = 0;
    }
}

static void read_port(void) {
    char chunk[READ_CHUNK];
    ssize_t n = read(port, chunk, sizeof chunk);
    if (n > 0) {
        buf_add(&in, chunk, (size_t)n);
        parse_input();
    } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
        /* The host side is not there (EIO, hangup): do not spin. */
        usleep(100000);
    }
}

/* ---- children ---- */

static void reap_children(int sigfd) {
    struct signalfd_siginfo info;
    while (read(sigfd, &info, sizeof info) > 0) {
    }
    for (;;) {
        int status;
        pid_t pid = waitpid(-1, &status, WNOHANG);
        if (pid <= 0) break;
        if (job_reaped(pid)) continue;
        container_reaped(pid);
        process_reaped(pid, status);
    }
}

/* ---- the loop ---- */

enum { SLOT_PORT, SLOT_SIGNAL, SLOT_STREAM, SLOT_REPORT, SLOT_JOB, SLOT_LISTENER, SLOT_CONN };

int main(int argc, char **argv) {
    const char *path = argc > 1 ? argv[1] : "/dev/hvc1";
    for (int fd = 0; fd < 3; fd++) {
        if (fcntl(fd, F_GETFD) < 0) open("/dev/null", O_RDWR);
    }
    port = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    if (port < 0) {
        agent_log("open %s: %s", path, strerror(errno));
        sleep(5); /* init respawns us: not in a tight loop */
        return 1;
    }
    struct termios t;
    if (tcgetattr(port, &t) == 0) {
        cfmakeraw(&t);
        tcsetattr(port, TCSANOW, &t);
    }
    signal(SIGPIPE, SIG_IGN);
    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGCHLD);
    sigprocmask(SIG_BLOCK, &mask, NULL);
    int sigfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
    if (sigfd < 0) {
        agent_log("signalfd: %s", strerror(errno));
        return 1;
    }

    /* The host must not write to the port while the guest is still setting up its virtqueues (a frame
       v86 delivers then can leave the port's receive queue dead for good), so at a cold boot it waits
       for this before it sends anything. Output is safe: the guest starts it. */
    char ready[64];
    int ready_len = snprintf(ready, sizeof ready, "{\"event\":\"ready\",\"pid\":%d}", (int)getpid());
    send_frame(FRAME_EVENT, 0, ready, (size_t)ready_len);

    struct pollfd *fds = NULL;
    struct slot {
        int kind;
        void *ptr;
    } *slots = NULL;
    size_t cap = 0;
    for (;;) {
        size_t n = 0, want = 2;
        for (struct stream *s = all_streams; s; s = s->next) want++;
        for (struct process *p = all_processes; p; p = p->next) want++;
        for (struct job *j = all_jobs; j; j = j->next) want++;
        want += sockets_count();
        if (want > cap) {
            cap = want * 2;
            fds = realloc(fds, cap * sizeof *fds);
            slots = realloc(slots, cap * sizeof *slots);
            if (!fds || !slots) abort();
        }
        fds[n] = (struct pollfd){port, (short)(POLLIN | (output_backlog() ? POLLOUT : 0)), 0};
        slots[n++] = (struct slot){SLOT_PORT, NULL};
        fds[n] = (struct pollfd){sigfd, POLLIN, 0};
        slots[n++] = (struct slot){SLOT_SIGNAL, NULL};
        for (struct stream *s = all_streams; s; s = s->next) {
            short events = stream_events(s);
            if (!events) continue;
            fds[n] = (struct pollfd){s->fd, events, 0};
            slots[n++] = (struct slot){SLOT_STREAM, s};
        }
        for (struct process *p = all_processes; p; p = p->next) {
            if (p->report_fd < 0 || p->report_kind == REPORT_NONE) continue;
            fds[n] = (struct pollfd){p->report_fd, POLLIN, 0};
            slots[n++] = (struct slot){SLOT_REPORT, p};
        }
        for (struct job *j = all_jobs; j; j = j->next) {
            if (j->fd < 0) continue;
            fds[n] = (struct pollfd){j->fd, POLLIN, 0};
            slots[n++] = (struct slot){SLOT_JOB, j};
        }
        {
            void *ptrs[want];
            int kinds[want];
            size_t k = sockets_pollfds(fds + n, ptrs, kinds);
            for (size_t i = 0; i < k; i++) slots[n + i] = (struct slot){kinds[i] ? SLOT_CONN : SLOT_LISTENER, ptrs[i]};
            n += k;
        }
        int r = poll(fds, n, freeze_poll_timeout());
        if (r < 0 && errno != EINTR) {
            agent_log("poll: %s", strerror(errno));
            usleep(10000);
        }
        freeze_check();
        if (r <= 0) continue;
        /* Handlers may free streams, processes and jobs: look each one up again before using it. */
        for (size_t i = 0; i < n; i++) {
            short re = fds[i].revents;
            if (!re) continue;
            switch (slots[i].kind) {
            case SLOT_PORT:
                if (re & POLLOUT) flush_output();
                if (re & (POLLIN | POLLHUP | POLLERR)) read_port();
                break;
            case SLOT_SIGNAL: reap_children(sigfd); break;
            case SLOT_STREAM:
                for (struct stream *s = all_streams; s; s = s->next) {
                    if (s == slots[i].ptr && s->fd == fds[i].fd) {
                        stream_ready(s, re);
                        break;
                    }
                }
                break;
            case SLOT_REPORT:
                for (struct process *p = all_processes; p; p = p->next) {
                    if (p == slots[i].ptr && p->report_fd == fds[i].fd) {
                        process_report_ready(p);
                        break;
                    }
                }
                break;
            case SLOT_LISTENER:
            case SLOT_CONN: sockets_ready(slots[i].ptr, slots[i].kind == SLOT_CONN, fds[i].fd, re); break;
            case SLOT_JOB:
                for (struct job *j = all_jobs; j; j = j->next) {
                    if (j == slots[i].ptr && j->fd == fds[i].fd) {
                        job_readable(j);
                        break;
                    }
                }
                break;
            }
        }
    }
}
