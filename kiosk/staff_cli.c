/* staff_cli.c - see staff_cli.h. */
#define _POSIX_C_SOURCE 200809L
#include "staff_cli.h"

#include <errno.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "staff_store.h"

int kiosk_staff_cli_import(kiosk_store *store, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "kiosk: %s: %s\n", path, strerror(errno));
        return 1;
    }
    struct stat sb;
    if (fstat(fileno(f), &sb) == 0 && S_ISDIR(sb.st_mode)) {
        fclose(f);
        fprintf(stderr, "kiosk: %s: is a folder, not a file\n", path);
        return 2;
    }
    char *text = malloc(KIOSK_STAFF_FILE_MAX + 1);
    size_t len = text ? fread(text, 1, KIOSK_STAFF_FILE_MAX + 1, f) : 0;
    bool failed = !text || ferror(f);
    fclose(f);
    if (failed || len > KIOSK_STAFF_FILE_MAX) {
        fprintf(stderr, "kiosk: %s: %s\n", path,
                !text    ? "out of memory"
                : failed ? "cannot be read"
                         : "too large");
        free(text);
        return failed ? 1 : 2;
    }
    kiosk_staff_import_stats st;
    char err[300] = "";
    kiosk_rc rc = kiosk_store_import_staff(store, text, len, &st, err, sizeof err);
    sodium_memzero(text, len); /* names in clear */
    free(text);
    if (rc != KIOSK_OK) {
        fprintf(stderr, "kiosk: %s: %s; nothing was imported\n", path, err);
        return rc == KIOSK_ERR_PARSE || rc == KIOSK_ERR_TOO_BIG ? 2 : 1;
    }
    printf("%s: %ld staff (%ld active, %ld cards); %ld no longer on the list made inactive\n", path,
           st.rows, st.active, st.cards, st.made_inactive);
    return 0;
}

int kiosk_staff_cli_hash_pin(FILE *in, FILE *out)
{
    struct termios old, quiet;
    bool tty = isatty(fileno(in)) && tcgetattr(fileno(in), &old) == 0;
    if (tty) {
        fprintf(stderr, "staff PIN (4-8 digits, not shown): ");
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        tcsetattr(fileno(in), TCSAFLUSH, &quiet);
    }
    char pin[64] = "";
    bool got = fgets(pin, sizeof pin, in) != NULL;
    if (tty) {
        tcsetattr(fileno(in), TCSAFLUSH, &old);
        fputc('\n', stderr);
    }
    pin[strcspn(pin, "\r\n")] = '\0';
    char hash[KIOSK_PIN_HASH_MAX];
    kiosk_rc rc = got ? kiosk_staff_pin_hash(pin, hash) : KIOSK_ERR_INVALID;
    sodium_memzero(pin, sizeof pin);
    if (rc != KIOSK_OK) {
        fprintf(stderr, "kiosk: --hash-pin: %s\n",
                rc == KIOSK_ERR_INVALID ? "a PIN is 4 to 8 digits, on one line of standard input"
                                        : kiosk_strerror(rc));
        return rc == KIOSK_ERR_INVALID ? 2 : 1;
    }
    /* Quoted, as the roster's CSV needs it: the hash holds commas. */
    fprintf(out, "\"%s\"\n", hash);
    return 0;
}

int kiosk_staff_cli_audit_verify(kiosk_store *store, const char *path)
{
    long entries;
    int64_t bad;
    char why[300];
    kiosk_rc rc = kiosk_store_audit_verify(store, &entries, &bad, why, sizeof why);
    if (rc == KIOSK_ERR_INVALID) {
        printf("%s: the audit log is BROKEN at entry %lld: %s (%ld entries before it hold)\n", path,
               (long long)bad, why, entries);
        return 1;
    }
    if (rc != KIOSK_OK) {
        fprintf(stderr, "kiosk: --audit-verify: %s\n", kiosk_store_errmsg(store));
        return 1;
    }
    printf("%s: the audit log holds: %ld entries, each chained to the one before\n", path, entries);
    return 0;
}
