// /usr/bin/docker in the Dockside guest: hands argv, the environment, cwd, the terminal and stdio to
// the docker CLI on the host (through the agent's /run/dockside/docker-cli.sock) and exits with the
// status the CLI decides. Session messages, both directions: kind (1 byte), length (u32 LE), payload.
//   client -> host: 'h' hello (JSON), 'i' stdin bytes (empty: EOF), 'w' rows u16 + cols u16, 's' signal u8
//   host -> client: 'o' stdout, 'e' stderr, 'i' start reading stdin, 'r' raw mode u8, 'x' exit u8
// See README.md next to this file.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#define SOCKET_PATH "/run/dockside/docker-cli.sock"
#define SERVICE_SOCKET_PATH "/run/dockside/service.sock"
#define OUT_MAX (64 * 1024) /* stop reading stdin while this much waits for the socket */

extern char **environ;

struct buf {
    unsigned char *data;
    size_t len, cap;
};

static void buf_add(struct buf *b, const void *data, size_t n) {
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + n) cap *= 2;
        b->data = realloc(b->data, cap);
        if (!b->data) abort();
        b->cap = cap;
    }
    memcpy(b->data + b->len, data, n);
    b->len += n;
}

static void buf_json_string(struct buf *b, const char *s) {
    buf_add(b, "\"", 1);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        char esc[8];
        if (c == '"' || c == '\\') {
            esc[0] = '\\';
            esc[1] = (char)c;
            buf_add(b, esc, 2);
        } else if (c < 0x20) {
            snprintf(esc, sizeof esc, "\\u%04x", c);
            buf_add(b, esc, 6);
        } else {
            buf_add(b, s, 1);
        }
    }
    buf_add(b, "\"", 1);
}

static int sock = -1;
static struct buf out; /* messages waiting for the socket */
static size_t out_off;
static int sigpipe_fds[2] = {-1, -1};
static struct termios saved;
static int raw_on;

static void message(char kind, const void *payload, size_t n) {
    unsigned char h[5] = {(unsigned char)kind, (unsigned char)n, (unsigned char)(n >> 8), (unsigned char)(n >> 16), (unsigned char)(n >> 24)};
    buf_add(&out, h, 5);
    if (n) buf_add(&out, payload, n);
}

static void set_raw(int on) {
    if (on && !raw_on && tcgetattr(0, &saved) == 0) {
        struct termios t = saved;
        cfmakeraw(&t);
        if (tcsetattr(0, TCSADRAIN, &t) == 0) raw_on = 1;
    } else if (!on && raw_on) {
        tcsetattr(0, TCSADRAIN, &saved);
        raw_on = 0;
    }
}

static void finish(int status) {
    set_raw(0);
    exit(status);
}

static void on_signal(int signo) {
    unsigned char s = (unsigned char)signo;
    int saved_errno = errno;
    if (write(sigpipe_fds[1], &s, 1) < 0) {
        /* the pipe is full: the signal is dropped, as with a busy process */
    }
    errno = saved_errno;
}

static void send_size(void) {
    struct winsize ws;
    if (ioctl(0, TIOCGWINSZ, &ws) < 0 && ioctl(1, TIOCGWINSZ, &ws) < 0) return;
    unsigned char p[4] = {(unsigned char)ws.ws_row, (unsigned char)(ws.ws_row >> 8), (unsigned char)ws.ws_col, (unsigned char)(ws.ws_col >> 8)};
    message('w', p, 4);
}

static void send_hello(int argc, char **argv) {
    struct buf b = {0};
    buf_add(&b, "{\"argv\":[", 9);
    for (int i = 1; i < argc; i++) {
        if (i > 1) buf_add(&b, ",", 1);
        buf_json_string(&b, argv[i]);
    }
    buf_add(&b, "],\"env\":[", 9);
    for (char **e = environ; *e; e++) {
        if (e != environ) buf_add(&b, ",", 1);
        buf_json_string(&b, *e);
    }
    char cwd[4096];
    if (!getcwd(cwd, sizeof cwd)) strcpy(cwd, "/");
    buf_add(&b, "],\"cwd\":", 8);
    buf_json_string(&b, cwd);
    struct winsize ws = {0};
    if (ioctl(0, TIOCGWINSZ, &ws) < 0 && ioctl(1, TIOCGWINSZ, &ws) < 0) ws.ws_row = ws.ws_col = 0;
    char tail[128];
    int n = snprintf(tail, sizeof tail, ",\"tty\":[%s,%s,%s],\"rows\":%u,\"cols\":%u}", isatty(0) ? "true" : "false",
                     isatty(1) ? "true" : "false", isatty(2) ? "true" : "false", ws.ws_row, ws.ws_col);
    buf_add(&b, tail, (size_t)n);
    message('h', b.data, b.len);
    free(b.data);
}

static void write_all(int fd, const unsigned char *p, size_t n) {
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN) {
                struct pollfd pfd = {fd, POLLOUT, 0};
                poll(&pfd, 1, -1);
                continue;
            }
            return; /* EPIPE with SIGPIPE ignored is impossible: SIGPIPE is left at its default */
        }
        p += w;
        n -= (size_t)w;
    }
}

/* Handles one message from the host; returns how many bytes it used (0: incomplete). */
static size_t handle(const unsigned char *p, size_t avail, int *want_stdin) {
    if (avail < 5) return 0;
    size_t n = (size_t)p[1] | (size_t)p[2] << 8 | (size_t)p[3] << 16 | (size_t)p[4] << 24;
    if (avail < 5 + n) return 0;
    const unsigned char *payload = p + 5;
    switch (p[0]) {
    case 'o': write_all(1, payload, n); break;
    case 'e': write_all(2, payload, n); break;
    case 'i': *want_stdin = 1; break;
    case 'r': set_raw(n > 0 && payload[0]); break;
    case 'x': finish(n > 0 ? payload[0] : 1); break;
    default: break;
    }
    return 5 + n;
}

/* dockside-sockcat PATH: stdin to a unix socket (half-closed at EOF), the socket to stdout. A test
   and teaching aid for /var/run/docker.sock where no curl is installed. */
static int sockcat(const char *path) {
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0) {
        fprintf(stderr, "dockside-sockcat: %s: %s\n", path, strerror(errno));
        return 1;
    }
    int in_open = 1;
    for (;;) {
        struct pollfd fds[2] = {{fd, POLLIN, 0}, {0, POLLIN, 0}};
        if (poll(fds, in_open ? 2 : 1, -1) < 0) {
            if (errno == EINTR) continue;
            return 1;
        }
        unsigned char chunk[16384];
        if (in_open && fds[1].revents) {
            ssize_t n = read(0, chunk, sizeof chunk);
            if (n > 0) {
                write_all(fd, chunk, (size_t)n);
            } else {
                in_open = 0;
                shutdown(fd, SHUT_WR);
            }
        }
        if (fds[0].revents) {
            ssize_t n = read(fd, chunk, sizeof chunk);
            if (n <= 0) return 0;
            write_all(1, chunk, (size_t)n);
        }
    }
}

int main(int argc, char **argv) {
    if (strcmp(strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0], "dockside-sockcat") == 0) {
        if (argc != 2) {
            fputs("usage: dockside-sockcat SOCKET\n", stderr);
            return 2;
        }
        return sockcat(argv[1]);
    }
    /* Called as dockside-service (by the service and systemctl scripts) it speaks the same session
       to the host's service socket, which stays there while the daemon is stopped. */
    const char *name = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
    int service = strcmp(name, "dockside-service") == 0;
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    strcpy(addr.sun_path, service ? SERVICE_SOCKET_PATH : SOCKET_PATH);
    sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (sock < 0 || connect(sock, (struct sockaddr *)&addr, sizeof addr) < 0) {
        if (service) fputs("dockside-service: the Dockside host does not answer (its engine is not running)\n", stderr);
        else fputs("Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?\n", stderr);
        return 1;
    }
    fcntl(sock, F_SETFL, O_NONBLOCK);
    if (pipe2(sigpipe_fds, O_CLOEXEC | O_NONBLOCK) < 0) return 1;
    struct sigaction sa = {0};
    sa.sa_handler = on_signal;
    sa.sa_flags = SA_RESTART;
    const int forwarded[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH};
    for (size_t i = 0; i < sizeof forwarded / sizeof forwarded[0]; i++) sigaction(forwarded[i], &sa, NULL);
    send_hello(argc, argv);

    struct buf in = {0};
    int want_stdin = 0, stdin_done = 0;
    for (;;) {
        struct pollfd fds[3] = {
            {sock, (short)(POLLIN | (out_off < out.len ? POLLOUT : 0)), 0},
            {sigpipe_fds[0], POLLIN, 0},
            {0, POLLIN, 0},
        };
        int reading = want_stdin && !stdin_done && out.len - out_off < OUT_MAX;
        if (poll(fds, reading ? 3 : 2, -1) < 0) {
            if (errno == EINTR) continue;
            finish(1);
        }
        if (fds[1].revents & POLLIN) {
            unsigned char s[16];
            ssize_t n = read(sigpipe_fds[0], s, sizeof s);
            for (ssize_t i = 0; i < n; i++) {
                if (s[i] == SIGWINCH) send_size();
                else message('s', &s[i], 1);
            }
        }
        if (reading && fds[2].revents) {
            unsigned char chunk[16384];
            ssize_t n = read(0, chunk, sizeof chunk);
            if (n > 0) {
                message('i', chunk, (size_t)n);
            } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
                stdin_done = 1;
                message('i', NULL, 0);
            }
        }
        if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
            unsigned char chunk[65536];
            ssize_t n = read(sock, chunk, sizeof chunk);
            if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
                fputs("docker: the connection to the Docker daemon was lost\n", stderr);
                finish(1);
            }
            if (n > 0) {
                buf_add(&in, chunk, (size_t)n);
                size_t at = 0, used;
                while ((used = handle(in.data + at, in.len - at, &want_stdin)) > 0) at += used;
                memmove(in.data, in.data + at, in.len - at);
                in.len -= at;
            }
        }
        while (out_off < out.len) {
            ssize_t n = send(sock, out.data + out_off, out.len - out_off, MSG_NOSIGNAL);
            if (n < 0) break;
            out_off += (size_t)n;
        }
        if (out_off == out.len) out.len = out_off = 0;
    }
}
