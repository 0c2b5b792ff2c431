/* router.c - routes events to the base flow or to the overlay that claimed them. */
#include "router.h"

#include <stdio.h>
#include <stdlib.h>

#include "log.h"
#define KIOSK_LOG_MODULE "router"

#define OVERLAYS_MAX 4

typedef struct running {
    const kiosk_flow_ops *ops;
    void *self;
} running;

struct kiosk_router {
    running base;
    running overlays[OVERLAYS_MAX];
    size_t overlay_count;
    running *active; /* &base or one of overlays */
};

static kiosk_rc start(running *f, const kiosk_flow_ops *ops, const kiosk_flow_env *env, char *err,
                      size_t err_size)
{
    f->ops = ops;
    if (ops->needs_store && (!env || !env->store))
        return kiosk_fail(KIOSK_ERR_CONFIG, err, err_size,
                          "the %s flow cannot run without its database", ops->name);
    return ops->create(env, &f->self, err, err_size);
}

kiosk_router *kiosk_router_new(const char *mode, const kiosk_flow_env *env, char *err,
                               size_t err_size)
{
    const kiosk_flow_ops *base = kiosk_flow_find(mode);
    if (!base || !base->base) {
        snprintf(err, err_size, "mode '%s' is not a kiosk mode", mode);
        return NULL;
    }
    kiosk_router *r = calloc(1, sizeof *r);
    if (!r) {
        snprintf(err, err_size, "out of memory");
        return NULL;
    }
    if (start(&r->base, base, env, err, err_size) != KIOSK_OK) {
        free(r);
        return NULL;
    }
    for (const kiosk_flow_ops *const *f = kiosk_flow_all(); *f; f++) {
        if ((*f)->base || ((*f)->needs_store && !(env && env->store)))
            continue;
        if (r->overlay_count == OVERLAYS_MAX ||
            start(&r->overlays[r->overlay_count], *f, env, err, err_size) != KIOSK_OK) {
            if (r->overlay_count == OVERLAYS_MAX)
                snprintf(err, err_size, "more than %d overlay flows", OVERLAYS_MAX);
            kiosk_router_free(r);
            return NULL;
        }
        r->overlay_count++;
    }
    r->active = &r->base;
    return r;
}

void kiosk_router_free(kiosk_router *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->overlay_count; i++)
        r->overlays[i].ops->destroy(r->overlays[i].self);
    if (r->base.self)
        r->base.ops->destroy(r->base.self);
    free(r);
}

/* An overlay that says it is done hands the screen back to the base flow, with the bill it
 * leaves for the next tap, if any. */
static void after(kiosk_router *r, kiosk_flow_next next, kiosk_now now)
{
    if (next == KIOSK_FLOW_DONE && r->active != &r->base) {
        KLOG_DEBUG("%s done; back to %s", r->active->ops->name, r->base.ops->name);
        running *was = r->active;
        r->active = &r->base;
        int64_t fen = was->ops->take_bill ? was->ops->take_bill(was->self) : 0;
        if (fen > 0 && r->base.ops->on_bill)
            (void)r->base.ops->on_bill(r->base.self, fen, now); /* the base stays active */
    }
}

void kiosk_router_card(kiosk_router *r, const kiosk_card *card, kiosk_now now)
{
    if (r->active == &r->base) {
        for (size_t i = 0; i < r->overlay_count; i++) {
            running *o = &r->overlays[i];
            if (o->ops->claims_card && o->ops->claims_card(o->self, card, now)) {
                KLOG_DEBUG("%s takes over from %s", o->ops->name, r->base.ops->name);
                r->active = o;
                break;
            }
        }
    }
    if (!r->active->ops->on_card)
        return;
    running *was = r->active;
    after(r, was->ops->on_card(was->self, card, now), now);
    /* An overlay that steps aside at a card (the next diner's, in staff mode) leaves that card
     * to the base flow, so the diner is served at once. */
    if (was != &r->base && r->active == &r->base && r->base.ops->on_card)
        r->base.ops->on_card(r->base.self, card, now);
}

void kiosk_router_card_removed(kiosk_router *r, kiosk_now now)
{
    if (r->active->ops->on_card_removed)
        after(r, r->active->ops->on_card_removed(r->active->self, now), now);
}

void kiosk_router_idcard(kiosk_router *r, const kiosk_idcard *id, kiosk_now now)
{
    if (r->active->ops->on_idcard)
        after(r, r->active->ops->on_idcard(r->active->self, id, now), now);
}

void kiosk_router_idcard_error(kiosk_router *r, const char *reason, kiosk_now now)
{
    if (r->active->ops->on_idcard_error)
        after(r, r->active->ops->on_idcard_error(r->active->self, reason, now), now);
}

void kiosk_router_bill(kiosk_router *r, int64_t fen, kiosk_now now)
{
    if (r->active->ops->on_bill)
        after(r, r->active->ops->on_bill(r->active->self, fen, now), now);
}

void kiosk_router_press(kiosk_router *r, const char *widget, kiosk_now now)
{
    if (r->active->ops->on_press)
        after(r, r->active->ops->on_press(r->active->self, widget, now), now);
}

void kiosk_router_corner_hold(kiosk_router *r, kiosk_now now)
{
    if (r->active != &r->base)
        return;
    for (size_t i = 0; i < r->overlay_count; i++) {
        running *o = &r->overlays[i];
        if (o->ops->on_corner_hold) {
            KLOG_DEBUG("%s takes over from %s (a long press)", o->ops->name, r->base.ops->name);
            r->active = o;
            after(r, o->ops->on_corner_hold(o->self, now), now);
            return;
        }
    }
}

bool kiosk_router_takes_press(const kiosk_router *r, const char *widget)
{
    return r->active->ops->takes_press && r->active->ops->takes_press(r->active->self, widget);
}

void kiosk_router_tick(kiosk_router *r, kiosk_now now)
{
    /* Only the active flow's time runs: a dormant overlay has nothing on screen. */
    if (r->active->ops->on_tick)
        after(r, r->active->ops->on_tick(r->active->self, now), now);
    if (r->active != &r->base && r->base.ops->on_tick)
        r->base.ops->on_tick(r->base.self, now);
}

int64_t kiosk_router_deadline(const kiosk_router *r)
{
    int64_t d = r->active->ops->deadline ? r->active->ops->deadline(r->active->self) : INT64_MAX;
    if (r->active != &r->base && r->base.ops->deadline) {
        int64_t b = r->base.ops->deadline(r->base.self);
        d = b < d ? b : d;
    }
    return d;
}

const kiosk_view *kiosk_router_view(const kiosk_router *r)
{
    return r->active->ops->view(r->active->self);
}

const char *kiosk_router_active(const kiosk_router *r)
{
    return r->active->ops->name;
}
