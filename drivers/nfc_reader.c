/* nfc_reader.c - the NFC card reader, "nfc:CONNSTRING" (nfc:pn532_uart:/dev/ttyUSB0,
 * nfc:pn532_i2c:/dev/i2c-1, nfc:acr122_usb). libnfc 1.8 calls abort() on its whole process when
 * a reader's reply has status bit 7 set, so this driver never calls libnfc: its thread runs the
 * helper program kiosk-nfc (drivers/nfc_helper.c, which documents the line protocol), which
 * opens the reader by its connection string, polls it, and says `ready`, `down REASON`,
 * `card KIND HEX` and `removed` on its stdout. The thread turns those lines into readings; when
 * the helper dies (a signal, an exit, a line it cannot parse) it reports the reader DOWN and
 * starts it again after a growing pause, telling the new helper which card it last heard of so
 * that a card lying on the reader is reported once. close() stops the helper (SIGTERM, SIGKILL
 * after a second) and reaps it. No text it reports carries a card UID. */
#define _GNU_SOURCE /* pipe2, posix_spawn_file_actions_addclosefrom_np */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "device.h"

#define NFC_POLL_MS_DEFAULT  100 /* placement to reading within ~0.1 s; see bench/nfc_tap.sh */
#define NFC_POLL_MS_MIN      20
#define NFC_POLL_MS_MAX      2000
#define NFC_CONNSTRING_MAX   1024 /* libnfc's nfc_connstring */
#define NFC_HELPER_NAME      "kiosk-nfc"
#define NFC_RESPAWN_MIN_MS   500   /* restarting a dead helper: 0.5 s, doubling ... */
#define NFC_RESPAWN_MAX_MS   8000  /* ... up to 8 s */
#define NFC_HELPER_STEADY_MS 10000 /* a helper that lived this long starts the pauses over */
#define NFC_HELPER_STOP_MS   1000  /* SIGTERM, then SIGKILL after this */
#define NFC_LINE_MAX         256   /* the helper's lines are at most 200 bytes */

extern char **environ;

/* Drivers libnfc 1.8 has built in (Debian); a serial, I2C or SPI one needs a port. */
static const struct {
    const char *name;
    bool needs_port;
} known_drivers[] = {
    {"pn532_uart", true}, {"pn532_i2c", true},  {"pn532_spi", true},
    {"arygon", true},     {"pn53x_usb", false}, {"acr122_usb", false},
};

/* The protocol's card kinds, in kiosk_card_kind order. */
static const char *const kind_words[] = {"a", "b", "id"};

typedef struct nfc_state {
    char connstring[NFC_CONNSTRING_MAX];
    int poll_ms;
    bool id_card_uid;
    char helper[PATH_MAX];
    drv_reading_fn on_reading;
    void *user;
    pthread_t thread;
    int wake[2]; /* self-pipe: close() writes, the thread's waits end */
    atomic_bool stop;
    /* The thread's own. */
    kiosk_device_state reported; /* ABSENT until the first report */
    bool card_on;                /* a card reported and its removal not yet */
    kiosk_card card;
    pid_t pid;       /* the running helper, or -1 */
    int to_helper;   /* its stdin */
    int from_helper; /* its stdout */
    char line[NFC_LINE_MAX];
    size_t line_len;
    char why[PATH_MAX + 160]; /* why the reader is down, for the next report */
} nfc_state;

/* --- options ---------------------------------------------------------------------------------- */

typedef struct nfc_settings {
    int poll_ms;
    bool id_card_uid;
    const char *helper; /* NULL: kiosk-nfc beside the running program */
} nfc_settings;

static kiosk_rc parse_options(const drv_options *opts, nfc_settings *set, char *err,
                              size_t err_size)
{
    *set = (nfc_settings){.poll_ms = NFC_POLL_MS_DEFAULT};
    for (size_t i = 0; opts && i < opts->count; i++) {
        const char *key = opts->items[i].key, *value = opts->items[i].value;
        if (strcmp(key, "poll_ms") == 0) {
            char *end;
            errno = 0;
            long v = strtol(value, &end, 10);
            if (!value[0] || *end || errno || v < NFC_POLL_MS_MIN || v > NFC_POLL_MS_MAX)
                return kiosk_fail(KIOSK_ERR_CONFIG, err, err_size,
                                  "nfc: poll_ms must be an integer from %d to %d, not '%s'",
                                  NFC_POLL_MS_MIN, NFC_POLL_MS_MAX, value);
            set->poll_ms = (int)v;
        } else if (strcmp(key, "id_card_uid") == 0) {
            bool yes =
                strcmp(value, "true") == 0 || strcmp(value, "yes") == 0 || strcmp(value, "1") == 0;
            bool no =
                strcmp(value, "false") == 0 || strcmp(value, "no") == 0 || strcmp(value, "0") == 0;
            if (!yes && !no)
                return kiosk_fail(KIOSK_ERR_CONFIG, err, err_size,
                                  "nfc: id_card_uid must be true or false, not '%s'", value);
            set->id_card_uid = yes;
        } else if (strcmp(key, "helper") == 0) {
            /* Checked at start, so a wrong path is refused then rather than shown as a reader
             * that never comes. */
            struct stat st;
            if (!value[0] || strlen(value) >= PATH_MAX || stat(value, &st) != 0 ||
                !S_ISREG(st.st_mode) || access(value, X_OK) != 0)
                return kiosk_fail(KIOSK_ERR_CONFIG, err, err_size,
                                  "nfc: helper must name the %s program, and '%s' is no "
                                  "executable file",
                                  NFC_HELPER_NAME, value);
            set->helper = value;
        } else {
            return kiosk_fail(KIOSK_ERR_CONFIG, err, err_size,
                              "nfc takes no option '%s' (options: poll_ms, id_card_uid, helper)",
                              key);
        }
    }
    return KIOSK_OK;
}

/* A libnfc connection string naming a built-in driver: "driver[:port[:speed]]"; checked here
 * without touching any device. */
static kiosk_rc check_connstring(const char *arg, char *err, size_t err_size)
{
    if (!arg[0])
        return kiosk_fail(KIOSK_ERR_CONFIG, err, err_size,
                          "nfc needs a libnfc connection string: nfc:pn532_uart:/dev/ttyUSB0, "
                          "nfc:pn532_i2c:/dev/i2c-1 or nfc:acr122_usb");
    if (strlen(arg) >= NFC_CONNSTRING_MAX)
        return kiosk_fail(KIOSK_ERR_CONFIG, err, err_size,
                          "nfc: the connection string is too long");
    const char *colon = strchr(arg, ':');
    size_t len = colon ? (size_t)(colon - arg) : strlen(arg);
    char names[160] = "";
    for (size_t i = 0; i < sizeof known_drivers / sizeof known_drivers[0]; i++) {
        const char *name = known_drivers[i].name;
        if (strlen(name) == len && strncmp(name, arg, len) == 0) {
            if (!known_drivers[i].needs_port)
                return KIOSK_OK;
            if (!colon || !colon[1] || colon[1] == ':')
                return kiosk_fail(KIOSK_ERR_CONFIG, err, err_size,
                                  "nfc: %s needs a port: nfc:%s:/dev/...", name, name);
            const char *speed = strchr(colon + 1, ':');
            if (speed && (!speed[1] || strspn(speed + 1, "0123456789") != strlen(speed + 1)))
                return kiosk_fail(KIOSK_ERR_CONFIG, err, err_size,
                                  "nfc: after the port comes a speed in baud (:115200), not '%s'",
                                  speed + 1);
            return KIOSK_OK;
        }
        size_t used = strlen(names);
        snprintf(names + used, sizeof names - used, "%s%s", used ? ", " : "", name);
    }
    return kiosk_fail(KIOSK_ERR_CONFIG, err, err_size, "nfc: no libnfc driver '%.*s' (known: %s)",
                      (int)len, arg, names);
}

/* kiosk-nfc in the directory of the running program (the kiosk and its helper are built and
 * installed side by side); "" when that directory cannot be found. */
static void default_helper(char *out, size_t size)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    out[0] = '\0';
    if (n <= 0)
        return;
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (slash)
        snprintf(out, size, "%.*s/%s", (int)(slash - exe), exe, NFC_HELPER_NAME);
}

/* --- reports and pauses (the reader's thread) ------------------------------------------------- */

static void report_state(nfc_state *s, kiosk_device_state state, const char *text)
{
    if (state == s->reported)
        return;
    s->reported = state;
    drv_reading r = {.kind = DRV_READING_STATE, .state = state, .text = text};
    s->on_reading(s->user, &r);
}

static void forget_card(nfc_state *s)
{
    if (s->card_on) {
        drv_reading r = {.kind = DRV_READING_CARD_REMOVED};
        s->on_reading(s->user, &r);
    }
    s->card_on = false;
    memset(&s->card, 0, sizeof s->card);
}

static void report_card(nfc_state *s, const kiosk_card *card)
{
    if (s->card_on) /* the helper never does this; the kiosk still sees a removal first */
        forget_card(s);
    s->card = *card;
    s->card_on = true;
    drv_reading r = {.kind = DRV_READING_CARD, .card = &s->card};
    s->on_reading(s->user, &r);
}

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Sleeps until the monotonic time `until`, or less when close() asks the thread to stop. */
static void pause_until(nfc_state *s, int64_t until)
{
    for (;;) {
        int64_t left = until - mono_ms();
        if (left <= 0 || atomic_load(&s->stop))
            return;
        struct pollfd p = {s->wake[0], POLLIN, 0};
        if (poll(&p, 1, (int)left) > 0)
            return;
    }
}

/* --- the helper's lines (the reader's thread) ------------------------------------------------- */

/* "card KIND HEX" with a UID length that KIND can have, and never a PUPI of 00000000. */
static bool parse_card(const char *line, kiosk_card *card)
{
    memset(card, 0, sizeof *card);
    if (strncmp(line, "card ", 5) != 0)
        return false;
    const char *kind = line + 5, *hex = strchr(kind, ' ');
    if (!hex)
        return false;
    size_t kind_len = (size_t)(hex - kind), n = strlen(++hex);
    int k = -1;
    for (int i = 0; i < 3; i++)
        if (strlen(kind_words[i]) == kind_len && strncmp(kind, kind_words[i], kind_len) == 0)
            k = i;
    if (k < 0 || n % 2 || n / 2 > KIOSK_UID_MAX || strspn(hex, "0123456789ABCDEF") != n)
        return false;
    card->kind = (kiosk_card_kind)k;
    card->uid_len = n / 2;
    for (size_t i = 0; i < card->uid_len; i++) {
        unsigned v = 0;
        sscanf(hex + 2 * i, "%2X", &v);
        card->uid[i] = (uint8_t)v;
    }
    static const uint8_t no_pupi[4];
    switch (card->kind) {
    case KIOSK_CARD_ISO14443A:
        return n == 8 || n == 14 || n == 20;
    case KIOSK_CARD_ISO14443B:
        return n == 8 && memcmp(card->uid, no_pupi, 4) != 0;
    case KIOSK_CARD_ID_UID:
        return n == 16;
    }
    return false;
}

/* One line from the helper, as the reading it stands for; false when it is no line of the
 * protocol (the text stays unread: it might hold card data). */
static bool handle_line(nfc_state *s, const char *line)
{
    kiosk_card card;
    if (strcmp(line, "ready") == 0) {
        char text[NFC_CONNSTRING_MAX + 48];
        snprintf(text, sizeof text, "nfc: reader ready on %s", s->connstring);
        report_state(s, KIOSK_DEVICE_READY, text);
    } else if (strncmp(line, "down ", 5) == 0 && line[5]) {
        for (const char *c = line + 5; *c; c++)
            if (*c < 0x20 || *c > 0x7E)
                return false;
        char text[NFC_LINE_MAX + 8];
        snprintf(text, sizeof text, "nfc: %s", line + 5);
        report_state(s, KIOSK_DEVICE_DOWN, text);
    } else if (strcmp(line, "removed") == 0) {
        forget_card(s);
    } else if (parse_card(line, &card)) {
        report_card(s, &card);
    } else {
        return false;
    }
    return true;
}

/* Reads what the helper wrote and handles each whole line. False at the end of its output or
 * on a protocol fault (then s->why says so). */
static bool read_lines(nfc_state *s)
{
    ssize_t n = read(s->from_helper, s->line + s->line_len, sizeof s->line - s->line_len);
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return true;
    if (n <= 0)
        return false;
    s->line_len += (size_t)n;
    char *start = s->line, *nl;
    while ((nl = memchr(start, '\n', s->line_len - (size_t)(start - s->line))) != NULL) {
        *nl = '\0';
        if (!handle_line(s, start)) {
            snprintf(s->why, sizeof s->why,
                     "nfc: the NFC reader's helper said something it should not (a protocol "
                     "fault)");
            return false;
        }
        start = nl + 1;
    }
    s->line_len -= (size_t)(start - s->line);
    memmove(s->line, start, s->line_len);
    if (s->line_len == sizeof s->line) {
        snprintf(s->why, sizeof s->why,
                 "nfc: the NFC reader's helper said something it should not (a line too long)");
        return false;
    }
    return true;
}

/* --- the helper process (the reader's thread) ------------------------------------------------- */

static void close_fd(int *fd)
{
    if (*fd >= 0)
        close(*fd);
    *fd = -1;
}

/* The new helper's first line: the card this driver reported and has not heard leave. */
static void first_line(const nfc_state *s, char *out, size_t size)
{
    if (!s->card_on) {
        snprintf(out, size, "none\n");
        return;
    }
    size_t k = (size_t)snprintf(out, size, "card %s ", kind_words[s->card.kind]);
    for (size_t i = 0; i < s->card.uid_len && k + 3 < size; i++)
        k += (size_t)snprintf(out + k, size - k, "%02X", s->card.uid[i]);
    snprintf(out + k, size - k, "\n");
}

/* posix_spawn of the helper with these descriptors as its stdin and stdout; its stderr is the
 * kiosk's (libnfc's error lines only, no card data). Only those three pass to it; it gets a
 * clean signal mask and default dispositions (the kiosk blocks its stop signals for its signal
 * thread), and a process group of its own, so a terminal's ^C reaches only the kiosk, which
 * then stops it. 0 or an errno value. */
static int spawn_helper(nfc_state *s, int stdin_fd, int stdout_fd)
{
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t attr;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, stdin_fd, STDIN_FILENO);
    posix_spawn_file_actions_adddup2(&fa, stdout_fd, STDOUT_FILENO);
    posix_spawn_file_actions_addclosefrom_np(&fa, STDERR_FILENO + 1);
    posix_spawnattr_init(&attr);
    sigset_t none, defaults;
    sigemptyset(&none);
    sigemptyset(&defaults);
    static const int sigs[] = {SIGTERM, SIGINT, SIGHUP, SIGPIPE, SIGUSR1, SIGUSR2, SIGCHLD};
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        sigaddset(&defaults, sigs[i]);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &defaults);
    posix_spawnattr_setpgroup(&attr, 0);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF |
                                        POSIX_SPAWN_SETPGROUP);
    char poll_ms[16];
    snprintf(poll_ms, sizeof poll_ms, "%d", s->poll_ms);
    char *argv[] = {s->helper, s->connstring, poll_ms, s->id_card_uid ? "true" : "false", NULL};
    int rc = posix_spawn(&s->pid, s->helper, &fa, &attr, argv, environ);
    posix_spawnattr_destroy(&attr);
    posix_spawn_file_actions_destroy(&fa);
    return rc;
}

/* Starts the helper with its stdin a pipe that already holds its first line (written before it
 * runs, so this process can never take a SIGPIPE from it) and its stdout a pipe to this
 * thread. Nothing more is written to its stdin, which stays open while it runs: its end (this
 * process gone, or helper_stop) tells the helper to end. */
static kiosk_rc helper_start(nfc_state *s)
{
    int in[2] = {-1, -1}, out[2] = {-1, -1};
    char first[NFC_LINE_MAX];
    first_line(s, first, sizeof first);
    int err = 0;
    if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0 ||
        write(in[1], first, strlen(first)) != (ssize_t)strlen(first))
        err = errno ? errno : EIO;
    explicit_bzero(first, sizeof first);
    if (!err)
        err = spawn_helper(s, in[0], out[1]);
    close_fd(&in[0]); /* the helper's ends */
    close_fd(&out[1]);
    if (err) {
        s->pid = -1;
        close_fd(&in[1]);
        close_fd(&out[0]);
        snprintf(s->why, sizeof s->why, "nfc: the NFC reader's helper could not start (%s: %s)",
                 s->helper[0] ? s->helper : NFC_HELPER_NAME, strerror(err));
        return KIOSK_ERR_IO;
    }
    s->to_helper = in[1];
    s->from_helper = out[0];
    s->line_len = 0;
    return KIOSK_OK;
}

/* Hands the helper's lines on until it ends, says something it should not, or close() asks
 * to stop. */
static void helper_serve(nfc_state *s)
{
    while (!atomic_load(&s->stop)) {
        struct pollfd p[2] = {{s->from_helper, POLLIN, 0}, {s->wake[0], POLLIN, 0}};
        if (poll(p, 2, -1) < 0 && errno != EINTR)
            return;
        if (p[1].revents)
            return;
        if (p[0].revents && !read_lines(s))
            return;
    }
}

/* Ends the helper (asking with SIGTERM when `ask`, which it obeys within a few hundred ms;
 * SIGKILL after NFC_HELPER_STOP_MS) and reaps it; *status is its wait status. */
static void helper_stop(nfc_state *s, bool ask, int *status)
{
    close_fd(&s->to_helper);
    if (ask)
        kill(s->pid, SIGTERM);
    int64_t deadline = mono_ms() + NFC_HELPER_STOP_MS;
    bool eof = false;
    for (;;) {
        pid_t r = waitpid(s->pid, status, WNOHANG);
        if (r == s->pid || (r < 0 && errno != EINTR))
            break;
        int64_t left = deadline - mono_ms();
        if (left <= 0) {
            kill(s->pid, SIGKILL);
            while (waitpid(s->pid, status, 0) < 0 && errno == EINTR)
                ;
            break;
        }
        /* Its stdout ends when it exits: wait on that, draining (and ignoring) what it says;
         * after that, only moments until waitpid sees it. */
        struct pollfd p = {s->from_helper, POLLIN, 0};
        char sink[256];
        if (eof)
            poll(NULL, 0, 1);
        else if (poll(&p, 1, left < 10 ? (int)left : 10) > 0)
            eof = read(s->from_helper, sink, sizeof sink) <= 0;
    }
    close_fd(&s->from_helper);
    s->pid = -1;
}

/* Why the helper ended, in plain words. */
static void say_why_ended(nfc_state *s, int status)
{
    if (WIFSIGNALED(status))
        snprintf(s->why, sizeof s->why, "nfc: the NFC reader's helper stopped (signal %d)",
                 WTERMSIG(status));
    else if (WIFEXITED(status))
        snprintf(s->why, sizeof s->why, "nfc: the NFC reader's helper stopped (exit status %d)",
                 WEXITSTATUS(status));
    else
        snprintf(s->why, sizeof s->why, "nfc: the NFC reader's helper stopped");
}

static void *reader_thread(void *arg)
{
    nfc_state *s = arg;
    int pause_ms = NFC_RESPAWN_MIN_MS;
    while (!atomic_load(&s->stop)) {
        int64_t started = mono_ms();
        if (helper_start(s) == KIOSK_OK) {
            s->why[0] = '\0';
            helper_serve(s);
            /* A protocol fault (why set) or close() ends it; else it ended by itself. */
            bool ask = atomic_load(&s->stop) || s->why[0];
            int status = 0;
            helper_stop(s, ask, &status);
            if (!s->why[0])
                say_why_ended(s, status);
        }
        if (atomic_load(&s->stop))
            break;
        report_state(s, KIOSK_DEVICE_DOWN, s->why);
        if (mono_ms() - started >= NFC_HELPER_STEADY_MS)
            pause_ms = NFC_RESPAWN_MIN_MS;
        pause_until(s, mono_ms() + pause_ms);
        pause_ms = pause_ms * 2 < NFC_RESPAWN_MAX_MS ? pause_ms * 2 : NFC_RESPAWN_MAX_MS;
    }
    return NULL;
}

/* --- the driver ------------------------------------------------------------------------------- */

static kiosk_rc nfc_check(const char *arg, const drv_options *opts, char *err, size_t err_size)
{
    nfc_settings set;
    kiosk_rc rc = check_connstring(arg, err, err_size);
    return rc != KIOSK_OK ? rc : parse_options(opts, &set, err, err_size);
}

static void nfc_reader_close(void *state)
{
    nfc_state *s = state;
    if (!s)
        return;
    atomic_store(&s->stop, true);
    /* Ends the thread's wait on the helper, or its pause; the thread stops the helper. */
    ssize_t ignored = write(s->wake[1], "x", 1);
    (void)ignored;
    pthread_join(s->thread, NULL);
    close(s->wake[0]);
    close(s->wake[1]);
    explicit_bzero(&s->card, sizeof s->card);
    free(s);
}

static kiosk_rc nfc_reader_open(const char *arg, const drv_options *opts, drv_reading_fn on_reading,
                                void *user, void **state, char *err, size_t err_size)
{
    nfc_settings set;
    kiosk_rc rc = check_connstring(arg, err, err_size);
    if (rc == KIOSK_OK)
        rc = parse_options(opts, &set, err, err_size);
    if (rc != KIOSK_OK)
        return rc;
    nfc_state *s = calloc(1, sizeof *s);
    if (!s)
        return kiosk_fail(KIOSK_ERR_NOMEM, err, err_size, "out of memory");
    snprintf(s->connstring, sizeof s->connstring, "%s", arg);
    s->poll_ms = set.poll_ms;
    s->id_card_uid = set.id_card_uid;
    if (set.helper)
        snprintf(s->helper, sizeof s->helper, "%s", set.helper);
    else
        default_helper(s->helper, sizeof s->helper);
    s->on_reading = on_reading;
    s->user = user;
    s->reported = KIOSK_DEVICE_ABSENT;
    s->pid = -1;
    s->to_helper = s->from_helper = -1;
    atomic_init(&s->stop, false);
    if (pipe2(s->wake, O_CLOEXEC) != 0) {
        rc = kiosk_fail(KIOSK_ERR_IO, err, err_size, "nfc: pipe: %s", strerror(errno));
        goto out;
    }
    if (pthread_create(&s->thread, NULL, reader_thread, s) != 0) {
        rc = kiosk_fail(KIOSK_ERR_NOMEM, err, err_size, "nfc: cannot start its thread");
        close(s->wake[0]);
        close(s->wake[1]);
        goto out;
    }
    *state = s;
    return KIOSK_OK;
out:
    free(s);
    return rc;
}

const drv_reader_ops drv_nfc_reader_ops = {
    .name = "nfc",
    .help = "nfc:CONNSTRING, a libnfc reader (nfc:pn532_uart:/dev/ttyUSB0, nfc:acr122_usb), "
            "read by the kiosk-nfc helper; options poll_ms, id_card_uid, helper",
    .check = nfc_check,
    .open = nfc_reader_open,
    .close = nfc_reader_close,
};
