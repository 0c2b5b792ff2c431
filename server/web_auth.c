/* web_auth.c - administrators, logins and sessions of the admin page (web_auth.h). */
#define _POSIX_C_SOURCE 200809L
#include "web_auth.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "log.h"
#include "wire.h"
#define KIOSK_LOG_MODULE "web"

kiosk_rc srv_password_hash(const char *password, char out[SRV_ADMIN_HASH_MAX])
{
    _Static_assert(SRV_ADMIN_HASH_MAX >= crypto_pwhash_STRBYTES, "argon2id string fits");
    return crypto_pwhash_str_alg(
               out, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
               crypto_pwhash_MEMLIMIT_INTERACTIVE, crypto_pwhash_ALG_ARGON2ID13) == 0
               ? KIOSK_OK
               : KIOSK_ERR_NOMEM;
}

srv_login srv_login_check(srv_store *st, const char *name, const char *password, int64_t now_ms,
                          int64_t *locked_until_ms)
{
    *locked_until_ms = 0;
    srv_admin_user u;
    kiosk_rc rc = strlen(name) < SRV_ADMIN_NAME_MAX ? srv_store_admin_user_get(st, name, &u)
                                                    : KIOSK_ERR_NOT_FOUND;
    if (rc == KIOSK_ERR_NOT_FOUND) {
        /* As long as a wrong password of a real user, so timing does not tell names apart. */
        static char dummy[SRV_ADMIN_HASH_MAX];
        if (!dummy[0] && srv_password_hash("not a password of anyone", dummy) != KIOSK_OK)
            return SRV_LOGIN_FAILED;
        volatile int spent = crypto_pwhash_str_verify(dummy, password, strlen(password));
        (void)spent;
        return SRV_LOGIN_WRONG;
    }
    if (rc != KIOSK_OK)
        return SRV_LOGIN_FAILED;
    if (u.locked_until_ms > now_ms) {
        *locked_until_ms = u.locked_until_ms;
        return SRV_LOGIN_LOCKED;
    }
    int64_t failures = u.locked_until_ms ? 0 : u.failures; /* a lock that ran out starts afresh */
    if (crypto_pwhash_str_verify(u.pwhash, password, strlen(password)) == 0) {
        if ((u.failures || u.locked_until_ms) &&
            srv_store_admin_user_failures(st, name, 0, 0) != KIOSK_OK)
            return SRV_LOGIN_FAILED;
        return SRV_LOGIN_OK;
    }
    failures++;
    int64_t lock = failures >= SRV_LOGIN_FAILURES_MAX ? now_ms + SRV_LOGIN_LOCK_MS : 0;
    if (srv_store_admin_user_failures(st, name, failures, lock) != KIOSK_OK)
        return SRV_LOGIN_FAILED;
    if (lock) {
        KLOG_WARN("admin %s locked after %lld wrong passwords", name, (long long)failures);
        *locked_until_ms = lock;
        return SRV_LOGIN_LOCKED;
    }
    return SRV_LOGIN_WRONG;
}

void srv_sessions_init(srv_sessions *t, int64_t idle_ms, int64_t absolute_ms)
{
    memset(t, 0, sizeof *t);
    t->idle_ms = idle_ms;
    t->absolute_ms = absolute_ms;
}

static void random_token(char out[SRV_SESSION_TOKEN_MAX])
{
    uint8_t raw[32];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2base64(out, SRV_SESSION_TOKEN_MAX, raw, sizeof raw,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof raw);
}

const srv_session *srv_sessions_create(srv_sessions *t, const char *user, int64_t now_ms)
{
    srv_session *slot = &t->s[0];
    for (int i = 0; i < SRV_SESSIONS_MAX; i++) {
        if (!t->s[i].id[0]) {
            slot = &t->s[i];
            break;
        }
        if (t->s[i].last_ms < slot->last_ms)
            slot = &t->s[i];
    }
    memset(slot, 0, sizeof *slot);
    random_token(slot->id);
    random_token(slot->csrf);
    snprintf(slot->user, sizeof slot->user, "%s", user);
    slot->created_ms = slot->last_ms = now_ms;
    return slot;
}

const srv_session *srv_sessions_find(srv_sessions *t, const char *id, int64_t now_ms)
{
    if (!id || strlen(id) != SRV_SESSION_TOKEN_MAX - 1)
        return NULL;
    for (int i = 0; i < SRV_SESSIONS_MAX; i++) {
        srv_session *s = &t->s[i];
        if (!s->id[0] || sodium_memcmp(s->id, id, SRV_SESSION_TOKEN_MAX - 1) != 0)
            continue;
        if (now_ms - s->last_ms > t->idle_ms || now_ms - s->created_ms > t->absolute_ms) {
            sodium_memzero(s, sizeof *s);
            return NULL;
        }
        s->last_ms = now_ms;
        return s;
    }
    return NULL;
}

void srv_sessions_end(srv_sessions *t, const char *id)
{
    for (int i = 0; id && i < SRV_SESSIONS_MAX; i++)
        if (t->s[i].id[0] && strcmp(t->s[i].id, id) == 0)
            sodium_memzero(&t->s[i], sizeof t->s[i]);
}

bool srv_session_csrf_ok(const srv_session *s, const char *token)
{
    return token && strlen(token) == SRV_SESSION_TOKEN_MAX - 1 &&
           sodium_memcmp(s->csrf, token, SRV_SESSION_TOKEN_MAX - 1) == 0;
}

int srv_admin_user_command(srv_store *st, int argc, char **argv)
{
    if (argc != 1) {
        fprintf(stderr, "usage: server admin-user add NAME   (the password on standard input)\n");
        return 2;
    }
    const char *name = argv[0];
    if (!srv_id_valid(name)) {
        fprintf(stderr, "server: admin-user add: '%.40s' must be 1-39 of A-Z a-z 0-9 _ -\n", name);
        return 2;
    }
    char password[1024];
    if (!fgets(password, sizeof password, stdin)) {
        fprintf(stderr, "server: admin-user add: give the password on standard input\n");
        return 2;
    }
    password[strcspn(password, "\r\n")] = '\0';
    if (strlen(password) < SRV_PASSWORD_MIN) {
        sodium_memzero(password, sizeof password);
        fprintf(stderr, "server: admin-user add: the password needs at least %d characters\n",
                SRV_PASSWORD_MIN);
        return 2;
    }
    char hash[SRV_ADMIN_HASH_MAX];
    kiosk_rc rc = srv_password_hash(password, hash);
    sodium_memzero(password, sizeof password);
    if (rc == KIOSK_OK)
        rc = srv_store_admin_user_put(st, name, hash, kiosk_clock_now_ms());
    if (rc != KIOSK_OK) {
        fprintf(stderr, "server: admin-user add failed: %s %s\n", kiosk_strerror(rc),
                srv_store_errmsg(st));
        return 1;
    }
    printf("admin %s: password set; the admin page accepts it now\n", name);
    return 0;
}
