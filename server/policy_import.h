/* policy_import.h - storing a subsidy policy version for the policy stream (docs/policy.md):
 * parsed and validated by the domain's parser (the kiosk's own), kept whole as the row's "body",
 * keyed by its version string, for one site or (SRV_ANY_SITE) every site. A version string names
 * one document: the same one again changes nothing, another body under it replaces it (as the
 * kiosk's policy set does), and a city-wide and a site's version may not share a string. The
 * caller's thread. */
#ifndef SRV_POLICY_IMPORT_H
#define SRV_POLICY_IMPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "storage.h"

typedef struct srv_policy_result {
    char version[KIOSK_ID_MAX];
    char effective_from[11];
    bool changed;           /* false: this very document was stored already */
    int64_t stream_version; /* its row's version when changed */
} srv_policy_result;

/* KIOSK_ERR_PARSE: the document is not a valid policy (err names the field, as the kiosk
 * would); KIOSK_ERR_NOT_FOUND: no such site; KIOSK_ERR_INVALID: the version string is taken in
 * the other scope (err says where). */
KIOSK_MUST_CHECK kiosk_rc srv_policy_import(srv_store *st, const char *site_id, const char *text,
                                            size_t len, int64_t now_ms, srv_policy_result *out,
                                            char *err, size_t err_size);

#endif
