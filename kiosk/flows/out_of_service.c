/* out_of_service.c - see out_of_service.h. */
#include "out_of_service.h"

#include "i18n.h"
#include "router.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct out_of_service {
    kiosk_view view;
} out_of_service;

static const char *const clips[] = {"out_of_service", NULL};

static kiosk_rc oos_create(const kiosk_flow_env *env, void **self, char *err, size_t err_size)
{
    out_of_service *o = calloc(1, sizeof *o);
    if (!o)
        return kiosk_fail(KIOSK_ERR_NOMEM, err, err_size, "out of memory");
    kiosk_view *v = &o->view;
    snprintf(v->screen, sizeof v->screen, "out_of_service");
    v->layout = KIOSK_LAYOUT_RESULT;
    v->tone = KIOSK_TONE_ERROR;
    snprintf(v->title, sizeof v->title, "%s", env && env->settings ? env->settings->site_name : "");
    snprintf(v->headline, sizeof v->headline, _("本机暂停服务"));
    snprintf(v->advice, sizeof v->advice, _("请到窗口找工作人员"));
    v->voice.clips[v->voice.count++] = "out_of_service"; /* spoken at each attempt, not at start */
    *self = o;
    return KIOSK_OK;
}

static void oos_destroy(void *self)
{
    free(self);
}

/* Every attempt is answered again, so nobody waits at a silent machine. */
static kiosk_flow_next say_again(void *self)
{
    out_of_service *o = self;
    o->view.voice.serial++;
    return KIOSK_FLOW_STAY;
}

static kiosk_flow_next oos_card(void *self, const kiosk_card *card, kiosk_now now)
{
    (void)card;
    (void)now;
    return say_again(self);
}

static kiosk_flow_next oos_idcard(void *self, const kiosk_idcard *id, kiosk_now now)
{
    (void)id;
    (void)now;
    return say_again(self);
}

static kiosk_flow_next oos_bill(void *self, int64_t fen, kiosk_now now)
{
    (void)fen;
    (void)now;
    return say_again(self);
}

static const kiosk_view *oos_view(const void *self)
{
    return &((const out_of_service *)self)->view;
}

const kiosk_flow_ops kiosk_out_of_service_flow = {
    .name = KIOSK_MODE_OUT_OF_SERVICE,
    .base = true,
    .create = oos_create,
    .destroy = oos_destroy,
    .on_card = oos_card,
    .on_idcard = oos_idcard,
    .on_bill = oos_bill,
    .view = oos_view,
    .clips = clips,
};
