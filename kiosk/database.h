/* database.h - the local database as the command line and the running kiosk open it: recovered
 * first when it is damaged or a recovery is pending (kiosk_store_recover), the configured card
 * key set, and the notice it keeps for staff put into words. */
#ifndef KIOSK_DATABASE_H
#define KIOSK_DATABASE_H

#include "config.h"
#include "i18n.h"
#include "store.h"

/* The staff line of a kiosk whose database could not be recovered. */
#define KIOSK_NOTICE_UNRECOVERED _("本机数据损坏未能修复 · 请联系管理员")

/* Opens cfg->database into *store. KIOSK_ERR_CORRUPT (with *store NULL) when it is damaged and
 * could not be recovered: the damaged file is as it was, and the caller must not serve from
 * it; KIOSK_ERR_CONFIG for a bad card key; another code when it cannot be opened. What a
 * recovery did goes to stderr; *notice gets the staff line to show (static words), or NULL.
 * *store may be non-NULL on failure: close it. */
KIOSK_MUST_CHECK kiosk_rc kiosk_database_open(const kiosk_config *cfg, kiosk_store **store,
                                              const char **notice, char *err, size_t err_size);

#endif
