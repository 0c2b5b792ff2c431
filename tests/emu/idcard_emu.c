/* idcard_emu.c - an emulated certified ID-card reader for tests: it answers the GA/T 467 SAM
 * frames (drivers/idcard_proto.h) on a pseudo-terminal, so the real gat467 driver runs against
 * it, with a card and faults set through a control FIFO.
 *
 *   idcard_emu [--link PATH] [--path-file FILE] [--control FIFO] [--card FILE] [--sticky]
 *
 *   --link PATH       keep a symbolic link at PATH to the current pty (the way udev names a
 *                     serial port); configure the driver with PATH. It goes away while the
 *                     device has vanished and points at the new pty when it returns.
 *   --path-file FILE  write the pty's path and a newline to FILE (again after each return).
 *   --control FIFO    read control lines from FIFO (made when missing).
 *   --card FILE       a `card` line (as below) to place at start.
 *   --sticky          a card already read is found again until it is lifted; by default it
 *                     answers "no card" (80) after a read, as real readers do (spec §6).
 * The pty's path is also printed on standard output. One line per exchange goes to standard
 * error ("emu: 20 01 -> 9F"), never card data.
 *
 * Control lines (one per line; unknown ones are reported on standard error and ignored):
 *   card TYPE NUMBER SEX BIRTH NAME...  place a card: TYPE resident|J|I|Y, SEX 1|2, BIRTH
 *                                       YYYYMMDD, NAME the rest of the line (UTF-8; on I and Y
 *                                       cards the English name)
 *   remove                              lift the card
 *   sticky on|off                       as --sticky
 *   fault readfail [N]   the next N reads answer 41 "read failed" (default 1)
 *   fault sam            the SAM fails its self-test: 60 to every command until a reset
 *   fault samstuck       the same, and resets do not help (until "fault none")
 *   fault checksum [N] [read]  the next N replies (to reads only, with `read`) carry a wrong
 *                        checksum
 *   fault garbage [N] [read]   the next N replies (to reads only, with `read`) come after
 *                        garbage: stray AA bytes, a false preamble with an impossible LEN, and
 *                        one whose LEN swallows the start of the real reply
 *   fault silence        answer nothing (until "fault none")
 *   fault slow MS        answer every command MS milliseconds late (until "fault none")
 *   fault none           clear every fault
 *   vanish               close the pty, as when the reader is unplugged
 *   return               a new pty, as when it is plugged back
 *   quit                 exit 0
 * Single-threaded: one poll(2) loop over the pty and the FIFO. */
#define _XOPEN_SOURCE 700
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "idcard_proto.h"
#include "utf8.h"

typedef struct emu {
    int master, slave; /* -1 while vanished; the slave is kept open so the master never sees
                          a hang-up when the driver closes and reopens the port */
    char slave_path[128];
    const char *link, *path_file;
    int control, control_keep; /* the FIFO, and our own writer so it never reaches EOF */
    char line[1024];
    size_t line_len;
    drv_idcard_parser parser;
    bool present, read_done, sticky;
    uint8_t text[DRV_IDCARD_TEXT_LEN];
    int readfail, checksum, garbage, slow_ms;
    bool checksum_reads, garbage_reads; /* only replies to reads are spoilt */
    bool silence;
    int sam; /* 0 fine, 1 failed until reset, 2 failed whatever */
} emu;

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
    (void)sig;
    stop = 1;
}

/* --- the pty ------------------------------------------------------------------------------- */

static bool set_raw(int fd)
{
    struct termios t;
    if (tcgetattr(fd, &t) != 0)
        return false;
    t.c_iflag &= ~(tcflag_t)(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
    t.c_oflag &= ~(tcflag_t)OPOST;
    t.c_lflag &= ~(tcflag_t)(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
    t.c_cflag &= ~(tcflag_t)(CSIZE | PARENB);
    t.c_cflag |= CS8;
    return tcsetattr(fd, TCSANOW, &t) == 0;
}

static void publish(emu *e)
{
    if (e->link) {
        char tmp[600];
        snprintf(tmp, sizeof tmp, "%s.new", e->link);
        unlink(tmp);
        if (symlink(e->slave_path, tmp) != 0 || rename(tmp, e->link) != 0)
            fprintf(stderr, "emu: cannot link %s: %s\n", e->link, strerror(errno));
    }
    if (e->path_file) {
        FILE *f = fopen(e->path_file, "w");
        if (f) {
            fprintf(f, "%s\n", e->slave_path);
            fclose(f);
        }
    }
    printf("%s\n", e->slave_path);
    fflush(stdout);
}

static bool pty_open(emu *e)
{
    e->master = posix_openpt(O_RDWR | O_NOCTTY);
    if (e->master < 0 || grantpt(e->master) != 0 || unlockpt(e->master) != 0) {
        fprintf(stderr, "emu: no pseudo-terminal: %s\n", strerror(errno));
        return false;
    }
    const char *name = ptsname(e->master);
    if (!name) {
        fprintf(stderr, "emu: ptsname: %s\n", strerror(errno));
        return false;
    }
    snprintf(e->slave_path, sizeof e->slave_path, "%s", name);
    e->slave = open(e->slave_path, O_RDWR | O_NOCTTY);
    /* Raw before the driver opens it, or the line discipline would echo our replies back. */
    if (e->slave < 0 || !set_raw(e->slave)) {
        fprintf(stderr, "emu: cannot set up %s: %s\n", e->slave_path, strerror(errno));
        return false;
    }
    drv_idcard_parser_init(&e->parser, DRV_IDCARD_REQUESTS);
    publish(e);
    return true;
}

static void pty_close(emu *e)
{
    if (e->link)
        unlink(e->link);
    if (e->master >= 0)
        close(e->master);
    if (e->slave >= 0)
        close(e->slave);
    e->master = e->slave = -1;
}

/* --- the card ------------------------------------------------------------------------------ */

/* Writes a UTF-8 string as UCS-2LE at text+at within `bytes`; false when it does not fit or
 * holds a character outside the BMP. */
static bool put(uint8_t *text, size_t at, size_t bytes, const char *s)
{
    size_t n = strlen(s), i = 0, out = 0;
    while (i < n) {
        size_t used;
        uint32_t cp = kiosk_utf8_next(s + i, n - i, &used);
        if (cp > 0xFFFF || out + 2 > bytes)
            return false;
        text[at + out] = (uint8_t)cp;
        text[at + out + 1] = (uint8_t)(cp >> 8);
        out += 2;
        i += used;
    }
    return true;
}

/* Places a card from "TYPE NUMBER SEX BIRTH NAME..."; false (and a message) when malformed. */
static bool card_place(emu *e, const char *args)
{
    char type[16], number[32], sex[4], birth[16];
    int name_at = 0;
    if (sscanf(args, "%15s %31s %3s %15s %n", type, number, sex, birth, &name_at) != 4 ||
        !name_at || !args[name_at]) {
        fprintf(stderr, "emu: card needs TYPE NUMBER SEX BIRTH NAME\n");
        return false;
    }
    const char *name = args + name_at;
    uint8_t *t = e->text;
    for (size_t i = 0; i < DRV_IDCARD_TEXT_LEN; i += 2) {
        t[i] = 0x20;
        t[i + 1] = 0x00;
    }
    bool ok = true;
    if (strcmp(type, "I") == 0) {
        ok = put(t, 0, 120, name) && put(t, 120, 2, sex) && put(t, 122, 30, number) &&
             put(t, 152, 6, "USA") && put(t, 188, 16, "20170601") && put(t, 204, 16, "20270601") &&
             put(t, 220, 16, birth) && put(t, 236, 4, "01") && put(t, 240, 8, "1100") &&
             put(t, 248, 2, "I");
    } else if (strcmp(type, "Y") == 0) {
        /* The English name: 35 characters at 52, the rest at 220. */
        char first[200];
        size_t cut = 0, chars = 0;
        while (name[cut] && chars < 35) {
            size_t used;
            kiosk_utf8_next(name + cut, strlen(name + cut), &used);
            cut += used;
            chars++;
        }
        snprintf(first, sizeof first, "%.*s", (int)cut, name);
        ok = put(t, 30, 2, sex) && put(t, 32, 4, "00") && put(t, 36, 16, birth) &&
             put(t, 52, 70, first) && put(t, 122, 36, number) && put(t, 188, 16, "20230901") &&
             put(t, 204, 16, "20330901") && put(t, 220, 22, name + cut) && put(t, 242, 6, "USA") &&
             put(t, 248, 2, "Y");
    } else if (strcmp(type, "resident") == 0 || strcmp(type, "J") == 0) {
        bool permit = type[0] == 'J';
        ok = put(t, 0, 30, name) && put(t, 30, 2, sex) && put(t, 32, 4, permit ? "  " : "01") &&
             put(t, 36, 16, birth) && put(t, 52, 70, "江苏省南京市测试路1号") &&
             put(t, 122, 36, number) && put(t, 158, 30, "测试市公安局") &&
             put(t, 188, 16, "20200101") && put(t, 204, 16, "长期") &&
             (!permit ||
              (put(t, 220, 18, "H00000000") && put(t, 238, 4, "01") && put(t, 248, 2, "J")));
    } else {
        fprintf(stderr, "emu: card type must be resident, J, I or Y\n");
        return false;
    }
    if (!ok) {
        fprintf(stderr, "emu: a card field is too long or not UCS-2\n");
        return false;
    }
    e->present = true;
    e->read_done = false;
    fprintf(stderr, "emu: card placed (%s)\n", type);
    return true;
}

/* --- answering ----------------------------------------------------------------------------- */

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR && !stop)
        ;
}

static void write_all(emu *e, const uint8_t *b, size_t n)
{
    while (n && e->master >= 0) {
        ssize_t k = write(e->master, b, n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0) {
            fprintf(stderr, "emu: write: %s\n", strerror(errno));
            return;
        }
        b += k;
        n -= (size_t)k;
    }
}

/* Sends a reply, spoilt as the faults say; `read` tells the faults it answers a read. */
static void send_reply(emu *e, const char *what, uint8_t sw3, const uint8_t *data, size_t n,
                       bool read)
{
    static uint8_t frame[DRV_IDCARD_FRAME_MAX];
    size_t len;
    if (drv_idcard_reply_build(sw3, data, n, frame, sizeof frame, &len) != KIOSK_OK)
        abort();
    if (e->slow_ms)
        sleep_ms(e->slow_ms);
    const char *fault = "";
    if (e->garbage && (read || !e->garbage_reads)) {
        e->garbage--;
        static const uint8_t junk[] = {0x00, 0x13, 0xAA, 0xAA, 0x12, 0xAA, 0xAA, 0xAA, 0x96, 0x69,
                                       0xAA, 0xAA, 0x55, 0xAA, 0xAA, 0xAA, 0x96, 0x69, 0x00, 0x08};
        write_all(e, junk, sizeof junk);
        fault = " after garbage";
    }
    if (e->checksum && (read || !e->checksum_reads)) {
        e->checksum--;
        frame[len - 1] ^= 0x5A;
        fault = " with a bad checksum";
    }
    write_all(e, frame, len);
    fprintf(stderr, "emu: %s -> %02X%s\n", what, sw3, fault);
}

static void answer(emu *e, const drv_idcard_frame *f)
{
    static uint8_t data[6 + DRV_IDCARD_TEXT_LEN + 1024 + 1024];
    char what[8];
    snprintf(what, sizeof what, "%02X %02X", f->body[0], f->body_len > 1 ? f->body[1] : 0);
    drv_idcard_command cmd;
    if (f->body_len != 2 || !drv_idcard_command_lookup(f->body[0], f->body[1], &cmd)) {
        send_reply(e, what, DRV_IDCARD_SW3_BAD_COMMAND, NULL, 0, false);
        return;
    }
    if (e->silence) {
        fprintf(stderr, "emu: %s -> (silent)\n", what);
        return;
    }
    if (e->sam && cmd != DRV_IDCARD_CMD_RESET) {
        send_reply(e, what, DRV_IDCARD_SW3_SAM_SELF_TEST, NULL, 0, false);
        return;
    }
    memset(data, 0, sizeof data);
    switch (cmd) {
    case DRV_IDCARD_CMD_RESET:
        if (e->sam == 1)
            e->sam = 0;
        send_reply(e, what, DRV_IDCARD_SW3_SUCCESS, NULL, 0, false);
        break;
    case DRV_IDCARD_CMD_SAM_STATUS:
        send_reply(e, what, DRV_IDCARD_SW3_SUCCESS, NULL, 0, false);
        break;
    case DRV_IDCARD_CMD_SAM_ID: {
        static const uint8_t id[DRV_IDCARD_SAM_ID_LEN] = {0x05, 0x00, 0x01, 0x00, 0xD5, 0xAF,
                                                          0x34, 0x01, 0x15, 0xCD, 0x5B, 0x07,
                                                          0x2A, 0x00, 0x00, 0x00};
        send_reply(e, what, DRV_IDCARD_SW3_SUCCESS, id, sizeof id, false);
        break;
    }
    case DRV_IDCARD_CMD_FIND:
        if (e->present && (!e->read_done || e->sticky))
            send_reply(e, what, DRV_IDCARD_SW3_FOUND, data, 4, false);
        else
            send_reply(e, what, DRV_IDCARD_SW3_NO_CARD, NULL, 0, false);
        break;
    case DRV_IDCARD_CMD_SELECT:
        if (e->present && (!e->read_done || e->sticky))
            send_reply(e, what, DRV_IDCARD_SW3_SUCCESS, data, 8, false);
        else
            send_reply(e, what, DRV_IDCARD_SW3_SELECT_FAILED, NULL, 0, false);
        break;
    case DRV_IDCARD_CMD_READ:
    case DRV_IDCARD_CMD_READ_FP: {
        if (!e->present || e->readfail) {
            if (e->present)
                e->readfail--;
            send_reply(e, what, DRV_IDCARD_SW3_READ_FAILED, NULL, 0, true);
            break;
        }
        bool fp = cmd == DRV_IDCARD_CMD_READ_FP;
        size_t head = fp ? 6 : 4;
        data[0] = 0x01; /* text 256 */
        data[2] = 0x04; /* photo 1024 (zeros: the emulator has no face) */
        if (fp)
            data[4] = 0x04; /* fingerprints 1024 */
        memcpy(data + head, e->text, DRV_IDCARD_TEXT_LEN);
        send_reply(e, what, DRV_IDCARD_SW3_SUCCESS, data,
                   head + DRV_IDCARD_TEXT_LEN + 1024 + (fp ? 1024 : 0), true);
        e->read_done = true;
        break;
    }
    case DRV_IDCARD_CMD_COUNT:
        break;
    }
}

static void on_pty_input(emu *e)
{
    uint8_t buf[256];
    ssize_t n = read(e->master, buf, sizeof buf);
    if (n <= 0) {
        if (n < 0 && errno != EINTR && errno != EAGAIN)
            fprintf(stderr, "emu: read: %s\n", strerror(errno));
        return;
    }
    size_t off = 0;
    drv_idcard_parse r;
    do {
        size_t used;
        r = drv_idcard_parser_feed(&e->parser, buf + off, (size_t)n - off, &used);
        off += used;
        if (r == DRV_IDCARD_PARSE_FRAME) {
            drv_idcard_frame f;
            drv_idcard_parser_frame(&e->parser, &f);
            answer(e, &f);
        } else if (r == DRV_IDCARD_PARSE_BAD_CHECKSUM) {
            send_reply(e, "??", DRV_IDCARD_SW3_HOST_CHECKSUM, NULL, 0, false);
        } else if (r == DRV_IDCARD_PARSE_BAD_LENGTH) {
            send_reply(e, "??", DRV_IDCARD_SW3_HOST_LENGTH, NULL, 0, false);
        }
    } while (r != DRV_IDCARD_PARSE_MORE && e->master >= 0);
}

/* --- control ------------------------------------------------------------------------------- */

static int count_arg(const char *s, int fallback)
{
    int n;
    return s && sscanf(s, "%d", &n) == 1 && n >= 0 ? n : fallback;
}

static void clear_faults(emu *e)
{
    e->readfail = e->checksum = e->garbage = e->slow_ms = e->sam = 0;
    e->silence = e->checksum_reads = e->garbage_reads = false;
}

/* Runs one control line; false on quit. */
static bool control_line(emu *e, char *line)
{
    char word[32] = "", arg[32] = "", num[32] = "", scope[32] = "";
    int n = sscanf(line, "%31s %31s %31s %31s", word, arg, num, scope);
    if (n < 1)
        return true;
    if (strcmp(word, "card") == 0) {
        card_place(e, line + strspn(line, " \t") + 4);
    } else if (strcmp(word, "remove") == 0) {
        e->present = e->read_done = false;
        memset(e->text, 0, sizeof e->text);
        fprintf(stderr, "emu: card lifted\n");
    } else if (strcmp(word, "sticky") == 0) {
        e->sticky = strcmp(arg, "on") == 0;
    } else if (strcmp(word, "fault") == 0) {
        const char *count = n >= 3 ? num : NULL;
        if (strcmp(arg, "readfail") == 0)
            e->readfail = count_arg(count, 1);
        else if (strcmp(arg, "sam") == 0)
            e->sam = 1;
        else if (strcmp(arg, "samstuck") == 0)
            e->sam = 2;
        else if (strcmp(arg, "checksum") == 0) {
            e->checksum = count_arg(count, 1);
            e->checksum_reads = strcmp(scope, "read") == 0;
        } else if (strcmp(arg, "garbage") == 0) {
            e->garbage = count_arg(count, 1);
            e->garbage_reads = strcmp(scope, "read") == 0;
        } else if (strcmp(arg, "silence") == 0)
            e->silence = true;
        else if (strcmp(arg, "slow") == 0)
            e->slow_ms = count_arg(count, 0);
        else if (strcmp(arg, "none") == 0)
            clear_faults(e);
        else
            fprintf(stderr, "emu: unknown fault '%s'\n", arg);
        fprintf(stderr, "emu: fault %s\n", arg);
    } else if (strcmp(word, "vanish") == 0) {
        if (e->master >= 0) {
            pty_close(e);
            fprintf(stderr, "emu: vanished\n");
        }
    } else if (strcmp(word, "return") == 0) {
        if (e->master < 0 && pty_open(e))
            fprintf(stderr, "emu: returned\n");
    } else if (strcmp(word, "quit") == 0) {
        return false;
    } else {
        fprintf(stderr, "emu: unknown control line\n");
    }
    return true;
}

static bool on_control_input(emu *e)
{
    char buf[512];
    ssize_t n = read(e->control, buf, sizeof buf);
    for (ssize_t i = 0; i < n; i++) {
        if (buf[i] != '\n') {
            if (e->line_len < sizeof e->line - 1)
                e->line[e->line_len++] = buf[i];
            continue;
        }
        e->line[e->line_len] = '\0';
        e->line_len = 0;
        if (!control_line(e, e->line))
            return false;
    }
    return true;
}

static bool read_card_file(emu *e, const char *path)
{
    FILE *f = fopen(path, "r");
    char line[1024];
    bool ok = f && fgets(line, sizeof line, f);
    if (f)
        fclose(f);
    if (!ok) {
        fprintf(stderr, "emu: cannot read %s\n", path);
        return false;
    }
    line[strcspn(line, "\r\n")] = '\0';
    const char *args = line + strspn(line, " \t");
    if (strncmp(args, "card ", 5) == 0)
        args += 5;
    return card_place(e, args);
}

int main(int argc, char **argv)
{
    static emu e = {.master = -1, .slave = -1, .control = -1, .control_keep = -1};
    const char *control = NULL, *card = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--sticky") == 0) {
            e.sticky = true;
            continue;
        }
        if (!v) {
            fprintf(stderr, "usage: idcard_emu [--link PATH] [--path-file FILE] "
                            "[--control FIFO] [--card FILE] [--sticky]\n");
            return 2;
        }
        if (strcmp(a, "--link") == 0)
            e.link = v;
        else if (strcmp(a, "--path-file") == 0)
            e.path_file = v;
        else if (strcmp(a, "--control") == 0)
            control = v;
        else if (strcmp(a, "--card") == 0)
            card = v;
        else {
            fprintf(stderr, "idcard_emu: unknown option %s\n", a);
            return 2;
        }
        i++;
    }
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    signal(SIGPIPE, SIG_IGN);
    if (card && !read_card_file(&e, card))
        return 1;
    if (control) {
        if (mkfifo(control, 0600) != 0 && errno != EEXIST) {
            fprintf(stderr, "emu: mkfifo %s: %s\n", control, strerror(errno));
            return 1;
        }
        e.control = open(control, O_RDONLY | O_NONBLOCK);
        e.control_keep = open(control, O_WRONLY);
        if (e.control < 0 || e.control_keep < 0) {
            fprintf(stderr, "emu: cannot open %s: %s\n", control, strerror(errno));
            return 1;
        }
    }
    if (!pty_open(&e))
        return 1;
    int status = 0;
    while (!stop) {
        struct pollfd fds[2] = {{e.master, POLLIN, 0}, {e.control, POLLIN, 0}};
        int n = poll(fds, 2, 1000);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            status = 1;
            break;
        }
        if (e.master >= 0 && (fds[0].revents & POLLIN))
            on_pty_input(&e);
        if (e.control >= 0 && (fds[1].revents & POLLIN) && !on_control_input(&e))
            break;
    }
    pty_close(&e);
    return status;
}
