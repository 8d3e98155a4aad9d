/*
 * dockside-dns: docker's embedded DNS server (127.0.0.11:53) for one container, run by the engine in
 * the container's network namespace (nsenter -n -t PID dockside-dns RECORDS PID).
 *
 * It answers from RECORDS, a text file the engine rewrites whenever a network the container is on
 * changes (re-read for every query, so a change needs no signal), ending with an "END" line:
 *   A name ip      an address for a name (several lines: several answers)
 *   PTR ip name    the name of an address (reverse lookups)
 * As docker's resolver: A answers (shuffled) with TTL 600, recursion available, not authoritative;
 * AAAA (and MX) for a known name is an empty NOERROR; any other query is forwarded to the first
 *   EXT ip         external server (docker's ExtServers: --dns, or the host's, or 8.8.8.8)
 * with a fresh id, and its answer goes back to the client; no answer in time (FORWARD_MS: the guest is
 * often offline), no EXT line, or no route (an internal network) is a SERVFAIL, never a long wait.
 * It answers over TCP too (one client at a time, without forwarding).
 * It exits when the container's first process (PID) does, so it never outlives the container or keeps
 * its network namespace alive.
 *
 * Built freestanding (no libc) for the guest's i386 kernel: see build.sh.
 */

typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;

#define SYS_exit_group 252
#define SYS_read 3
#define SYS_write 4
#define SYS_open 5
#define SYS_close 6
#define SYS_poll 168
#define SYS_socketcall 102
#define SYS_pidfd_open 434
#define SYS_getrandom 355
#define SYS_clock_gettime 265
/* How long a forwarded query waits for its answer: short while the external server has never
   answered (an offline guest: fail fast), longer once it has. */
#define FORWARD_MS 250
#define FORWARD_ANSWERING_MS 2000
#define MAX_PENDING 32
#define SOCKOP_socket 1
#define SOCKOP_bind 2
#define SOCKOP_listen 4
#define SOCKOP_setsockopt 14
#define SOCKOP_accept4 18
#define SOCKOP_sendto 11
#define SOCKOP_recvfrom 12
#define EINTR 4

static long sys3(long n, long a, long b, long c) {
    long r;
    __asm__ volatile("int $0x80" : "=a"(r) : "a"(n), "b"(a), "c"(b), "d"(c) : "memory");
    return r;
}

static long socketcall(long op, long *args) { return sys3(SYS_socketcall, op, (long)args, 0); }

static void die(const char *message, int code) {
    long n = 0;
    while (message[n]) n++;
    sys3(SYS_write, 2, (long)message, n);
    sys3(SYS_exit_group, code, 0, 0);
    for (;;) {
    }
}

struct sockaddr_in4 {
    u16 family;
    u16 port;
    u8 addr[4];
    u8 zero[8];
};

struct pollfd4 {
    int fd;
    short events;
    short revents;
};

static char records[65536];
static long records_len;
static u8 query[1024];
static u8 reply[512];
static u8 upstream[4096];

/* The external server, from the records' first EXT line. */
static int ext_known;
static u8 ext_addr[4];
static long ext_fd = -1;
static u16 next_id;
static int ext_answered;

/* A query forwarded to the external server, waiting for its answer. */
struct pending {
    int used;
    u16 id;
    u8 client_id[2];
    struct sockaddr_in4 client;
    long sent;
    long deadline;
    long len;
    u8 servfail[512]; /* the reply to send if no answer comes: header and question, SERVFAIL */
};
static struct pending pending[MAX_PENDING];

static long now_ms(void) {
    struct {
        long sec, nsec;
    } ts = {0, 0};
    sys3(SYS_clock_gettime, 1 /* CLOCK_MONOTONIC */, (long)&ts, 0);
    return ts.sec * 1000 + ts.nsec / 1000000;
}

static void copy(u8 *to, const u8 *from, long n) {
    for (long i = 0; i < n; i++) to[i] = from[i];
}

static void load_records(const char *path) {
    records_len = 0;
    long fd = sys3(SYS_open, (long)path, 0 /* O_RDONLY */, 0);
    if (fd < 0) return;
    for (;;) {
        long n = sys3(SYS_read, fd, (long)(records + records_len), (long)(sizeof records - 1 - records_len));
        if (n == -EINTR) continue;
        if (n <= 0) break;
        records_len += n;
        if (records_len >= (long)sizeof records - 1) break;
    }
    sys3(SYS_close, fd, 0, 0);
    records[records_len] = 0;
}

/* The engine writes the file in place (truncate, write) and ends it with an "END" line: a read that
   lands in between is tried again a few times. */
static int complete(void) {
    return records_len >= 4 && records[records_len - 4] == 'E' && records[records_len - 3] == 'N' && records[records_len - 2] == 'D' && records[records_len - 1] == '\n';
}

static void read_records(const char *path) {
    for (int tries = 0; tries < 20; tries++) {
        load_records(path);
        if (complete()) return;
        sys3(SYS_poll, 0, 0, 5);
    }
}

static int lower(int c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }

/* The field at *p (up to a space, tab or newline), its length; *p moves past it and its spaces. */
static const char *field(const char **p, const char *end, long *len) {
    const char *s = *p;
    while (s < end && (*s == ' ' || *s == '\t')) s++;
    const char *start = s;
    while (s < end && *s != ' ' && *s != '\t' && *s != '\n') s++;
    *len = s - start;
    *p = s;
    return start;
}

static int same(const char *a, long alen, const char *b, long blen) {
    if (alen != blen) return 0;
    for (long i = 0; i < alen; i++)
        if (lower((u8)a[i]) != lower((u8)b[i])) return 0;
    return 1;
}

static int parse_ip(const char *s, long len, u8 out[4]) {
    int part = 0;
    long value = -1;
    for (long i = 0; i <= len; i++) {
        if (i == len || s[i] == '.') {
            if (value < 0 || value > 255 || part > 3) return 0;
            out[part++] = (u8)value;
            value = -1;
        } else if (s[i] >= '0' && s[i] <= '9') {
            value = (value < 0 ? 0 : value * 10) + (s[i] - '0');
            if (value > 255) return 0;
        } else {
            return 0;
        }
    }
    return part == 4;
}

/* The first "EXT ip" line of the records, if any. */
static void find_ext(void) {
    ext_known = 0;
    const char *p = records, *end = records + records_len;
    while (p < end) {
        long klen, vlen;
        const char *k = field(&p, end, &klen);
        const char *v = field(&p, end, &vlen);
        while (p < end && *p != '\n') p++;
        if (p < end) p++;
        if (same(k, klen, "EXT", 3) && parse_ip(v, vlen, ext_addr)) {
            ext_known = 1;
            return;
        }
    }
}

/* Calls fn for every record line of a kind ("A" or "PTR") whose key matches, with its value. */
typedef int (*record_fn)(const char *value, long len, void *ctx);
static int each_record(const char *kind, long kindlen, const char *key, long keylen, record_fn fn, void *ctx) {
    int found = 0;
    const char *p = records, *end = records + records_len;
    while (p < end) {
        long klen, nlen, vlen;
        const char *k = field(&p, end, &klen);
        const char *n = field(&p, end, &nlen);
        const char *v = field(&p, end, &vlen);
        while (p < end && *p != '\n') p++;
        if (p < end) p++;
        if (!same(k, klen, kind, kindlen) || !same(n, nlen, key, keylen) || vlen == 0) continue;
        found++;
        if (fn && !fn(v, vlen, ctx)) break;
    }
    return found;
}

struct answers {
    long at;
    int count;
    u16 type;
};

static void put16(long at, u32 v) {
    reply[at] = (u8)(v >> 8);
    reply[at + 1] = (u8)v;
}

/* One answer record (the question's name, by a pointer to it) with its data, if it fits. */
static int add_answer(struct answers *a, const u8 *data, long len) {
    if (a->at + 12 + len > (long)sizeof reply) return 0;
    put16(a->at, 0xc00c);
    put16(a->at + 2, a->type);
    put16(a->at + 4, 1);
    put16(a->at + 6, 0);
    put16(a->at + 8, 600);
    put16(a->at + 10, (u32)len);
    for (long i = 0; i < len; i++) reply[a->at + 12 + i] = data[i];
    a->at += 12 + len;
    a->count++;
    return 1;
}

static int add_address(const char *value, long len, void *ctx) {
    u8 ip[4];
    if (!parse_ip(value, len, ip)) return 1;
    return add_answer((struct answers *)ctx, ip, 4);
}

static int add_name(const char *value, long len, void *ctx) {
    u8 data[256];
    long out = 0, label = out++;
    for (long i = 0; i < len; i++) {
        if (out >= 254) return 1;
        if (value[i] == '.') {
            if (out - label - 1 == 0 || out - label - 1 > 63) return 1;
            data[label] = (u8)(out - label - 1);
            label = out++;
        } else {
            data[out++] = (u8)value[i];
        }
    }
    if (out - label - 1 == 0 || out - label - 1 > 63) return 1;
    data[label] = (u8)(out - label - 1);
    data[out++] = 0;
    add_answer((struct answers *)ctx, data, out);
    return 0; /* one name per address */
}

/* The name of a reverse query "d.c.b.a.in-addr.arpa" as "a.b.c.d"; 0 if it is not one. */
static long reverse_ip(const char *name, long len, char *out) {
    static const char suffix[] = ".in-addr.arpa";
    long slen = sizeof suffix - 1;
    if (len <= slen || !same(name + len - slen, slen, suffix, slen)) return 0;
    len -= slen;
    const char *parts[4];
    long lens[4];
    int count = 0;
    long start = 0;
    for (long i = 0; i <= len; i++) {
        if (i == len || name[i] == '.') {
            if (count == 4) return 0;
            parts[count] = name + start;
            lens[count++] = i - start;
            start = i + 1;
        }
    }
    if (count != 4) return 0;
    for (int i = 0; i < 4; i++)
        if (lens[i] < 1 || lens[i] > 3) return 0;
    long at = 0;
    for (int i = 3; i >= 0; i--) {
        for (long j = 0; j < lens[i]; j++) out[at++] = parts[i][j];
        if (i > 0) out[at++] = '.';
    }
    return at;
}

/* The A records (16 bytes each from at) in a random order, as docker's resolver shuffles them. */
static void shuffle(long at, int count) {
    u32 random[32];
    if (count > 32) count = 32;
    if (sys3(SYS_getrandom, (long)random, count * 4, 0) != count * 4) return;
    for (int i = count - 1; i > 0; i--) {
        int j = (int)(random[i] % (u32)(i + 1));
        for (int b = 0; b < 16; b++) {
            u8 t = reply[at + i * 16 + b];
            reply[at + i * 16 + b] = reply[at + j * 16 + b];
            reply[at + j * 16 + b] = t;
        }
    }
}

static void send_to(long fd, const u8 *data, long len, const struct sockaddr_in4 *to) {
    long args[6] = {fd, (long)data, len, 0x40 /* MSG_DONTWAIT */, (long)to, sizeof *to};
    socketcall(SOCKOP_sendto, args);
}

/* Sends the query (n bytes, its question ending at qend; reply holds its SERVFAIL but for the rcode)
   to the external server; 0 if it cannot be. */
static int forward(long n, long qend, const struct sockaddr_in4 *from) {
    if (!from || !ext_known || ext_fd < 0 || n > 512 || qend > 512) return 0;
    struct pending *p = 0;
    for (int i = 0; i < MAX_PENDING && !p; i++)
        if (!pending[i].used) p = &pending[i];
    if (!p) return 0;
    u16 id = next_id++;
    p->client_id[0] = query[0];
    p->client_id[1] = query[1];
    query[0] = (u8)(id >> 8);
    query[1] = (u8)id;
    struct sockaddr_in4 to = {2, (u16)((53 >> 8) | (53 << 8)), {ext_addr[0], ext_addr[1], ext_addr[2], ext_addr[3]}, {0}};
    long args[6] = {ext_fd, (long)query, n, 0x40, (long)&to, sizeof to};
    long sent = socketcall(SOCKOP_sendto, args);
    if (sent < 0) return 0;
    p->used = 1;
    p->id = id;
    copy((u8 *)&p->client, (const u8 *)from, sizeof p->client);
    p->sent = now_ms();
    p->deadline = p->sent + (ext_answered ? FORWARD_ANSWERING_MS : FORWARD_MS);
    copy(p->servfail, reply, qend);
    p->servfail[3] |= 2;
    p->len = qend;
    return 1;
}

/* An answer of the external server: back to the client that asked, with its id. */
static void forwarded(long fd, long n, const struct sockaddr_in4 *from) {
    if (n < 12 || from->port != (u16)((53 >> 8) | (53 << 8))) return;
    if (!ext_answered) {
        /* It answers after all: the queries still waiting get the longer time. */
        ext_answered = 1;
        for (int i = 0; i < MAX_PENDING; i++)
            if (pending[i].used) pending[i].deadline = pending[i].sent + FORWARD_ANSWERING_MS;
    }
    for (int i = 0; i < MAX_PENDING; i++) {
        struct pending *p = &pending[i];
        if (!p->used || p->id != (u16)((upstream[0] << 8) | upstream[1])) continue;
        upstream[0] = p->client_id[0];
        upstream[1] = p->client_id[1];
        send_to(fd, upstream, n, &p->client);
        p->used = 0;
        return;
    }
}

/* The forwarded queries whose time is up get their SERVFAIL; the milliseconds until the next one's. */
static long expire(long fd) {
    long now = now_ms(), next = -1;
    for (int i = 0; i < MAX_PENDING; i++) {
        struct pending *p = &pending[i];
        if (!p->used) continue;
        if (p->deadline <= now) {
            send_to(fd, p->servfail, p->len, &p->client);
            p->used = 0;
        } else if (next < 0 || p->deadline - now < next) {
            next = p->deadline - now;
        }
    }
    return next;
}

/* The reply to a query of n bytes from a client (0: over TCP, not forwarded), or 0 to send none (now). */
static long answer(const char *path, long n, const struct sockaddr_in4 *from) {
    if (n < 12 || (query[2] & 0x80)) return 0;
    int opcode = (query[2] >> 3) & 0x0f;
    int qdcount = (query[4] << 8) | query[5];
    for (int i = 0; i < 12; i++) reply[i] = 0;
    reply[0] = query[0];
    reply[1] = query[1];
    reply[2] = (u8)(0x80 | (query[2] & 0x79)); /* QR, the opcode and RD; not authoritative */
    reply[3] = 0x80;                            /* recursion available */
    if (opcode != 0) {
        reply[3] |= 4; /* NOTIMP */
        return 12;
    }
    if (qdcount != 1) {
        reply[3] |= 1; /* FORMERR */
        return 12;
    }
    char name[256];
    long namelen = 0;
    long at = 12;
    for (;;) {
        if (at >= n) return 0;
        int size = query[at++];
        if (size == 0) break;
        if (size > 63 || at + size > n || namelen + size + 1 >= (long)sizeof name) {
            reply[3] |= 1;
            return 12;
        }
        if (namelen > 0) name[namelen++] = '.';
        for (int i = 0; i < size; i++) name[namelen++] = (char)query[at++];
    }
    if (at + 4 > n || at + 4 > (long)sizeof reply) return 0;
    u16 qtype = (u16)((query[at] << 8) | query[at + 1]);
    u16 qclass = (u16)((query[at + 2] << 8) | query[at + 3]);
    at += 4;
    for (long i = 12; i < at; i++) reply[i] = query[i];
    put16(4, 1);
    read_records(path);
    find_ext();
    struct answers answers = {at, 0, qtype};
    int known = 0;
    if (qclass == 1 || qclass == 255) {
        if (qtype == 1) {
            known = each_record("A", 1, name, namelen, add_address, &answers);
        } else if (qtype == 28 || qtype == 15) {
            known = each_record("A", 1, name, namelen, 0, 0);
        } else if (qtype == 12) {
            char ip[16];
            long iplen = namelen < 64 ? reverse_ip(name, namelen, ip) : 0;
            if (iplen > 0) known = each_record("PTR", 3, ip, iplen, add_name, &answers);
        }
    }
    if (qtype == 1 && answers.count > 1) shuffle(at, answers.count);
    if (!known) {
        if (forward(n, at, from)) return 0;
        reply[3] |= 2; /* SERVFAIL: not docker's, and no external server to ask */
        return at;
    }
    put16(6, (u32)answers.count);
    return answers.at;
}

/* n bytes from a stream socket (its receive timeout ends a slow client); 0 if they do not come. */
static int read_all(long fd, u8 *buf, long n) {
    for (long got = 0; got < n;) {
        long r = sys3(SYS_read, fd, (long)(buf + got), n - got);
        if (r == -EINTR) continue;
        if (r <= 0) return 0;
        got += r;
    }
    return 1;
}

static int write_all(long fd, const u8 *buf, long n) {
    for (long put = 0; put < n;) {
        long r = sys3(SYS_write, fd, (long)(buf + put), n - put);
        if (r == -EINTR) continue;
        if (r <= 0) return 0;
        put += r;
    }
    return 1;
}

/* One TCP client (RFC 7766: each message after its 2-byte length), answered until it closes or is idle
   for a second; the names are answered, nothing is forwarded. */
static void serve_tcp(long listener, const char *path) {
    long args[4] = {listener, 0, 0, 0x80000 /* SOCK_CLOEXEC */};
    long fd = socketcall(SOCKOP_accept4, args);
    if (fd < 0) return;
    struct {
        long sec, usec;
    } second = {1, 0};
    long opt[5] = {fd, 1 /* SOL_SOCKET */, 20 /* SO_RCVTIMEO */, (long)&second, sizeof second};
    socketcall(SOCKOP_setsockopt, opt);
    opt[2] = 21; /* SO_SNDTIMEO */
    socketcall(SOCKOP_setsockopt, opt);
    for (;;) {
        u8 size[2];
        if (!read_all(fd, size, 2)) break;
        long n = (size[0] << 8) | size[1];
        if (n < 12 || n > (long)sizeof query || !read_all(fd, query, n)) break;
        long len = answer(path, n, 0);
        if (len <= 0) break;
        size[0] = (u8)(len >> 8);
        size[1] = (u8)len;
        if (!write_all(fd, size, 2) || !write_all(fd, reply, len)) break;
    }
    sys3(SYS_close, fd, 0, 0);
}

__attribute__((used)) void start_c(long *sp) {
    long argc = sp[0];
    char **argv = (char **)(sp + 1);
    if (argc != 3 && argc != 4) die("usage: dockside-dns RECORDS PID [ADDRESS]\n", 2);
    long pid = 0;
    for (const char *s = argv[2]; *s; s++) {
        if (*s < '0' || *s > '9') die("dockside-dns: bad pid\n", 2);
        pid = pid * 10 + (*s - '0');
    }
    struct sockaddr_in4 local = {2, (u16)((53 >> 8) | (53 << 8)), {127, 0, 0, 11}, {0}};
    if (argc == 4) {
        long len = 0;
        while (argv[3][len]) len++;
        if (!parse_ip(argv[3], len, local.addr)) die("dockside-dns: bad address\n", 2);
    }
    long args[6];
    args[0] = 2; /* AF_INET */
    args[1] = 2; /* SOCK_DGRAM */
    args[2] = 0;
    long fd = socketcall(SOCKOP_socket, args);
    if (fd < 0) die("dockside-dns: socket failed\n", 1);
    args[0] = fd;
    args[1] = (long)&local;
    args[2] = sizeof local;
    if (socketcall(SOCKOP_bind, args) < 0) die("dockside-dns: cannot bind port 53\n", 1);
    long pidfd = sys3(SYS_pidfd_open, pid, 0, 0);
    if (pidfd < 0) die("dockside-dns: no such process\n", 1);
    /* TCP on the same address, as docker's resolver (clients retry a truncated answer over TCP). */
    args[0] = 2;
    args[1] = 1; /* SOCK_STREAM */
    args[2] = 0;
    long tcp = socketcall(SOCKOP_socket, args);
    if (tcp >= 0) {
        long one = 1;
        long opt[5] = {tcp, 1 /* SOL_SOCKET */, 2 /* SO_REUSEADDR */, (long)&one, sizeof one};
        socketcall(SOCKOP_setsockopt, opt);
        args[0] = tcp;
        args[1] = (long)&local;
        args[2] = sizeof local;
        if (socketcall(SOCKOP_bind, args) < 0) tcp = -1;
        args[0] = tcp;
        args[1] = 16;
        if (tcp >= 0 && socketcall(SOCKOP_listen, args) < 0) tcp = -1;
    }
    args[0] = 2;
    args[1] = 2;
    args[2] = 0;
    ext_fd = socketcall(SOCKOP_socket, args);
    sys3(SYS_getrandom, (long)&next_id, sizeof next_id, 0);
    for (;;) {
        long timeout = expire(fd);
        /* A negative fd is left out by poll. */
        struct pollfd4 fds[4] = {{(int)fd, 1 /* POLLIN */, 0}, {(int)pidfd, 1, 0}, {(int)ext_fd, 1, 0}, {(int)tcp, 1, 0}};
        long r = sys3(SYS_poll, (long)fds, 4, timeout);
        if (r == -EINTR || r == 0) continue;
        if (r < 0) die("dockside-dns: poll failed\n", 1);
        if (fds[1].revents) sys3(SYS_exit_group, 0, 0, 0);
        struct sockaddr_in4 from;
        long fromlen = sizeof from;
        if (fds[2].revents) {
            args[0] = ext_fd;
            args[1] = (long)upstream;
            args[2] = sizeof upstream;
            args[3] = 0x40; /* MSG_DONTWAIT */
            args[4] = (long)&from;
            args[5] = (long)&fromlen;
            long n = socketcall(SOCKOP_recvfrom, args);
            if (n > 0) forwarded(fd, n, &from);
        }
        if (tcp >= 0 && fds[3].revents) serve_tcp(tcp, argv[1]);
        if (!fds[0].revents) continue;
        fromlen = sizeof from;
        args[0] = fd;
        args[1] = (long)query;
        args[2] = sizeof query;
        args[3] = 0x40;
        args[4] = (long)&from;
        args[5] = (long)&fromlen;
        long n = socketcall(SOCKOP_recvfrom, args);
        if (n <= 0) continue;
        long len = answer(argv[1], n, &from);
        if (len > 0) send_to(fd, reply, len, &from);
    }
}

__asm__(".globl _start\n"
        "_start:\n"
        "  xor %ebp, %ebp\n"
        "  mov %esp, %eax\n"
        "  and $-16, %esp\n"
        "  sub $12, %esp\n"
        "  push %eax\n"
        "  call start_c\n"
        "  hlt\n");
