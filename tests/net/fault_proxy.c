/* fault_proxy.c - a TCP proxy for tests that breaks connections on purpose: it listens on
 * loopback, forwards each connection to a target (the reference server) and, chosen from a seeded
 * schedule for each request on the connection, injects one fault:
 *
 *   latency   hold the request LATENCY ms before forwarding it
 *   drop      close the connection at once, before forwarding the request
 *   reset     forward the request, pass on part of the reply, then reset (RST, SO_LINGER 0)
 *   truncate  forward the request, pass on part of the reply, then close normally (FIN)
 *   slow      trickle the reply: 64 bytes every 20 ms
 *   timeout   a black hole: keep the connection, read what comes, forward nothing
 *
 * A request is the bytes a client sends after the reply to its previous one has begun (HTTP/1.1
 * without pipelining, as libcurl talks): the kiosk keeps its connections alive, so a fault per
 * new connection alone would strike rarely.
 *
 *   fault_proxy --target 127.0.0.1:PORT --stats FILE [--control FIFO] [--seed N]
 *               [--rate PERCENT] [--latency-ms N]
 *
 * It prints "fault_proxy: listening on 127.0.0.1:PORT" on standard output once it listens.
 * --rate is the share of requests that get a fault (default 50); each fault kind is equally
 * likely. The stats file is rewritten (atomically) after every fault and control line: one
 * "KIND COUNT" line per kind, then "total N", "requests N", "connections N",
 * "mode faults|pass" and "target PORT", so a test reads what was injected and can wait for a
 * command to take effect.
 *
 * Control lines on the FIFO (made when missing): "pass" (requests are forwarded untouched),
 * "faults" (faults again), "rate PERCENT", "target PORT" (after the server was restarted on
 * another port). One process, one poll(2) loop, no threads. */
#define _GNU_SOURCE /* accept4 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAX_CONNS  128
#define BUF_BYTES  65536
#define SLOW_BYTES 64
#define SLOW_TICK  20
#define LINE_BYTES 128

typedef enum kind { NONE, LATENCY, DROP, RESET, TRUNCATE, SLOW, TIMEOUT, KINDS } kind;
static const char *const kind_names[KINDS] = {"none",     "latency", "drop",   "reset",
                                              "truncate", "slow",    "timeout"};

typedef struct buf {
    char data[BUF_BYTES];
    size_t len;
} buf;

typedef struct conn {
    bool used;
    int client, upstream; /* -1 when not (yet) open */
    bool connecting;      /* upstream connect() in progress */
    bool awaiting;        /* the client's next bytes begin a request (a fault is chosen) */
    kind fault;           /* the current request's */
    bool held;            /* latency: the request is not forwarded before hold_until */
    int64_t hold_until;   /* monotonic ms */
    int64_t next_tick;    /* slow: the next trickle */
    bool upstream_done;   /* the server closed: pass on what is left, then close */
    buf up, down;         /* client -> upstream, upstream -> client */
} conn;

static conn conns[MAX_CONNS];
static uint64_t rng_state;
static unsigned rate = 50;
static int64_t latency_ms = 300;
static bool pass_through;
static struct sockaddr_in target;
static unsigned long counts[KINDS], requests, connections;
static const char *stats_path;

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* xorshift64*: a small generator whose sequence the seed fixes. */
static uint32_t rnd(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (uint32_t)((rng_state * 2685821657736338717ULL) >> 32);
}

static void write_stats(void)
{
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", stats_path);
    FILE *f = fopen(tmp, "w");
    if (!f) {
        fprintf(stderr, "fault_proxy: %s: %s\n", tmp, strerror(errno));
        return;
    }
    unsigned long total = 0;
    for (int k = LATENCY; k < KINDS; k++) {
        fprintf(f, "%s %lu\n", kind_names[k], counts[k]);
        total += counts[k];
    }
    fprintf(f, "total %lu\nrequests %lu\nconnections %lu\nmode %s\ntarget %u\n", total, requests,
            connections, pass_through ? "pass" : "faults", (unsigned)ntohs(target.sin_port));
    if (fclose(f) != 0 || rename(tmp, stats_path) != 0)
        fprintf(stderr, "fault_proxy: %s: %s\n", stats_path, strerror(errno));
}

static void close_conn(conn *c, bool reset)
{
    if (c->client >= 0) {
        if (reset) {
            struct linger lg = {.l_onoff = 1, .l_linger = 0};
            setsockopt(c->client, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
        }
        close(c->client);
    }
    if (c->upstream >= 0)
        close(c->upstream);
    c->used = false;
}

static kind choose(void)
{
    if (pass_through || rnd() % 100 >= rate)
        return NONE;
    return (kind)(LATENCY + rnd() % (KINDS - LATENCY));
}

static void start_upstream(conn *c)
{
    c->upstream = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c->upstream < 0) {
        close_conn(c, false);
        return;
    }
    if (connect(c->upstream, (struct sockaddr *)&target, sizeof target) == 0)
        c->connecting = false;
    else if (errno == EINPROGRESS)
        c->connecting = true;
    else
        close_conn(c, false); /* the server is down: the client sees a closed connection */
}

static void accept_one(int listener)
{
    int fd = accept4(listener, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0)
        return;
    conn *c = NULL;
    for (int i = 0; i < MAX_CONNS && !c; i++)
        if (!conns[i].used)
            c = &conns[i];
    if (!c) {
        close(fd); /* full: refused, not counted as a fault */
        return;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    *c = (conn){.used = true, .client = fd, .upstream = -1, .awaiting = true};
    connections++;
    start_upstream(c);
}

/* The client began a request: choose its fault. False when the connection is gone. */
static bool begin_request(conn *c, int64_t now)
{
    c->awaiting = false;
    requests++;
    c->fault = choose();
    if (c->fault == NONE)
        return true;
    counts[c->fault]++;
    write_stats();
    switch (c->fault) {
    case DROP:
        close_conn(c, false);
        return false;
    case TIMEOUT: /* from now on nothing is forwarded either way */
        if (c->upstream >= 0)
            close(c->upstream);
        c->upstream = -1;
        c->connecting = false;
        c->up.len = 0;
        return true;
    case LATENCY:
        c->held = true;
        c->hold_until = now + latency_ms;
        return true;
    default:
        return true;
    }
}

/* Reads what fd has into b; false on end of file or a hard error. */
static bool fill(int fd, buf *b)
{
    if (b->len == BUF_BYTES)
        return true;
    ssize_t n = read(fd, b->data + b->len, BUF_BYTES - b->len);
    if (n > 0) {
        b->len += (size_t)n;
        return true;
    }
    return n < 0 && (errno == EAGAIN || errno == EINTR);
}

/* Writes up to max bytes of b to fd; false on a hard error. */
static bool drain(int fd, buf *b, size_t max)
{
    size_t n = b->len < max ? b->len : max;
    if (n == 0)
        return true;
    ssize_t w = send(fd, b->data, n, MSG_NOSIGNAL);
    if (w < 0)
        return errno == EAGAIN || errno == EINTR;
    memmove(b->data, b->data + w, b->len - (size_t)w);
    b->len -= (size_t)w;
    return true;
}

static void handle_control(char *line)
{
    char *nl = strchr(line, '\n');
    if (nl)
        *nl = '\0';
    unsigned v;
    if (strcmp(line, "pass") == 0)
        pass_through = true;
    else if (strcmp(line, "faults") == 0)
        pass_through = false;
    else if (sscanf(line, "rate %u", &v) == 1 && v <= 100)
        rate = v;
    else if (sscanf(line, "target %u", &v) == 1 && v > 0 && v < 65536)
        target.sin_port = htons((uint16_t)v);
    else
        fprintf(stderr,
                "fault_proxy: unknown control line '%s' (pass, faults, rate PERCENT, "
                "target PORT)\n",
                line);
    write_stats();
}

static void read_control(int fd, char *acc, size_t *used)
{
    char chunk[256];
    ssize_t n = read(fd, chunk, sizeof chunk);
    for (ssize_t i = 0; i < n; i++) {
        if (chunk[i] == '\n') {
            acc[*used] = '\0';
            if (*used)
                handle_control(acc);
            *used = 0;
        } else if (*used + 1 < LINE_BYTES) {
            acc[(*used)++] = chunk[i];
        }
    }
}

/* One turn for a connection after poll: revents for its client and upstream sockets. */
static void service(conn *c, short crev, short urev, int64_t now)
{
    if (c->fault == TIMEOUT) {
        char sink[4096];
        if (crev && read(c->client, sink, sizeof sink) <= 0)
            close_conn(c, false);
        return;
    }
    if (c->connecting && urev) {
        int err = 0;
        socklen_t len = sizeof err;
        getsockopt(c->upstream, SOL_SOCKET, SO_ERROR, &err, &len);
        if (err) {
            close_conn(c, false); /* the server is down: the client sees a closed connection */
            return;
        }
        c->connecting = false;
    }
    if (c->connecting)
        return;
    if (crev & (POLLIN | POLLHUP | POLLERR)) {
        size_t before = c->up.len;
        if (!fill(c->client, &c->up)) {
            close_conn(c, false); /* the client went away */
            return;
        }
        if (c->up.len > before && c->awaiting && !begin_request(c, now))
            return;
        if (c->fault == TIMEOUT) {
            c->up.len = 0;
            return;
        }
    }
    if (c->held && now >= c->hold_until)
        c->held = false;
    if (c->upstream >= 0 && !c->held && !drain(c->upstream, &c->up, SIZE_MAX)) {
        close_conn(c, false);
        return;
    }
    if (c->upstream >= 0 && (urev & (POLLIN | POLLHUP | POLLERR))) {
        size_t before = c->down.len;
        bool open = fill(c->upstream, &c->down);
        if (c->down.len > before) {
            c->awaiting = true; /* the reply has begun: the client's next bytes are a new request */
            if (c->fault == RESET || c->fault == TRUNCATE) {
                /* Pass on 1 to n-1 bytes of what came, so the reply is always cut. */
                size_t n = c->down.len;
                c->down.len = n < 2 ? 0 : 1 + rnd() % (n - 1);
                while (c->down.len && drain(c->client, &c->down, SIZE_MAX) && c->down.len) {
                    struct pollfd p = {.fd = c->client, .events = POLLOUT};
                    if (poll(&p, 1, 100) <= 0)
                        break;
                }
                close_conn(c, c->fault == RESET);
                return;
            }
        }
        if (!open) {
            close(c->upstream);
            c->upstream = -1;
            c->upstream_done = true;
        }
    }
    if (c->fault == SLOW) {
        if (now >= c->next_tick && c->down.len) {
            if (!drain(c->client, &c->down, SLOW_BYTES)) {
                close_conn(c, false);
                return;
            }
            c->next_tick = now + SLOW_TICK;
        }
    } else if (!drain(c->client, &c->down, SIZE_MAX)) {
        close_conn(c, false);
        return;
    }
    if (c->upstream_done && c->down.len == 0)
        close_conn(c, false); /* the server closed and everything it said was passed on */
}

static void usage(void)
{
    fprintf(stderr, "usage: fault_proxy --target 127.0.0.1:PORT --stats FILE [--control FIFO] "
                    "[--seed N] [--rate PERCENT] [--latency-ms N]\n");
    exit(2);
}

int main(int argc, char **argv)
{
    const char *target_arg = NULL, *control_path = NULL;
    unsigned long long seed = 1;
    for (int i = 1; i < argc; i += 2) { /* every option takes a value */
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v)
            usage();
        if (strcmp(argv[i], "--target") == 0)
            target_arg = v;
        else if (strcmp(argv[i], "--stats") == 0)
            stats_path = v;
        else if (strcmp(argv[i], "--control") == 0)
            control_path = v;
        else if (strcmp(argv[i], "--seed") == 0)
            seed = strtoull(v, NULL, 10);
        else if (strcmp(argv[i], "--rate") == 0)
            rate = (unsigned)strtoul(v, NULL, 10);
        else if (strcmp(argv[i], "--latency-ms") == 0)
            latency_ms = strtol(v, NULL, 10);
        else
            usage();
    }
    if (!target_arg || !stats_path || rate > 100 || latency_ms < 0)
        usage();
    rng_state = seed ? seed : 1;
    char host[64];
    unsigned port;
    if (sscanf(target_arg, "%63[0-9.]:%u", host, &port) != 2 || port == 0 || port > 65535 ||
        inet_pton(AF_INET, host, &target.sin_addr) != 1) {
        fprintf(stderr, "fault_proxy: --target must be IPV4:PORT, not '%s'\n", target_arg);
        return 2;
    }
    target.sin_family = AF_INET;
    target.sin_port = htons((uint16_t)port);
    signal(SIGPIPE, SIG_IGN);

    int control = -1;
    if (control_path) {
        struct stat sb;
        if (stat(control_path, &sb) != 0 && mkfifo(control_path, 0600) != 0) {
            fprintf(stderr, "fault_proxy: %s: %s\n", control_path, strerror(errno));
            return 1;
        }
        /* Read-write: the FIFO never reports end of file between writers. */
        control = open(control_path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
        if (control < 0) {
            fprintf(stderr, "fault_proxy: %s: %s\n", control_path, strerror(errno));
            return 1;
        }
    }
    int listener = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t alen = sizeof addr;
    if (listener < 0 || bind(listener, (struct sockaddr *)&addr, sizeof addr) != 0 ||
        listen(listener, 64) != 0 || getsockname(listener, (struct sockaddr *)&addr, &alen) != 0) {
        fprintf(stderr, "fault_proxy: cannot listen: %s\n", strerror(errno));
        return 1;
    }
    write_stats();
    printf("fault_proxy: listening on 127.0.0.1:%u\n", (unsigned)ntohs(addr.sin_port));
    fflush(stdout);

    char control_line[LINE_BYTES];
    size_t control_used = 0;
    for (;;) {
        struct pollfd fds[2 + 2 * MAX_CONNS];
        int slot[MAX_CONNS][2];
        nfds_t n = 0;
        fds[n++] = (struct pollfd){.fd = listener, .events = POLLIN};
        fds[n++] = (struct pollfd){.fd = control, .events = POLLIN};
        int64_t now = now_ms(), wake = now + 1000;
        for (int i = 0; i < MAX_CONNS; i++) {
            conn *c = &conns[i];
            slot[i][0] = slot[i][1] = -1;
            if (!c->used)
                continue;
            short cev = 0, uev = 0;
            if (c->fault == TIMEOUT)
                cev = POLLIN;
            else if (!c->connecting) {
                if (c->up.len < BUF_BYTES)
                    cev |= POLLIN;
                if (c->down.len && c->fault != SLOW)
                    cev |= POLLOUT;
            }
            if (c->upstream >= 0) {
                uev = c->connecting ? POLLOUT : 0;
                if (!c->connecting && c->down.len < BUF_BYTES)
                    uev |= POLLIN;
                if (!c->connecting && c->up.len && !c->held)
                    uev |= POLLOUT;
            }
            if (c->held && c->hold_until < wake)
                wake = c->hold_until;
            if (c->fault == SLOW && c->down.len && c->next_tick < wake)
                wake = c->next_tick;
            slot[i][0] = (int)n;
            fds[n++] = (struct pollfd){.fd = c->client, .events = cev};
            if (c->upstream >= 0) {
                slot[i][1] = (int)n;
                fds[n++] = (struct pollfd){.fd = c->upstream, .events = uev};
            }
        }
        int timeout = wake > now ? (int)(wake - now) : 0;
        if (poll(fds, n, timeout) < 0 && errno != EINTR) {
            perror("fault_proxy: poll");
            return 1;
        }
        now = now_ms();
        for (int i = 0; i < MAX_CONNS; i++) {
            if (!conns[i].used || slot[i][0] < 0)
                continue;
            short crev = fds[slot[i][0]].revents;
            short urev = slot[i][1] >= 0 ? fds[slot[i][1]].revents : 0;
            service(&conns[i], crev, urev, now);
        }
        if (fds[0].revents & POLLIN)
            accept_one(listener);
        if (control >= 0 && (fds[1].revents & POLLIN))
            read_control(control, control_line, &control_used);
    }
}
