/* staff.c - see staff.h. */
#include "staff.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    const char *name;
    kiosk_staff_role least;
} actions[KIOSK_STAFF_ACTION_COUNT] = {
#define KIOSK_STAFF_ACTION_ROW(id, name, role) {name, role},
    KIOSK_STAFF_ACTIONS(KIOSK_STAFF_ACTION_ROW)
#undef KIOSK_STAFF_ACTION_ROW
};

bool kiosk_staff_role_parse(const char *text, kiosk_staff_role *out)
{
    if (strcmp(text, "operator") == 0)
        *out = KIOSK_STAFF_OPERATOR;
    else if (strcmp(text, "supervisor") == 0)
        *out = KIOSK_STAFF_SUPERVISOR;
    else
        return false;
    return true;
}

const char *kiosk_staff_role_name(kiosk_staff_role role)
{
    return role == KIOSK_STAFF_SUPERVISOR ? "supervisor" : "operator";
}

const char *kiosk_staff_action_name(kiosk_staff_action action)
{
    return action < KIOSK_STAFF_ACTION_COUNT ? actions[action].name : "?";
}

bool kiosk_staff_action_parse(const char *name, kiosk_staff_action *out)
{
    for (int i = 0; name && i < KIOSK_STAFF_ACTION_COUNT; i++)
        if (strcmp(actions[i].name, name) == 0) {
            *out = (kiosk_staff_action)i;
            return true;
        }
    return false;
}

bool kiosk_staff_may(kiosk_staff_role role, kiosk_staff_action action)
{
    if (action >= KIOSK_STAFF_ACTION_COUNT)
        return false;
    /* Supervisor > operator: the enum's order is the order of rank. */
    return role >= actions[action].least;
}

bool kiosk_staff_pin_valid(const char *pin)
{
    size_t n = pin ? strlen(pin) : 0;
    if (n < KIOSK_PIN_MIN || n > KIOSK_PIN_MAX)
        return false;
    for (size_t i = 0; i < n; i++)
        if (pin[i] < '0' || pin[i] > '9')
            return false;
    return true;
}

kiosk_rc kiosk_staff_pin_hash(const char *pin, char out[KIOSK_PIN_HASH_MAX])
{
    out[0] = '\0';
    if (!kiosk_staff_pin_valid(pin))
        return KIOSK_ERR_INVALID;
    if (sodium_init() < 0)
        return KIOSK_ERR_NOMEM;
    if (crypto_pwhash_str_alg(out, pin, strlen(pin), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                              crypto_pwhash_MEMLIMIT_INTERACTIVE,
                              crypto_pwhash_ALG_ARGON2ID13) != 0) {
        out[0] = '\0';
        return KIOSK_ERR_NOMEM;
    }
    return KIOSK_OK;
}

/* Reads the decimal number after `key` ("m=") in the parameter part; -1 when absent. */
static long param(const char *params, const char *key)
{
    const char *p = strstr(params, key);
    if (!p)
        return -1;
    p += strlen(key);
    long v = 0;
    int digits = 0;
    while (*p >= '0' && *p <= '9' && digits < 10) {
        v = v * 10 + (*p - '0');
        p++;
        digits++;
    }
    return digits ? v : -1;
}

bool kiosk_staff_pin_hash_valid(const char *hash)
{
    static const char prefix[] = "$argon2id$v=19$";
    size_t n = hash ? strlen(hash) : 0;
    if (n >= KIOSK_PIN_HASH_MAX || strncmp(hash, prefix, sizeof prefix - 1) != 0)
        return false;
    for (size_t i = 0; i < n; i++)
        if (hash[i] <= ' ' || hash[i] > '~')
            return false;
    const char *params = hash + sizeof prefix - 1;
    const char *end = strchr(params, '$');
    if (!end || !strchr(end + 1, '$'))
        return false; /* salt and hash follow the parameters */
    char head[64];
    size_t len = (size_t)(end - params);
    if (len >= sizeof head)
        return false;
    memcpy(head, params, len);
    head[len] = '\0';
    long m = param(head, "m="), t = param(head, "t="), p = param(head, "p=");
    return m > 0 && m <= KIOSK_PIN_HASH_MEM_MAX_KIB && t > 0 && t <= KIOSK_PIN_HASH_OPS_MAX &&
           p == 1;
}

bool kiosk_staff_pin_check(const char *hash, const char *pin)
{
    if (!kiosk_staff_pin_valid(pin) || !kiosk_staff_pin_hash_valid(hash) || sodium_init() < 0)
        return false;
    return crypto_pwhash_str_verify(hash, pin, strlen(pin)) == 0;
}
