/* policy_import.c - storing a subsidy policy version (policy_import.h). */
#include "policy_import.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"

typedef struct lookup {
    bool live;
    json_t *row;
} lookup;

static kiosk_rc take_row(void *user, const srv_stream_row *r)
{
    lookup *l = user;
    l->live = r->row != NULL;
    if (r->row)
        l->row = json_loads(r->row, 0, NULL);
    return KIOSK_OK;
}

typedef struct scope_check {
    srv_store *st;
    const char *version;
    char holder[SRV_ID_MAX];
} scope_check;

static kiosk_rc check_site(void *user, const srv_site *site)
{
    scope_check *c = user;
    lookup l = {0};
    kiosk_rc rc = srv_store_stream_get(c->st, site->site_id, "policy", c->version, take_row, &l);
    json_decref(l.row);
    if (rc == KIOSK_OK && l.live && !c->holder[0])
        snprintf(c->holder, sizeof c->holder, "%s", site->site_id);
    return rc;
}

static kiosk_rc store_version(srv_store *st, const char *site_id, json_t *row, int64_t now_ms,
                              srv_policy_result *out, char *err, size_t err_size)
{
    if (strcmp(site_id, SRV_ANY_SITE) != 0) {
        srv_site site;
        kiosk_rc rc = srv_store_site_get(st, site_id, &site);
        if (rc == KIOSK_ERR_NOT_FOUND)
            return kiosk_fail(rc, err, err_size, "no site '%s' (server site add ...)", site_id);
        if (rc != KIOSK_OK)
            return rc;
    }
    /* One version string, one document, wherever a kiosk finds it: a page of the policy stream
     * holds a site's rows and the city-wide ones together. */
    scope_check c = {.st = st, .version = out->version};
    kiosk_rc rc;
    if (strcmp(site_id, SRV_ANY_SITE) == 0) {
        rc = srv_store_site_list(st, check_site, &c);
    } else {
        srv_site any = {.site_id = SRV_ANY_SITE};
        rc = check_site(&c, &any);
    }
    if (rc != KIOSK_OK)
        return rc;
    if (c.holder[0])
        return kiosk_fail(KIOSK_ERR_INVALID, err, err_size,
                          "version %s is stored %s already; give this document a version of "
                          "its own",
                          out->version,
                          strcmp(c.holder, SRV_ANY_SITE) == 0 ? "for every site" : "for a site");
    lookup same = {0};
    rc = srv_store_stream_get(st, site_id, "policy", out->version, take_row, &same);
    bool unchanged = rc == KIOSK_OK && same.live && same.row && json_equal(same.row, row);
    json_decref(same.row);
    if (rc != KIOSK_OK || unchanged)
        return rc;
    char *text = json_dumps(row, JSON_COMPACT | JSON_SORT_KEYS);
    if (!text)
        return KIOSK_ERR_NOMEM;
    rc = srv_store_version_take(st, 1, &out->stream_version);
    if (rc == KIOSK_OK)
        rc = srv_store_stream_put(st, site_id, "policy", out->version, text, out->stream_version,
                                  now_ms);
    free(text);
    out->changed = rc == KIOSK_OK;
    return rc;
}

kiosk_rc srv_policy_import(srv_store *st, const char *site_id, const char *text, size_t len,
                           int64_t now_ms, srv_policy_result *out, char *err, size_t err_size)
{
    memset(out, 0, sizeof *out);
    kiosk_policy *policy = NULL;
    kiosk_rc rc = kiosk_policy_parse(text, len, &policy, err, err_size);
    if (rc != KIOSK_OK)
        return rc;
    snprintf(out->version, sizeof out->version, "%s", kiosk_policy_version(policy));
    kiosk_date_format(kiosk_policy_effective_from(policy), out->effective_from);
    kiosk_policy_free(policy);
    /* The parser accepted it, so Jansson reads it too: the body is the document as written. */
    json_t *body = json_loadb(text, len, JSON_REJECT_DUPLICATES, NULL);
    json_t *row = body ? json_pack("{s:s, s:s, s:o}", "version", out->version, "effective_from",
                                   out->effective_from, "body", body)
                       : NULL;
    if (!row)
        return KIOSK_ERR_NOMEM;
    rc = srv_store_begin(st, true);
    if (rc == KIOSK_OK) {
        rc = store_version(st, site_id, row, now_ms, out, err, err_size);
        if (rc == KIOSK_OK)
            rc = srv_store_commit(st);
        else
            srv_store_rollback(st);
    }
    json_decref(row);
    if (rc != KIOSK_OK && rc != KIOSK_ERR_INVALID && rc != KIOSK_ERR_NOT_FOUND && err_size)
        snprintf(err, err_size, "%s", srv_store_errmsg(st));
    return rc;
}
