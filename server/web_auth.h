/* web_auth.h - who may use the admin page: administrators with argon2id password hashes
 * (libsodium's crypto_pwhash_str), a lock after SRV_LOGIN_FAILURES_MAX wrong passwords in a row
 * that is kept in the database (a restart does not lift it), and the sessions of those logged in
 * (in memory: a restart logs everyone out), each with its CSRF token, ending after an idle time
 * and after an absolute time. Times come from the caller (the injectable clock). A session table
 * belongs to one thread (the admin page's). */
#ifndef SRV_WEB_AUTH_H
#define SRV_WEB_AUTH_H

#include <stdbool.h>
#include <stdint.h>

#include "storage.h"

#define SRV_LOGIN_FAILURES_MAX  5
#define SRV_LOGIN_LOCK_MS       (15 * 60 * 1000LL)
#define SRV_SESSION_IDLE_MS     (30 * 60 * 1000LL)
#define SRV_SESSION_ABSOLUTE_MS (12 * 3600 * 1000LL)
#define SRV_SESSIONS_MAX        64
#define SRV_SESSION_TOKEN_MAX   44 /* 32 random bytes, base64url, terminated */
#define SRV_PASSWORD_MIN        10

/* The argon2id string of a password (SRV_ADMIN_HASH_MAX bytes); KIOSK_ERR_NOMEM when libsodium
 * cannot have the memory. */
KIOSK_MUST_CHECK kiosk_rc srv_password_hash(const char *password, char out[SRV_ADMIN_HASH_MAX]);

typedef enum srv_login {
    SRV_LOGIN_OK,
    SRV_LOGIN_WRONG,  /* no such user or a wrong password (not told apart) */
    SRV_LOGIN_LOCKED, /* too many wrong passwords: *locked_until_ms says until when */
    SRV_LOGIN_FAILED, /* the database failed */
} srv_login;

/* Checks a login and keeps the count of failures and the lock in the database. */
srv_login srv_login_check(srv_store *st, const char *name, const char *password, int64_t now_ms,
                          int64_t *locked_until_ms);

typedef struct srv_session {
    char id[SRV_SESSION_TOKEN_MAX];   /* the cookie */
    char csrf[SRV_SESSION_TOKEN_MAX]; /* every form's hidden field */
    char user[SRV_ADMIN_NAME_MAX];
    int64_t created_ms, last_ms;
} srv_session;

typedef struct srv_sessions {
    srv_session s[SRV_SESSIONS_MAX];
    int64_t idle_ms, absolute_ms;
} srv_sessions;

void srv_sessions_init(srv_sessions *t, int64_t idle_ms, int64_t absolute_ms);
/* A new session for user (the oldest one goes when the table is full). */
const srv_session *srv_sessions_create(srv_sessions *t, const char *user, int64_t now_ms);
/* The live session of this cookie value, its idle time restarted; NULL when unknown or expired
 * (an expired one is forgotten). */
const srv_session *srv_sessions_find(srv_sessions *t, const char *id, int64_t now_ms);
void srv_sessions_end(srv_sessions *t, const char *id);
/* The form's token is the session's (constant time). */
bool srv_session_csrf_ok(const srv_session *s, const char *token);

/* `server admin-user add NAME`: the password from standard input (one line, at least
 * SRV_PASSWORD_MIN characters); again for an existing user sets a new password and lifts a lock.
 * An admin command (admin.h): 0, 1 or 2. */
int srv_admin_user_command(srv_store *st, int argc, char **argv);

#endif
