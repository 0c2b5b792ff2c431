/* help_calls.c - see help_calls.h. The alert's detail names the call's record id, which is how
 * the answer finds it: "呼叫工作人员 · <record id>". */
#include "help_calls.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#define KIOSK_LOG_MODULE "help"

#define DETAIL_PREFIX "呼叫工作人员 · "

kiosk_rc srv_help_call_arrived(srv_store *st, const srv_device *dev, const char *record_id,
                               const char *payload, int64_t now_ms)
{
    (void)payload; /* the time is the record's; the alert is made when it arrives */
    srv_alert a = {.created_ms = now_ms};
    snprintf(a.site_id, sizeof a.site_id, "%s", dev->site_id);
    snprintf(a.device_id, sizeof a.device_id, "%s", dev->device_id);
    snprintf(a.kind, sizeof a.kind, "%s", SRV_ALERT_HELP_CALL);
    snprintf(a.detail, sizeof a.detail, "%s%s", DETAIL_PREFIX, record_id);
    return srv_store_alert_add(st, &a, NULL);
}

typedef struct finder {
    const char *device_id;
    char detail[SRV_ALERT_DETAIL_MAX];
    int64_t alert_id; /* 0: not found */
} finder;

static kiosk_rc find_call(void *user, const srv_alert *a)
{
    finder *f = user;
    if (!f->alert_id && strcmp(a->kind, SRV_ALERT_HELP_CALL) == 0 &&
        strcmp(a->device_id, f->device_id) == 0 && strcmp(a->detail, f->detail) == 0)
        f->alert_id = a->alert_id;
    return KIOSK_OK;
}

kiosk_rc srv_help_answer_arrived(srv_store *st, const srv_device *dev, const char *payload)
{
    json_error_t e;
    json_t *o = json_loads(payload, 0, &e);
    const char *call = json_string_value(json_object_get(o, "call"));
    json_int_t answered = json_integer_value(json_object_get(o, "answered_ms"));
    kiosk_rc rc = KIOSK_OK;
    if (call && answered > 0) {
        finder f = {.device_id = dev->device_id};
        snprintf(f.detail, sizeof f.detail, "%s%s", DETAIL_PREFIX, call);
        rc = srv_store_alert_list(st, false, 10000, find_call, &f);
        if (rc == KIOSK_OK && f.alert_id)
            rc = srv_store_alert_resolve(st, f.alert_id, (int64_t)answered);
        else if (rc == KIOSK_OK)
            KLOG_WARN("device %s: an answer to call %s, which has no open alert", dev->device_id,
                      call);
    } else {
        KLOG_WARN("device %s: a help answer without its call or time: kept", dev->device_id);
    }
    json_decref(o);
    return rc;
}

kiosk_rc srv_help_open_alerts(srv_store *st, long limit, srv_alert_fn fn, void *user)
{
    return srv_store_alert_list(st, false, limit, fn, user);
}

static kiosk_rc print_alert(void *user, const srv_alert *a)
{
    (void)user;
    printf("%lld\t%lld\t%s\t%s\t%s\t%s\n", (long long)a->alert_id, (long long)a->created_ms,
           a->kind, a->site_id, a->device_id, a->detail);
    return KIOSK_OK;
}

int srv_help_alerts_command(srv_store *st, int argc, char **argv)
{
    (void)argv;
    if (argc) {
        fprintf(stderr, "usage: server alerts\n");
        return 2;
    }
    printf("alert_id\tcreated_ms\tkind\tsite_id\tdevice_id\tdetail\n");
    kiosk_rc rc = srv_store_begin(st, false);
    if (rc == KIOSK_OK) {
        rc = srv_help_open_alerts(st, 1000, print_alert, NULL);
        srv_store_rollback(st);
    }
    if (rc != KIOSK_OK) {
        fprintf(stderr, "server: alerts: %s\n", kiosk_strerror(rc));
        return 1;
    }
    return 0;
}
