/* database.c - opening the local database (see database.h). */
#include "database.h"

#include <stdio.h>
#include <string.h>

#include "i18n.h"
#include "log.h"
#include "sync_state.h"
#define KIOSK_LOG_MODULE "database"

/* The staff line's words for a notice kept in the database (kiosk_store_staff_notice). */
static const char *notice_words(const char *code)
{
    if (strcmp(code, KIOSK_NOTICE_CARD_KEY_LOST) == 0)
        return _("数据曾损坏，卡已失效 · 请重新导入名册");
    if (strcmp(code, KIOSK_NOTICE_RECOVERY_INCOMPLETE) == 0)
        return _("数据曾损坏，部分记录未能恢复 · 请联系管理员");
    return NULL;
}

/* A recovery is pending when one did not finish, or when damage was found while the kiosk ran
 * (the background check, or SQLite on a tap). */
kiosk_rc kiosk_database_open(const kiosk_config *cfg, kiosk_store **store, const char **notice,
                             char *err, size_t err_size)
{
    const char *path = cfg->database;
    *store = NULL;
    bool pending = kiosk_store_recovery_pending(path);
    kiosk_rc rc = pending ? KIOSK_ERR_CORRUPT : kiosk_store_open(path, store, err, err_size);
    if (rc == KIOSK_ERR_CORRUPT) {
        /* Copied aside, never deleted; what can be read is carried over so service goes on. */
        kiosk_store_close(*store);
        *store = NULL;
        if (pending)
            KLOG_ERROR("the local database %s is to be recovered", path);
        else
            KLOG_ERROR("the local database %s is damaged (%s); recovering", path, err);
        kiosk_recovery rec;
        rc = kiosk_store_recover(path, &rec, err, err_size);
        if (rc != KIOSK_OK)
            return KIOSK_ERR_CORRUPT;
        fprintf(stderr,
                "kiosk: the local database was damaged: it is kept as %s.\n"
                "kiosk: recovered %ld persons, %ld cards, %ld meals (%ld upload records)%s\n",
                rec.aside_path, rec.persons, rec.cards, rec.meals, rec.outbox,
                rec.complete ? "; everything could be read." : "");
        fprintf(stderr,
                "kiosk: staff mode: %ld staff, %ld staff cards, %ld locks, %ld audit entries,"
                " %ld voids (kiosk --audit-verify checks the chain)\n",
                rec.staff, rec.staff_cards, rec.staff_locks, rec.audit, rec.voids);
        fprintf(stderr,
                "kiosk: marriage hall: %ld appointments, %ld check-ins (%ld from their upload"
                " records), %ld calls, %ld calendar days\n",
                rec.appointments, rec.checkins, rec.checkins_restored, rec.calls,
                rec.calendar_days);
        if (!rec.complete)
            fprintf(stderr, "kiosk: %ld pages could not be read and %ld records were skipped%s.\n",
                    rec.pages_unreadable, rec.rows_skipped,
                    rec.card_key_lost ? "; the card key was lost: import the roster again"
                                      : "; import the roster again with --mode full");
        *notice = _("本机数据曾损坏，已恢复");
        rc = kiosk_store_open(path, store, err, err_size);
    } else if (rc != KIOSK_OK) {
        return rc;
    }
    /* After enrollment the city's key from the server is the one every card hash is made with. */
    bool from_server = false;
    if (rc == KIOSK_OK && cfg->card_key_hex[0] &&
        kiosk_store_card_key_from_server(*store, &from_server) == KIOSK_OK && from_server)
        KLOG_WARN("[kiosk] card_key is ignored: this kiosk is enrolled and uses the city's key"
                  " the server gave it");
    else if (rc == KIOSK_OK && cfg->card_key_hex[0] &&
             kiosk_store_set_card_key_hex(*store, cfg->card_key_hex) != KIOSK_OK)
        return kiosk_fail(KIOSK_ERR_CONFIG, err, err_size,
                          "[kiosk] card_key is not 64 hexadecimal digits");
    if (rc == KIOSK_OK) {
        char code[64];
        const char *words = NULL;
        if (kiosk_store_staff_notice(*store, code, sizeof code) == KIOSK_OK)
            words = notice_words(code);
        if (words)
            *notice = words;
    }
    return rc;
}
