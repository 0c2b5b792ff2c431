/* flow.h - a flow is one interaction (canteen meal, marriage check-in, staff mode, now-serving
 * board) behind one small ops table. The router (router.h) hands each event to the active flow
 * and shows its view; the app names no flow. The config's mode picks the base flow; an overlay
 * flow (staff mode) lies dormant until it claims an event, then takes over until it says it is
 * done. Adding a flow is its own files plus one line in registry.c. All calls are on the main
 * thread. */
#ifndef KIOSK_FLOW_H
#define KIOSK_FLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "event.h"
#include "events_log.h"
#include "policy.h"
#include "store.h"
#include "types.h"
#include "view.h"

/* "Now" for a handler: the injectable wall clock (business rules) and the monotonic clock
 * (timeouts, which never jump when the wall clock is set). */
typedef struct kiosk_now {
    int64_t utc_ms;
    int64_t mono_ms;
} kiosk_now;

/* What a handler asks of the router. */
typedef enum kiosk_flow_next {
    KIOSK_FLOW_STAY, /* keep routing events to this flow */
    KIOSK_FLOW_DONE  /* an overlay is finished: back to the base flow */
} kiosk_flow_next;

/* Settings every flow may read (from the [kiosk], [display] and [timing] sections). */
typedef struct kiosk_flow_settings {
    char kiosk_id[KIOSK_ID_MAX];
    char site_name[128];
    kiosk_site site;
    int result_seconds;     /* a result screen leaves by itself after this */
    int repeat_tap_seconds; /* the same card again within this shows the same result */
    bool reader_right;      /* the card reader is right of the screen, not below it */
    int paper_columns;      /* the receipt printer's line width in characters; 0: no printer */
    int offline_meal_limit; /* [sync]: offline subsidised meals before staff must act; 0 none */
    char mode[24];          /* the base flow's name ("canteen", "marriage"): an overlay offers
                               what fits it; "" is taken as canteen */
    int voice_volume;       /* what the voice speaks at when the kiosk starts (0..100): [voice]
                               volume, or the level staff set (staff_store.h) */
} kiosk_flow_settings;

/* A flow's own INI section ([canteen] for the canteen flow), as written: each key the flow's
 * check_settings accepts, with its value. */
typedef struct kiosk_setting {
    const char *key, *value;
} kiosk_setting;

typedef struct kiosk_settings {
    const kiosk_setting *items;
    size_t count;
} kiosk_settings;

/* The value of key in a section, or NULL. */
const char *kiosk_settings_get(const kiosk_settings *section, const char *key);

/* Every flow's section, by flow name. */
typedef struct kiosk_flow_sections {
    const char *names[8];
    kiosk_settings sections[8];
    size_t count;
} kiosk_flow_sections;

/* What a flow is given at creation, borrowed for its lifetime. events may be NULL; store is NULL
 * only for a kiosk whose database could not be opened, which runs a flow that needs none. */
typedef struct kiosk_flow_env {
    const kiosk_flow_settings *settings;
    const kiosk_flow_sections *sections; /* the flows' own INI sections (may be NULL) */
    kiosk_store *store;
    const kiosk_policy_set *policies;
    kiosk_events_log *events;
    /* The sync worker's latest status (kiosk_sync_status, event.h), kept current by the app
     * between events; NULL on a kiosk without [sync]. */
    const kiosk_sync_status *sync;
    /* Each device's state (event.h), indexed by kiosk_device_role, kept current by the app;
     * NULL when not known (tests). */
    const kiosk_device_state *devices;
} kiosk_flow_env;

typedef struct kiosk_flow_ops {
    const char *name; /* the mode name in the config: "canteen" */
    bool base;        /* a mode of its own (else an overlay over the base flow) */
    bool needs_store; /* cannot run without the local database (env->store non-NULL) */
    /* Checks the flow's INI section (unknown keys, bad values: KIOSK_ERR_CONFIG naming the key)
     * before anything starts; NULL for a flow without settings of its own. */
    kiosk_rc (*check_settings)(const kiosk_settings *section, char *err, size_t err_size);
    /* Creates the flow's state; KIOSK_ERR_CONFIG etc. with a message in err. */
    kiosk_rc (*create)(const kiosk_flow_env *env, void **self, char *err, size_t err_size);
    void (*destroy)(void *self);
    /* Overlays only (NULL otherwise): whether this dormant overlay takes the event, which it
     * then receives through its handler. */
    bool (*claims_card)(void *self, const kiosk_card *card, kiosk_now now);
    /* An active overlay's on_card that answers KIOSK_FLOW_DONE hands that card on to the base
     * flow (staff mode leaves at the next diner's tap, and the diner is served). */
    kiosk_flow_next (*on_card)(void *self, const kiosk_card *card, kiosk_now now);
    kiosk_flow_next (*on_card_removed)(void *self, kiosk_now now);
    kiosk_flow_next (*on_idcard)(void *self, const kiosk_idcard *id, kiosk_now now);
    kiosk_flow_next (*on_idcard_error)(void *self, const char *reason, kiosk_now now);
    /* The cash register (or the counter) sent the bill of the meal, in fen. */
    kiosk_flow_next (*on_bill)(void *self, int64_t fen, kiosk_now now);
    /* widget is the id of a button the last frame showed, or one takes_press accepted. */
    kiosk_flow_next (*on_press)(void *self, const char *widget, kiosk_now now);
    /* Whether the flow takes a press of a widget that is not on the screen: a button outside
     * it (a counter's call button, "call:3", for the now-serving board). NULL: none. */
    bool (*takes_press)(const void *self, const char *widget);
    kiosk_flow_next (*on_tick)(void *self, kiosk_now now);
    /* Overlays only (may be NULL): a long press in the screen's corner over the base flow
     * (corner_hold.h); the overlay takes over. Staff mode asks for a staff card. */
    kiosk_flow_next (*on_corner_hold)(void *self, kiosk_now now);
    /* Overlays only (may be NULL): asked once when the overlay is done, a bill (fen > 0) it
     * hands the base flow for the next tap, as if the cash register had sent it (on_bill);
     * 0: none. Staff mode's 录入账单. */
    int64_t (*take_bill)(void *self);
    /* The monotonic time at which on_tick is next wanted; INT64_MAX for none. */
    int64_t (*deadline)(const void *self);
    /* The screen now (borrowed until the next call on the flow). */
    const kiosk_view *(*view)(const void *self);
    /* Every voice clip the flow may name, NULL-terminated: tests check each has its file. */
    const char *const *clips;
} kiosk_flow_ops;

/* The INI section of the flow named `flow` in env (an empty one when there is none). */
kiosk_settings kiosk_flow_section(const kiosk_flow_env *env, const char *flow);

/* The registry (registry.c). */
const kiosk_flow_ops *kiosk_flow_find(const char *name);
/* Every registered flow, NULL-terminated. */
const kiosk_flow_ops *const *kiosk_flow_all(void);

#endif
