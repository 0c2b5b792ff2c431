/* canteen.c - the canteen flow's states and transitions; its words are in canteen_words.c. */
#include "canteen.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "canteen_words.h"
#include "clock.h"
#include "idnum.h"
#include "keypad.h"
#include "log.h"
#include "meal_record.h"
#include "money.h"
#include "receipt.h"
#include "recid.h"
#include "speech.h"
#include "staff_store.h"
#include "sync_state.h"
#define KIOSK_LOG_MODULE "canteen"

#define CANTEEN_STATES(X) \
    X(IDLE)               \
    X(RESULT)             \
    X(WAITING)            \
    X(BILL_READY)         \
    X(MENU_CHOSEN)        \
    X(MENU_AFTER_TAP)

typedef enum canteen_state {
#define CANTEEN_STATE_ENUM(name) STATE_##name,
    CANTEEN_STATES(CANTEEN_STATE_ENUM)
#undef CANTEEN_STATE_ENUM
} canteen_state;

static const char *const state_names[] = {
#define CANTEEN_STATE_NAME(name) #name,
    CANTEEN_STATES(CANTEEN_STATE_NAME)
#undef CANTEEN_STATE_NAME
};

#define RECENT_TAPS  16
#define HELP_SECONDS 15
/* A database locked by another writer (an import, the sync worker) is tried again this often,
 * this many times, while the diner sees "请稍等". */
#define BUSY_RETRY_MS 300
#define BUSY_RETRIES  20
/* A bill or a menu choice waits this long for the card; a card waits this long for its choice. */
#define ORDER_SECONDS 120
#define MENU_ITEMS    6
#define BILL_DIGITS   6 /* up to ¥9999.99 */

/* Where the price comes from ([canteen] pricing). */
typedef enum pricing { PRICING_SET, PRICING_MENU, PRICING_BILL } pricing;

typedef struct menu_item {
    char name[48];
    int64_t price_fen;
} menu_item;

/* When a receipt is printed ([canteen] receipt): never, when the diner asks (a button on the
 * success screen), or after every meal. */
typedef enum receipt_mode { RECEIPT_NEVER, RECEIPT_ASK, RECEIPT_ALWAYS } receipt_mode;

/* The canteen's own settings, from its INI section. */
typedef struct canteen_options {
    pricing mode;
    menu_item menu[MENU_ITEMS];
    size_t menu_count;
    receipt_mode receipt;
} canteen_options;

#define W (canteen_text_tr())

/* How the diner was identified: by a service card, or by the ID-card reader (no card). */
typedef enum identified_by { BY_CARD, BY_ID_NUMBER } identified_by;

typedef struct recent_tap {
    uint8_t card_key[KIOSK_CARD_KEY_BYTES];
    int64_t utc_ms; /* the injectable clock: the repeat window follows it, as the limits do */
    bool used;
    char record_id[KIOSK_RECID_TEXT];
    kiosk_view view;
} recent_tap;

struct kiosk_canteen {
    canteen_state state;
    const kiosk_flow_settings *opts;
    canteen_options own;
    /* The order being put together: the bill typed or sent, the menu item chosen. */
    kiosk_order order;
    bool has_order;
    char bill_digits[BILL_DIGITS + 1];
    /* Menu mode: a card read before the choice waits for it. */
    uint8_t pending_key[KIOSK_CARD_KEY_BYTES];
    identified_by pending_by;
    kiosk_store *store;
    const kiosk_policy_set *policies;
    kiosk_events_log *log;
    const kiosk_sync_status *sync; /* NULL without sync */
    kiosk_view view;
    int64_t deadline_mono_ms; /* back to idle (or try again) at this time; INT64_MAX when idle */
    recent_tap recent[RECENT_TAPS];
    size_t recent_next;
    char last_record_id[KIOSK_RECID_TEXT];
    /* A tap waiting for a busy database: who, with what order, and how many tries are left. */
    uint8_t waiting_key[KIOSK_CARD_KEY_BYTES];
    identified_by waiting_by;
    kiosk_order waiting_order;
    int waiting_tries;
    /* The last served meal, for its receipt: copies, so the receipt outlives the view. */
    bool has_receipt;
    kiosk_receipt receipt;
    char receipt_name[KIOSK_NAME_MASKED_MAX], receipt_class[KIOSK_CLASS_LABEL_MAX];
};

static kiosk_rc parse_options(const kiosk_settings *section, canteen_options *out, char *err,
                              size_t err_size);
static void show_help(kiosk_canteen *c, int64_t now_mono_ms);
static void print_receipt(kiosk_canteen *c);
static void remove_button(kiosk_view *v, const char *id);
static bool has_button(const kiosk_view *v, const char *id);

/* Every state change goes through here, so the log shows the path a tap took. */
static void transition(kiosk_canteen *c, canteen_state next, int line)
{
    KLOG_DEBUG("-> [%s] (line %d)", state_names[next], line);
    c->state = next;
}
#define GO(c, next) transition((c), (next), __LINE__)

/* --- building the view ----------------------------------------------------------------- */

static void say(kiosk_view *v, const char *clip)
{
    if (v->voice.count < KIOSK_VIEW_VOICE)
        v->voice.clips[v->voice.count++] = clip;
}

static void say_amount(kiosk_view *v, int64_t fen)
{
    v->voice.count += kiosk_speech_amount(fen, v->voice.clips + v->voice.count,
                                          KIOSK_VIEW_VOICE - v->voice.count);
}

/* A figure whose value is text (a time, a span of hours); returns it to be filled, or NULL when
 * the view holds no more. */
static kiosk_figure *add_figure_text(kiosk_view *v, const char *label, bool emphasis)
{
    if (v->figure_count == KIOSK_VIEW_FIGURES)
        return NULL;
    kiosk_figure *f = &v->figures[v->figure_count++];
    snprintf(f->label, sizeof f->label, "%s", label);
    f->value[0] = '\0';
    f->emphasis = emphasis;
    return f;
}

static void add_figure(kiosk_view *v, const char *label, int64_t fen, bool emphasis)
{
    kiosk_figure *f = add_figure_text(v, label, emphasis);
    if (f)
        kiosk_money_format(fen, f->value, sizeof f->value);
}

static void add_button(kiosk_view *v, const char *id, const char *label, kiosk_role role)
{
    if (v->button_count == KIOSK_VIEW_BUTTONS)
        return;
    kiosk_button *b = &v->buttons[v->button_count++];
    snprintf(b->id, sizeof b->id, "%s", id);
    snprintf(b->label, sizeof b->label, "%s", label);
    b->role = role;
}

/* Starts a new screen: clears the last one's content but keeps the intents' serials, so a new
 * voice cue is told apart from the last. */
static void view_begin(kiosk_canteen *c, const char *screen, kiosk_layout layout, kiosk_tone tone)
{
    kiosk_view *v = &c->view;
    unsigned voice_serial = v->voice.serial, print_serial = v->print.serial;
    memset(v, 0, sizeof *v);
    v->voice.serial = voice_serial;
    v->print.serial = print_serial;
    snprintf(v->title, sizeof v->title, "%s · %s", c->opts->site_name, W->title_suffix);
    snprintf(v->screen, sizeof v->screen, "%s", screen);
    v->layout = layout;
    v->tone = tone;
}

/* The bill typed so far, as money: the last two digits are jiao and fen. */
static int64_t typed_fen(const kiosk_canteen *c)
{
    int64_t fen = 0;
    for (const char *d = c->bill_digits; *d; d++)
        fen = fen * 10 + (*d - '0');
    return fen;
}

static void add_menu_buttons(kiosk_canteen *c, kiosk_view *v)
{
    for (size_t i = 0; i < c->own.menu_count; i++) {
        char id[16], label[KIOSK_BUTTON_LABEL_MAX], price[32];
        snprintf(id, sizeof id, "menu%zu", i + 1);
        kiosk_money_format(c->own.menu[i].price_fen, price, sizeof price);
        snprintf(label, sizeof label, "%s %s", c->own.menu[i].name, price);
        bool chosen = c->has_order && strcmp(c->order.item, c->own.menu[i].name) == 0;
        add_button(v, id, label, chosen ? KIOSK_ROLE_PRIMARY : KIOSK_ROLE_SECONDARY);
    }
}

/* The screen that waits for a diner: the card picture (set meal, or a bill or menu choice
 * already made), the bill keypad (bill mode), the menu (menu mode). */
static void show_idle(kiosk_canteen *c)
{
    kiosk_view *v = &c->view;
    bool right = c->opts->reader_right;
    c->deadline_mono_ms = INT64_MAX;
    if (c->own.mode == PRICING_BILL && !c->has_order) {
        view_begin(c, "bill", KIOSK_LAYOUT_FORM, KIOSK_TONE_INFO);
        snprintf(v->headline, sizeof v->headline, "%s", W->bill_headline);
        snprintf(v->message, sizeof v->message, "%s", W->bill_message);
        snprintf(v->advice, sizeof v->advice, "%s", W->bill_advice);
        v->keypad.shown = true;
        kiosk_money_format(typed_fen(c), v->keypad.value, sizeof v->keypad.value);
        snprintf(v->keypad.backspace_label, sizeof v->keypad.backspace_label, "%s",
                 W->bill_backspace);
        snprintf(v->keypad.confirm_label, sizeof v->keypad.confirm_label, "%s", W->bill_confirm);
        add_button(v, "help", W->help, KIOSK_ROLE_NAV);
        GO(c, STATE_IDLE);
        return;
    }
    if (c->own.mode == PRICING_MENU && !c->has_order) {
        view_begin(c, "menu", KIOSK_LAYOUT_FORM, KIOSK_TONE_INFO);
        snprintf(v->headline, sizeof v->headline, "%s", W->menu_headline);
        snprintf(v->message, sizeof v->message, "%s", W->menu_message);
        add_menu_buttons(c, v);
        add_button(v, "help", W->help, KIOSK_ROLE_NAV);
        GO(c, STATE_IDLE);
        return;
    }
    view_begin(c, "idle", KIOSK_LAYOUT_IDLE, KIOSK_TONE_INFO);
    snprintf(v->prompt, sizeof v->prompt, "%s", W->idle_prompt);
    snprintf(v->picture_label, sizeof v->picture_label, "%s", W->picture_label);
    snprintf(v->reader_label, sizeof v->reader_label, "%s",
             right ? W->reader_right : W->reader_below);
    if (c->has_order) {
        /* A bill or a menu choice waits for the card: say what it is, offer to change it. */
        char price[32];
        kiosk_money_format(c->order.price_fen, price, sizeof price);
        if (c->order.source == KIOSK_PRICE_BILL)
            snprintf(v->hint, sizeof v->hint, "%s%s", W->bill_ready_hint, price);
        else
            snprintf(v->hint, sizeof v->hint, "%s%s %s", W->menu_chosen_hint, c->order.item, price);
        add_button(v, "change",
                   c->order.source == KIOSK_PRICE_BILL ? W->bill_change : W->menu_change,
                   KIOSK_ROLE_NAV);
        GO(c, c->order.source == KIOSK_PRICE_BILL ? STATE_BILL_READY : STATE_MENU_CHOSEN);
        return;
    }
    snprintf(v->hint, sizeof v->hint, "%s", right ? W->idle_hint_right : W->idle_hint_below);
    add_button(v, "help", W->help, KIOSK_ROLE_NAV);
    GO(c, STATE_IDLE);
}

/* An order (bill or menu choice) waits for its card, then lapses. */
static void hold_order(kiosk_canteen *c, int64_t now_mono_ms)
{
    show_idle(c);
    c->deadline_mono_ms = now_mono_ms + (int64_t)ORDER_SECONDS * 1000;
}

static void clear_order(kiosk_canteen *c)
{
    c->has_order = false;
    memset(&c->order, 0, sizeof c->order);
    c->bill_digits[0] = '\0';
}

/* A result-like screen stays for `seconds`, with its back button and a fresh voice cue. A result
 * also offers help, so it needs no trip back to idle first. Nothing here is for staff: the day
 * view is in staff mode (staff_flow.h), behind a staff card and PIN. */
static void show_for(kiosk_canteen *c, canteen_state state, int seconds, int64_t now_mono_ms)
{
    c->deadline_mono_ms = now_mono_ms + (int64_t)seconds * 1000;
    c->view.countdown_s = seconds;
    c->view.voice.serial++;
    add_button(&c->view, "back", W->back, KIOSK_ROLE_NAV);
    if (state == STATE_RESULT && strcmp(c->view.screen, "help") != 0)
        add_button(&c->view, "help", W->help, KIOSK_ROLE_NAV);
    GO(c, state);
}

kiosk_canteen *kiosk_canteen_new(const kiosk_flow_env *env)
{
    kiosk_canteen *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    kiosk_settings section = kiosk_flow_section(env, "canteen");
    if (parse_options(&section, &c->own, NULL, 0) != KIOSK_OK) {
        free(c); /* kiosk_config_validate checked them: this is a programming error */
        return NULL;
    }
    c->opts = env->settings;
    c->store = env->store;
    c->policies = env->policies;
    c->log = env->events;
    c->sync = env->sync;
    show_idle(c);
    return c;
}

void kiosk_canteen_free(kiosk_canteen *c)
{
    if (c) {
        sodium_memzero(c->waiting_key, sizeof c->waiting_key);
        sodium_memzero(c->pending_key, sizeof c->pending_key);
    }
    free(c);
}

const kiosk_view *kiosk_canteen_view(const kiosk_canteen *c)
{
    return &c->view;
}

const char *kiosk_canteen_last_record_id(const kiosk_canteen *c)
{
    return c->last_record_id;
}

int64_t kiosk_canteen_deadline(const kiosk_canteen *c)
{
    if (c->deadline_mono_ms == INT64_MAX || c->state == STATE_WAITING)
        return c->deadline_mono_ms;
    /* Wake once a second for the countdown, and at the deadline itself. */
    int64_t next = c->deadline_mono_ms - (int64_t)c->view.countdown_s * 1000 + 1000;
    return next < c->deadline_mono_ms ? next : c->deadline_mono_ms;
}

/* --- the events log -------------------------------------------------------------------- */

/* The start of an outcome line; NULL when no events file is configured, so a kiosk without one
 * builds no JSON on the tap path. */
static json_t *event_new(kiosk_canteen *c, const char *result, int64_t now_utc_ms)
{
    if (!c->log)
        return NULL;
    return json_pack("{s:s, s:s, s:s, s:I}", "kind", "meal", "result", result, "kiosk_id",
                     c->opts->kiosk_id, "at_utc_ms", (json_int_t)now_utc_ms);
}

static void event_write(kiosk_canteen *c, json_t *o)
{
    if (o && kiosk_events_log_take(c->log, o) != KIOSK_OK)
        KLOG_WARN("outcome not written to the events file");
}

static void log_meal_event(kiosk_canteen *c, const char *result, const kiosk_decision *d,
                           const kiosk_order *order, const char *record_id, int64_t now_utc_ms)
{
    json_t *o = event_new(c, result, now_utc_ms);
    if (!o)
        return;
    if (d) {
        if (d->reason != KIOSK_REASON_OK)
            json_object_set_new(o, "reason", json_string(kiosk_reason_code(d->reason)));
        json_object_set_new(o, "meal_type", json_string(kiosk_meal_type_code(d->meal_type)));
        json_object_set_new(o, "price_fen", json_integer(d->price_fen));
        json_object_set_new(o, "subsidy_fen", json_integer(d->subsidy_fen));
        json_object_set_new(o, "pay_fen", json_integer(d->pay_fen));
        if (d->class_id[0])
            json_object_set_new(o, "class_id", json_string(d->class_id));
        if (d->policy_version[0])
            json_object_set_new(o, "policy_version", json_string(d->policy_version));
        if (d->full_price_allowed)
            json_object_set_new(o, "full_price_allowed", json_true());
        if (d->approved) {
            /* The settlement split of this meal, as the record has it. */
            for (int l = 0; l < KIOSK_LEVEL_COUNT; l++) {
                char key[24];
                snprintf(key, sizeof key, "%s_fen",
                         kiosk_funding_level_code((kiosk_funding_level)l));
                json_object_set_new(o, key, json_integer(d->funding_fen[l]));
            }
            json_object_set_new(o, "canteen_fen", json_integer(d->canteen_fen));
            json_object_set_new(o, "day_subsidy_fen", json_integer(d->day_subsidy_fen));
        }
        if (order) { /* where the price came from: the policy, a menu item, a bill */
            json_object_set_new(o, "price_source",
                                json_string(kiosk_price_source_code(order->source)));
            if (order->source == KIOSK_PRICE_MENU)
                json_object_set_new(o, "menu_item", json_string(order->item));
        }
    }
    if (record_id && record_id[0])
        json_object_set_new(o, "record_id", json_string(record_id));
    event_write(c, o);
}

static void log_reason_event(kiosk_canteen *c, const char *result, kiosk_reason reason,
                             int64_t now_utc_ms)
{
    kiosk_decision d = {.reason = reason, .meal_type = KIOSK_MEAL_NONE};
    log_meal_event(c, result, &d, NULL, NULL, now_utc_ms);
}

/* --- result screens -------------------------------------------------------------------- */

/* Something went wrong that is not the diner's entitlement: what happened, in the banner, and
 * what to do (two lines: the cause in detail is in the event log). */
static void show_problem(kiosk_canteen *c, const char *headline, const char *advice,
                         const char *clip, int64_t now_mono_ms)
{
    view_begin(c, "result", KIOSK_LAYOUT_RESULT, KIOSK_TONE_ERROR);
    kiosk_view *v = &c->view;
    snprintf(v->headline, sizeof v->headline, "%s", headline);
    snprintf(v->advice, sizeof v->advice, "%s", advice);
    say(v, clip);
    show_for(c, STATE_RESULT, c->opts->result_seconds, now_mono_ms);
}

static void show_error(kiosk_canteen *c, const char *cause, int64_t now_mono_ms)
{
    show_problem(c, cause, W->error_advice, W->clip_error, now_mono_ms);
}

/* The meal already had today, as a figure: "午餐已在本点用过  11:30". */
static void add_previous(kiosk_canteen *c, const kiosk_decision *d, kiosk_view *v)
{
    const kiosk_meal_record *p = d->has_previous ? &d->previous : NULL;
    if (!p)
        return;
    bool here = strcmp(p->canteen_id, c->opts->site.canteen_id) == 0;
    char label[48];
    snprintf(label, sizeof label, "%s%s", _(kiosk_meal_type_label(p->meal_type)),
             here ? W->previous_here : W->previous_elsewhere);
    kiosk_figure *f = add_figure_text(v, label, false);
    if (f)
        snprintf(f->value, sizeof f->value, "%02d:%02d", p->at.minute_of_day / 60,
                 p->at.minute_of_day % 60);
}

/* The day's meal hours, a figure each: "午餐  11:00-13:00". */
static void add_meal_hours(const kiosk_policy *policy, kiosk_view *v)
{
    for (int t = 0; policy && t < KIOSK_MEAL_COUNT; t++) {
        int start, end;
        if (!kiosk_policy_meal_window(policy, (kiosk_meal_type)t, &start, &end))
            continue;
        kiosk_figure *f = add_figure_text(v, _(kiosk_meal_type_label((kiosk_meal_type)t)), false);
        if (f)
            snprintf(f->value, sizeof f->value, "%02d:%02d-%02d:%02d", start / 60, start % 60,
                     end / 60, end % 60);
    }
}

static void show_refusal(kiosk_canteen *c, identified_by by, const kiosk_holder *h,
                         const kiosk_decision *d, const kiosk_policy *policy, int64_t now_mono_ms)
{
    view_begin(c, "result", KIOSK_LAYOUT_RESULT, KIOSK_TONE_REFUSED);
    kiosk_view *v = &c->view;
    const canteen_reason_words *words = &canteen_reasons_tr()[d->reason];
    if (h)
        snprintf(v->name, sizeof v->name, "%s", h->name_masked);
    snprintf(v->headline, sizeof v->headline, "%s",
             d->reason == KIOSK_REASON_UNKNOWN_CARD && by == BY_ID_NUMBER ? W->unknown_id_headline
                                                                          : words->headline);
    say(v, words->clip);
    switch (d->reason) {
    case KIOSK_REASON_OUTSIDE_MEAL_HOURS:
        add_meal_hours(policy, v);
        break;
    case KIOSK_REASON_ALREADY_HAD_MEAL:
    case KIOSK_REASON_DAILY_LIMIT:
        add_previous(c, d, v);
        break;
    default:
        break;
    }
    if (d->full_price_allowed && d->price_fen > 0) {
        snprintf(v->advice, sizeof v->advice, "%s", W->full_price_offer);
        add_figure(v, W->full_price, d->price_fen, true);
        say(v, W->clip_full_price_ok);
    } else {
        snprintf(v->advice, sizeof v->advice, "%s", words->advice);
    }
    show_for(c, STATE_RESULT, c->opts->result_seconds, now_mono_ms);
}

static void show_success(kiosk_canteen *c, const kiosk_holder *h, const kiosk_decision *d,
                         int64_t now_mono_ms)
{
    view_begin(c, "result", KIOSK_LAYOUT_RESULT, KIOSK_TONE_SUCCESS);
    kiosk_view *v = &c->view;
    snprintf(v->headline, sizeof v->headline, "%s", W->ok_headline);
    /* The name and the meal on one line; the age band is for staff, not the diner. */
    snprintf(v->name, sizeof v->name, "%s · %s", h->name_masked,
             _(kiosk_meal_type_label(d->meal_type)));
    add_figure(v, W->price, d->price_fen, false);
    add_figure(v, W->subsidy, d->subsidy_fen, false);
    if (d->subsidy_fen > 0 && d->month_remaining_fen >= 0)
        add_figure(v, W->month_left, d->month_remaining_fen, false);
    add_figure(v, W->to_pay, d->pay_fen, true);
    if (d->pay_fen == 0) /* "免费" says it better than ¥0.00 */
        snprintf(v->figures[v->figure_count - 1].value, sizeof v->figures[0].value, "%s", W->free);
    snprintf(v->advice, sizeof v->advice, "%s",
             d->subsidy_fen == 0 ? W->no_subsidy[d->no_subsidy]
             : d->pay_fen > 0    ? W->pay_advice
                                 : W->take_advice);
    say(v, W->clip_meal_ok);
    if (d->subsidy_fen > 0) {
        say(v, W->clip_subsidy);
        say_amount(v, d->subsidy_fen);
    }
    if (d->pay_fen > 0) {
        say(v, W->clip_you_pay);
        say_amount(v, d->pay_fen);
    } else {
        say(v, W->clip_free_meal);
    }
    if (c->own.receipt == RECEIPT_ASK)
        add_button(v, "print", W->print_receipt, KIOSK_ROLE_SECONDARY);
    show_for(c, STATE_RESULT, c->opts->result_seconds, now_mono_ms);
    if (c->own.receipt == RECEIPT_ALWAYS)
        print_receipt(c);
}

/* The database is locked by another writer: tell the diner to wait, and try again shortly. */
static void show_waiting(kiosk_canteen *c, const uint8_t key[KIOSK_CARD_KEY_BYTES],
                         identified_by by, const kiosk_order *order, int64_t now_mono_ms)
{
    if (c->state != STATE_WAITING) {
        view_begin(c, "result", KIOSK_LAYOUT_RESULT, KIOSK_TONE_INFO);
        kiosk_view *v = &c->view;
        snprintf(v->headline, sizeof v->headline, "%s", W->wait_headline);
        snprintf(v->message, sizeof v->message, "%s", W->wait_message);
        snprintf(v->advice, sizeof v->advice, "%s", W->wait_advice);
        say(v, W->clip_please_wait);
        v->voice.serial++;
        memcpy(c->waiting_key, key, KIOSK_CARD_KEY_BYTES);
        c->waiting_by = by;
        c->waiting_order = *order;
        c->waiting_tries = BUSY_RETRIES;
        GO(c, STATE_WAITING);
    }
    c->deadline_mono_ms = now_mono_ms + BUSY_RETRY_MS;
}

/* --- the tap ------------------------------------------------------------------------------ */

static recent_tap *find_recent(kiosk_canteen *c, const uint8_t key[KIOSK_CARD_KEY_BYTES],
                               int64_t now_utc_ms)
{
    int64_t window_ms = (int64_t)c->opts->repeat_tap_seconds * 1000;
    for (size_t i = 0; i < RECENT_TAPS; i++) {
        recent_tap *r = &c->recent[i];
        int64_t since = now_utc_ms - r->utc_ms; /* negative after the clock was set back */
        if (r->used && since >= 0 && since < window_ms &&
            memcmp(r->card_key, key, KIOSK_CARD_KEY_BYTES) == 0)
            return r;
    }
    return NULL;
}

static void remember_tap(kiosk_canteen *c, const uint8_t key[KIOSK_CARD_KEY_BYTES],
                         int64_t now_utc_ms, const char *record_id)
{
    recent_tap *r = &c->recent[c->recent_next];
    c->recent_next = (c->recent_next + 1) % RECENT_TAPS;
    memcpy(r->card_key, key, KIOSK_CARD_KEY_BYTES);
    r->utc_ms = now_utc_ms;
    r->used = true;
    snprintf(r->record_id, sizeof r->record_id, "%s", record_id ? record_id : "");
    r->view = c->view;
}

static void remember_receipt(kiosk_canteen *c, const kiosk_holder *h, const kiosk_decision *d,
                             kiosk_local_time at)
{
    snprintf(c->receipt_name, sizeof c->receipt_name, "%s", h->name_masked);
    snprintf(c->receipt_class, sizeof c->receipt_class, "%s", d->class_label);
    c->receipt = (kiosk_receipt){
        .site_name = c->opts->site_name,
        .name_masked = c->receipt_name,
        .class_label = c->receipt_class,
        .meal_label = kiosk_meal_type_label(d->meal_type),
        .at = at,
        .price_fen = d->price_fen,
        .subsidy_fen = d->subsidy_fen,
        .pay_fen = d->pay_fen,
        .month_remaining_fen = d->month_remaining_fen,
        .record_id = c->last_record_id,
        .kiosk_id = c->opts->kiosk_id,
    };
    c->has_receipt = true;
}

/* Puts the last meal's receipt on the view's print intent, laid out for the printer's paper:
 * the app prints it when the serial changes. A receipt that cannot be laid out is not printed
 * (the meal stands; the screen already said everything). */
static void print_receipt(kiosk_canteen *c)
{
    kiosk_view *v = &c->view;
    if (!c->has_receipt ||
        kiosk_receipt_format_doc(&c->receipt, c->opts->paper_columns, &v->print.doc) != KIOSK_OK) {
        KLOG_WARN("the receipt could not be laid out for %d columns", c->opts->paper_columns);
        return;
    }
    v->print.serial++;
}

static bool has_button(const kiosk_view *v, const char *id)
{
    for (size_t i = 0; i < v->button_count; i++)
        if (strcmp(v->buttons[i].id, id) == 0)
            return true;
    return false;
}

/* Takes a button off the current view (the print button once it was pressed). */
static void remove_button(kiosk_view *v, const char *id)
{
    for (size_t i = 0; i < v->button_count; i++)
        if (strcmp(v->buttons[i].id, id) == 0) {
            memmove(&v->buttons[i], &v->buttons[i + 1],
                    (v->button_count - i - 1) * sizeof v->buttons[0]);
            v->button_count--;
            return;
        }
}

kiosk_rc kiosk_canteen_receipt(const kiosk_canteen *c, int columns, char *out, size_t size)
{
    if (!c->has_receipt) {
        if (size)
            out[0] = '\0';
        return KIOSK_ERR_NOT_FOUND;
    }
    return kiosk_receipt_format(&c->receipt, columns, out, size);
}

/* The same identity again within the repeat window: show the first result, record nothing. */
static bool show_repeat(kiosk_canteen *c, const uint8_t key[KIOSK_CARD_KEY_BYTES], kiosk_now now)
{
    recent_tap *again = find_recent(c, key, now.utc_ms);
    if (!again)
        return false;
    /* The first result's name and figures, but plainly a repeat: nothing new was recorded, and
     * a diner must not take it for a second meal. */
    unsigned voice_serial = c->view.voice.serial, print_serial = c->view.print.serial;
    c->view = again->view;
    c->view.voice.serial = voice_serial;
    c->view.print.serial = print_serial;
    c->view.voice.count = 0;
    c->view.button_count = 0;
    c->view.tone = KIOSK_TONE_INFO;
    snprintf(c->view.headline, sizeof c->view.headline, "%s", W->repeat_headline);
    snprintf(c->view.advice, sizeof c->view.advice, "%s", W->repeat_message);
    snprintf(c->view.screen, sizeof c->view.screen, "repeat");
    say(&c->view, W->clip_same_result);
    show_for(c, STATE_RESULT, c->opts->result_seconds, now.mono_ms);
    log_meal_event(c, "repeat", NULL, NULL, again->record_id, now.utc_ms);
    return true;
}

/* A store error on the tap path: a busy database is waited for, anything else is an error
 * screen (nothing was recorded, so nobody is told "success"). */
static void store_problem(kiosk_canteen *c, kiosk_rc rc, const uint8_t key[KIOSK_CARD_KEY_BYTES],
                          identified_by by, const kiosk_order *order, const kiosk_decision *d,
                          const char *message, kiosk_now now)
{
    if (rc == KIOSK_ERR_BUSY && (c->state != STATE_WAITING || c->waiting_tries > 0)) {
        show_waiting(c, key, by, order, now.mono_ms);
        return;
    }
    show_error(c,
               rc == KIOSK_ERR_FULL   ? W->error_disk_full
               : rc == KIOSK_ERR_GONE ? W->error_gone
                                      : message,
               now.mono_ms);
    log_meal_event(c, "error", d, order, NULL, now.utc_ms);
}

/* Lookup -> decision -> durable record -> screen, for a card or an ID number's keyed hash and
 * the meal ordered (the set meal, a menu item, a bill). */
static void serve(kiosk_canteen *c, const uint8_t key[KIOSK_CARD_KEY_BYTES], identified_by by,
                  const kiosk_order *order, kiosk_now now)
{
    if (c->state != STATE_WAITING && show_repeat(c, key, now))
        return;

    kiosk_holder holder;
    kiosk_rc rc = by == BY_CARD ? kiosk_store_find_card(c->store, key, &holder)
                                : kiosk_store_find_id_number(c->store, key, &holder);
    if (rc == KIOSK_ERR_NOT_FOUND) {
        kiosk_decision d = {.reason = KIOSK_REASON_UNKNOWN_CARD, .meal_type = KIOSK_MEAL_NONE};
        show_refusal(c, by, NULL, &d, NULL, now.mono_ms);
        log_reason_event(c, "refused", KIOSK_REASON_UNKNOWN_CARD, now.utc_ms);
        remember_tap(c, key, now.utc_ms, NULL);
        return;
    }
    if (rc != KIOSK_OK) {
        store_problem(c, rc, key, by, order, NULL, W->error_read, now);
        return;
    }

    kiosk_local_time at = kiosk_clock_local(now.utc_ms);
    const kiosk_policy *policy = kiosk_policy_set_in_force(c->policies, at.date);
    kiosk_meal_summary earlier;
    rc = kiosk_store_meal_summary(c->store, holder.person_id, at.date, &earlier);
    if (rc != KIOSK_OK) {
        store_problem(c, rc, key, by, order, NULL, W->error_read, now);
        return;
    }
    kiosk_decision d =
        kiosk_policy_decide(policy, &holder.person, by == BY_CARD ? &holder.card : NULL,
                            &c->opts->site, &earlier, at, order);
    if (!d.approved) {
        show_refusal(c, by, &holder, &d, policy, now.mono_ms);
        log_meal_event(c, "refused", &d, order, NULL, now.utc_ms);
        remember_tap(c, key, now.utc_ms, NULL);
        return;
    }

    /* Out of touch with the server for longer than [sync] offline_after_s: the record says so,
     * and past the site's limit a subsidised meal waits for staff (another kiosk may have
     * served this diner meanwhile). */
    bool offline = c->sync && c->sync->offline_records;
    if (offline && d.subsidy_fen > 0 && c->opts->offline_meal_limit > 0) {
        long made = 0;
        bool may = false; /* staff may have allowed more (staff mode, staff_store.h) */
        rc = kiosk_store_sync_offline_pending(c->store, &made);
        if (rc == KIOSK_OK)
            rc = kiosk_store_offline_may_serve(c->store, made, c->opts->offline_meal_limit, &may);
        if (rc != KIOSK_OK) {
            store_problem(c, rc, key, by, order, &d, W->error_read, now);
            return;
        }
        if (!may) {
            show_problem(c, W->offline_limit_headline, W->error_advice, W->clip_see_staff,
                         now.mono_ms);
            snprintf(c->view.name, sizeof c->view.name, "%s", holder.name_masked);
            json_t *o = event_new(c, "refused", now.utc_ms);
            if (o)
                json_object_set_new(o, "reason", json_string("offline_limit"));
            event_write(c, o);
            remember_tap(c, key, now.utc_ms, NULL);
            return;
        }
    }

    kiosk_meal_entry meal = {
        .offline = offline,
        .offline_age_s = !offline ? -1
                         : c->sync->last_ok_mono_ms >= 0
                             ? (now.mono_ms - c->sync->last_ok_mono_ms) / 1000
                         : c->sync->last_ok_ms >= 0 ? (now.utc_ms - c->sync->last_ok_ms) / 1000
                                                    : -1,
        .record_id = kiosk_recid_new(now.utc_ms),
        .has_card = by == BY_CARD,
        .created_utc_ms = now.utc_ms,
        .at = at,
        .decision = d,
        .order = *order,
    };
    if (by == BY_CARD)
        memcpy(meal.card_key, key, KIOSK_CARD_KEY_BYTES);
    snprintf(meal.person_id, sizeof meal.person_id, "%s", holder.person_id);
    snprintf(meal.kiosk_id, sizeof meal.kiosk_id, "%s", c->opts->kiosk_id);
    snprintf(meal.canteen_id, sizeof meal.canteen_id, "%s", c->opts->site.canteen_id);
    rc = kiosk_store_add_meal(c->store, &meal);
    if (rc != KIOSK_OK) {
        store_problem(c, rc, key, by, order, &d, W->error_not_saved, now);
        return;
    }
    kiosk_recid_format(&meal.record_id, c->last_record_id);
    remember_receipt(c, &holder, &d, at);
    show_success(c, &holder, &d, now.mono_ms);
    log_meal_event(c, "approved", &d, order, c->last_record_id, now.utc_ms);
    remember_tap(c, key, now.utc_ms, c->last_record_id);
}

/* A diner identified by key: served at once with the order that is ready (set meal, or the
 * bill or menu item waiting for the card); in bill mode without a bill, asked for it first; in
 * menu mode without a choice, kept while the diner chooses. */
static void diner_arrived(kiosk_canteen *c, const uint8_t key[KIOSK_CARD_KEY_BYTES],
                          identified_by by, kiosk_now now)
{
    if (c->state == STATE_WAITING)
        c->state = STATE_IDLE; /* a new tap replaces a wait */
    kiosk_order order = {.source = KIOSK_PRICE_SET};
    if (c->own.mode != PRICING_SET && !c->has_order) {
        if (show_repeat(c, key, now))
            return;
        if (c->own.mode == PRICING_BILL) {
            show_problem(c, W->bill_first_headline, W->bill_first_message, W->clip_see_staff,
                         now.mono_ms);
            c->view.tone = KIOSK_TONE_INFO;
            return;
        }
        memcpy(c->pending_key, key, KIOSK_CARD_KEY_BYTES);
        c->pending_by = by;
        view_begin(c, "menu", KIOSK_LAYOUT_FORM, KIOSK_TONE_INFO);
        snprintf(c->view.headline, sizeof c->view.headline, "%s", W->menu_headline);
        snprintf(c->view.message, sizeof c->view.message, "%s", W->menu_after_tap_message);
        add_menu_buttons(c, &c->view);
        add_button(&c->view, "back", W->back, KIOSK_ROLE_NAV);
        c->view.voice.serial++;
        c->deadline_mono_ms = now.mono_ms + (int64_t)ORDER_SECONDS * 1000;
        GO(c, STATE_MENU_AFTER_TAP);
        return;
    }
    if (c->has_order)
        order = c->order;
    clear_order(c);
    serve(c, key, by, &order, now);
}

void kiosk_canteen_on_card(kiosk_canteen *c, const kiosk_card *card, kiosk_now now)
{
    uint8_t key[KIOSK_CARD_KEY_BYTES];
    kiosk_store_card_key(c->store, card->uid, card->uid_len, key);
    diner_arrived(c, key, BY_CARD, now);
}

void kiosk_canteen_on_idcard(kiosk_canteen *c, const kiosk_idcard *id, kiosk_now now)
{
    kiosk_idnum num;
    kiosk_idnum_result r =
        kiosk_idnum_validate(id->number, kiosk_clock_local(now.utc_ms).date, &num);
    if (r != KIOSK_IDNUM_OK) {
        /* A misread: the certified reader checks the chip, so ask for the card again. */
        show_problem(c, W->misread_headline, W->misread_advice, W->clip_id_again, now.mono_ms);
        json_t *o = event_new(c, "error", now.utc_ms);
        if (o)
            json_object_set_new(o, "reason", json_string(kiosk_idnum_result_code(r)));
        event_write(c, o);
        return;
    }
    uint8_t key[KIOSK_CARD_KEY_BYTES];
    kiosk_store_id_number_key(c->store, num.number, key);
    sodium_memzero(&num, sizeof num);
    diner_arrived(c, key, BY_ID_NUMBER, now);
    sodium_memzero(key, sizeof key);
}

void kiosk_canteen_on_idcard_error(kiosk_canteen *c, const char *reason, kiosk_now now)
{
    show_problem(c, W->misread_headline, W->misread_advice, W->clip_id_again, now.mono_ms);
    json_t *o = event_new(c, "error", now.utc_ms);
    if (o) {
        json_object_set_new(o, "reason", json_string("idcard_unreadable"));
        json_object_set_new(o, "detail", json_string(reason ? reason : ""));
    }
    event_write(c, o);
}

void kiosk_canteen_on_bill(kiosk_canteen *c, int64_t fen, kiosk_now now)
{
    if (c->own.mode != PRICING_BILL || fen <= 0 || c->state == STATE_WAITING) {
        KLOG_WARN("bill ignored (%s)", c->own.mode != PRICING_BILL ? "pricing is not bill"
                                       : fen <= 0                  ? "not above 0"
                                                                   : "a tap is being saved");
        return;
    }
    clear_order(c);
    c->order = (kiosk_order){.source = KIOSK_PRICE_BILL, .price_fen = fen};
    c->has_order = true;
    hold_order(c, now.mono_ms);
}

void kiosk_canteen_on_tick(kiosk_canteen *c, kiosk_now now)
{
    if (c->deadline_mono_ms == INT64_MAX || now.mono_ms < c->deadline_mono_ms) {
        if (c->deadline_mono_ms != INT64_MAX && c->state != STATE_WAITING)
            c->view.countdown_s =
                c->view.countdown_s ? (int)((c->deadline_mono_ms - now.mono_ms + 999) / 1000) : 0;
        return;
    }
    if (c->state == STATE_WAITING) {
        c->waiting_tries--;
        uint8_t key[KIOSK_CARD_KEY_BYTES];
        memcpy(key, c->waiting_key, sizeof key);
        kiosk_order order = c->waiting_order;
        serve(c, key, c->waiting_by, &order, now);
        sodium_memzero(key, sizeof key);
        return;
    }
    /* A bill, a menu choice or a card waiting for its choice lapses with its screen. */
    clear_order(c);
    sodium_memzero(c->pending_key, sizeof c->pending_key);
    show_idle(c);
}

/* --- touches ------------------------------------------------------------------------------ */

static void show_help(kiosk_canteen *c, int64_t now_mono_ms)
{
    view_begin(c, "help", KIOSK_LAYOUT_RESULT, KIOSK_TONE_INFO);
    kiosk_view *v = &c->view;
    snprintf(v->headline, sizeof v->headline, "%s", W->help_headline);
    snprintf(v->message, sizeof v->message, "%s", W->help_message);
    snprintf(v->advice, sizeof v->advice, "%s", W->help_advice);
    say(v, W->clip_tap_card);
    say(v, W->clip_see_staff);
    show_for(c, STATE_RESULT, HELP_SECONDS, now_mono_ms);
}

/* The bill keypad: digits, backspace, confirm. */
static void bill_key(kiosk_canteen *c, const char *widget, kiosk_now now)
{
    if (!kiosk_keypad_type(c->bill_digits, BILL_DIGITS, widget, KIOSK_KEYPAD_NO_LEADING_ZERO) &&
        strcmp(widget, "confirm") == 0 && typed_fen(c) > 0) {
        kiosk_canteen_on_bill(c, typed_fen(c), now);
        return;
    }
    show_idle(c);
}

/* A menu button: "menu1".."menu6". */
static void menu_choice(kiosk_canteen *c, const char *widget, kiosk_now now)
{
    size_t i = (size_t)(widget[4] - '1');
    if (strlen(widget) != 5 || widget[4] < '1' || i >= c->own.menu_count)
        return;
    c->order = (kiosk_order){.source = KIOSK_PRICE_MENU, .price_fen = c->own.menu[i].price_fen};
    snprintf(c->order.item, sizeof c->order.item, "%s", c->own.menu[i].name);
    if (c->state == STATE_MENU_AFTER_TAP) {
        /* The card came first: serve it now with this choice. */
        uint8_t key[KIOSK_CARD_KEY_BYTES];
        memcpy(key, c->pending_key, sizeof key);
        sodium_memzero(c->pending_key, sizeof c->pending_key);
        kiosk_order order = c->order;
        clear_order(c);
        serve(c, key, c->pending_by, &order, now);
        sodium_memzero(key, sizeof key);
        return;
    }
    c->has_order = true;
    hold_order(c, now.mono_ms);
}

void kiosk_canteen_on_press(kiosk_canteen *c, const char *widget, kiosk_now now)
{
    bool idle = c->state == STATE_IDLE;
    if (strcmp(widget, "back") == 0 && c->state != STATE_IDLE && c->state != STATE_WAITING) {
        clear_order(c);
        sodium_memzero(c->pending_key, sizeof c->pending_key);
        show_idle(c);
    } else if (strcmp(widget, "change") == 0 &&
               (c->state == STATE_BILL_READY || c->state == STATE_MENU_CHOSEN)) {
        clear_order(c);
        show_idle(c);
    } else if (strcmp(widget, "print") == 0 && c->state == STATE_RESULT &&
               c->own.receipt == RECEIPT_ASK && has_button(&c->view, "print")) {
        print_receipt(c); /* once: the button goes */
        remove_button(&c->view, "print");
    } else if (strcmp(widget, "help") == 0 && (idle || c->state == STATE_RESULT)) {
        show_help(c, now.mono_ms);
    } else if (idle && c->own.mode == PRICING_BILL) {
        bill_key(c, widget, now);
    } else if (strncmp(widget, "menu", 4) == 0 &&
               (idle || c->state == STATE_MENU_CHOSEN || c->state == STATE_MENU_AFTER_TAP) &&
               c->own.mode == PRICING_MENU) {
        menu_choice(c, widget, now);
    } else {
        KLOG_DEBUG("press %s ignored in state %s", widget, state_names[c->state]);
    }
}

/* --- settings ------------------------------------------------------------------------------ */

/* Reads [canteen]: pricing = set | menu | bill; menu1..menu6 = NAME:FEN. */
static kiosk_rc parse_options(const kiosk_settings *section, canteen_options *out, char *err,
                              size_t err_size)
{
    memset(out, 0, sizeof *out);
    for (size_t i = 0; section && i < section->count; i++) {
        const char *key = section->items[i].key, *value = section->items[i].value;
        if (strcmp(key, "pricing") == 0) {
            if (strcmp(value, "set") == 0)
                out->mode = PRICING_SET;
            else if (strcmp(value, "menu") == 0)
                out->mode = PRICING_MENU;
            else if (strcmp(value, "bill") == 0)
                out->mode = PRICING_BILL;
            else
                return kiosk_fail(KIOSK_ERR_CONFIG, err, err_size,
                                  "pricing must be set, menu or bill, not '%s'", value);
        } else if (strcmp(key, "receipt") == 0) {
            if (strcmp(value, "never") == 0)
                out->receipt = RECEIPT_NEVER;
            else if (strcmp(value, "ask") == 0)
                out->receipt = RECEIPT_ASK;
            else if (strcmp(value, "always") == 0)
                out->receipt = RECEIPT_ALWAYS;
            else
                return kiosk_fail(KIOSK_ERR_CONFIG, err, err_size,
                                  "receipt must be never, ask or always, not '%s'", value);
        } else if (strncmp(key, "menu", 4) == 0 && key[4] >= '1' && key[4] <= '6' && !key[5]) {
            menu_item *m = &out->menu[key[4] - '1'];
            const char *colon = strrchr(value, ':');
            char *end = NULL;
            long long fen = colon ? strtoll(colon + 1, &end, 10) : -1;
            size_t name_len = colon ? (size_t)(colon - value) : 0;
            if (!colon || name_len == 0 || name_len >= sizeof m->name || !end || *end ||
                end == colon + 1 || fen <= 0 || fen > 99999999)
                return kiosk_fail(KIOSK_ERR_CONFIG, err, err_size,
                                  "%s must be NAME:PRICE_IN_FEN, e.g. A套餐:1200, not '%s'", key,
                                  value);
            memcpy(m->name, value, name_len);
            m->name[name_len] = '\0';
            m->price_fen = fen;
        } else {
            return kiosk_fail(KIOSK_ERR_CONFIG, err, err_size,
                              "unknown setting '%s' (pricing, menu1 .. menu6, receipt)", key);
        }
    }
    /* The menu is the items in order, without holes. */
    for (size_t i = 0; i < MENU_ITEMS && out->menu[i].name[0]; i++)
        out->menu_count = i + 1;
    for (size_t i = out->menu_count; i < MENU_ITEMS; i++)
        if (out->menu[i].name[0])
            return kiosk_fail(KIOSK_ERR_CONFIG, err, err_size,
                              "menu%zu is set but menu%zu is not: number the items from 1", i + 1,
                              out->menu_count + 1);
    if (out->mode == PRICING_MENU && out->menu_count == 0)
        return kiosk_fail(KIOSK_ERR_CONFIG, err, err_size,
                          "pricing = menu needs at least menu1 = NAME:PRICE_IN_FEN");
    return KIOSK_OK;
}

static kiosk_rc flow_check_settings(const kiosk_settings *section, char *err, size_t err_size)
{
    canteen_options o;
    return parse_options(section, &o, err, err_size);
}

/* --- the flow's ops table ----------------------------------------------------------------- */

static kiosk_rc flow_create(const kiosk_flow_env *env, void **self, char *err, size_t err_size)
{
    canteen_options own;
    kiosk_settings section = kiosk_flow_section(env, "canteen");
    kiosk_rc rc = parse_options(&section, &own, err, err_size);
    if (rc != KIOSK_OK)
        return rc;
    if (own.receipt != RECEIPT_NEVER && (!env->settings || env->settings->paper_columns <= 0))
        return kiosk_fail(KIOSK_ERR_CONFIG, err, err_size,
                          "[canteen] receipt = %s needs a receipt printer ([printer] device)",
                          own.receipt == RECEIPT_ASK ? "ask" : "always");
    *self = kiosk_canteen_new(env);
    return *self ? KIOSK_OK : kiosk_fail(KIOSK_ERR_NOMEM, err, err_size, "out of memory");
}

static void flow_destroy(void *self)
{
    kiosk_canteen_free(self);
}

static kiosk_flow_next flow_card(void *self, const kiosk_card *card, kiosk_now now)
{
    kiosk_canteen_on_card(self, card, now);
    return KIOSK_FLOW_STAY;
}

static kiosk_flow_next flow_idcard(void *self, const kiosk_idcard *id, kiosk_now now)
{
    kiosk_canteen_on_idcard(self, id, now);
    return KIOSK_FLOW_STAY;
}

static kiosk_flow_next flow_idcard_error(void *self, const char *reason, kiosk_now now)
{
    kiosk_canteen_on_idcard_error(self, reason, now);
    return KIOSK_FLOW_STAY;
}

static kiosk_flow_next flow_bill(void *self, int64_t fen, kiosk_now now)
{
    kiosk_canteen_on_bill(self, fen, now);
    return KIOSK_FLOW_STAY;
}

static kiosk_flow_next flow_press(void *self, const char *widget, kiosk_now now)
{
    kiosk_canteen_on_press(self, widget, now);
    return KIOSK_FLOW_STAY;
}

static kiosk_flow_next flow_tick(void *self, kiosk_now now)
{
    kiosk_canteen_on_tick(self, now);
    return KIOSK_FLOW_STAY;
}

static int64_t flow_deadline(const void *self)
{
    return kiosk_canteen_deadline(self);
}

static const kiosk_view *flow_view(const void *self)
{
    return kiosk_canteen_view(self);
}

const kiosk_flow_ops kiosk_canteen_flow = {
    .name = "canteen",
    .base = true,
    .needs_store = true,
    .check_settings = flow_check_settings,
    .create = flow_create,
    .destroy = flow_destroy,
    .on_card = flow_card,
    .on_idcard = flow_idcard,
    .on_idcard_error = flow_idcard_error,
    .on_bill = flow_bill,
    .on_press = flow_press,
    .on_tick = flow_tick,
    .deadline = flow_deadline,
    .view = flow_view,
    .clips = canteen_clips,
};
