/* staff_flow.c - see staff_flow.h. Every action goes through staff_store.h, which refuses what
 * the member's role may not do and writes the audit entry; the menu only hides those actions. */
#include "staff_flow.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "canteen_words.h"
#include "clock.h"
#include "hall.h"
#include "help_call.h"
#include "i18n.h"
#include "idnum.h"
#include "keypad.h"
#include "log.h"
#include "marriage_flow.h"
#include "money.h"
#include "receipt.h"
#include "staff_serve.h"
#include "staff_store.h"
#include "staff_words.h"
#define KIOSK_LOG_MODULE "staff"

#define STAFF_STATES(X) \
    X(DORMANT)          \
    X(CARD_PROMPT)      \
    X(PIN)              \
    X(LOCKED)           \
    X(MENU)             \
    X(DAY_VIEW)         \
    X(VOID_LIST)        \
    X(VOID_REASON)      \
    X(SERVE)            \
    X(OVERRIDE_REASON)  \
    X(OVERRIDE_CARD)    \
    X(MANUAL_BIRTH)     \
    X(MANUAL_LIST)      \
    X(MANUAL_REASON)    \
    X(BILL_AMOUNT)      \
    X(BILL_REASON)      \
    X(BILL_NEXT)        \
    X(WALKIN_SERVICE)   \
    X(WALKIN_LANE)      \
    X(WALKIN_ID)        \
    X(STATUS)           \
    X(SETTINGS)         \
    X(CALL_COUNTER)     \
    X(NOTICE)           \
    X(OUT_OF_SERVICE)

typedef enum staff_state {
#define STAFF_STATE_ENUM(name) STATE_##name,
    STAFF_STATES(STAFF_STATE_ENUM)
#undef STAFF_STATE_ENUM
} staff_state;

static const char *const state_names[] = {
#define STAFF_STATE_NAME(name) #name,
    STAFF_STATES(STAFF_STATE_NAME)
#undef STAFF_STATE_NAME
};

#define REASONS_MAX    6
#define VOID_CHOICES   6
#define LOCKED_SECONDS 10
#define PROMPT_SECONDS 20 /* 请刷工作人员卡 after a long press in the corner */
#define MANUAL_CHOICES 6
#define BILL_DIGITS    6  /* up to ¥9999.99, as the canteen's bill keypad */
#define VOLUME_STEP    10 /* one press of - or +: a change staff hear at once */

/* What today's meal list is for. */
typedef enum meal_list_use { LIST_VOID, LIST_REPRINT, LIST_BILL } meal_list_use;
/* A translation keeps the codes before each colon. */
#define DEFAULT_REASONS N_("wrong_person:刷错人;wrong_meal:餐次错误;duplicate:重复刷卡;other:其他")

typedef struct reason {
    char code[32];
    char label[KIOSK_BUTTON_LABEL_MAX];
} reason;

typedef struct staff_options {
    int64_t lockout_ms;
    int timeout_s;
    reason reasons[REASONS_MAX];
    size_t reason_count;
    int counters;      /* the hall's counters staff call the next number to */
    bool bill_pricing; /* [canteen] pricing = bill: staff may type the bill for the next tap */
} staff_options;

/* The menu, in the order shown: the actions this version carries out. */
/* Sync now and leaving to the OS are on the status screen, beside the device's state, and 放行
 * shares 代办就餐 with 无卡登记 (KIOSK_STAFF_OVERRIDE stands for both): the menu holds at most
 * six. */
static const kiosk_staff_action menu_actions[] = {
    KIOSK_STAFF_DAY_VIEW, KIOSK_STAFF_VOID_MEAL, KIOSK_STAFF_OVERRIDE, KIOSK_STAFF_CALL_NEXT,
    KIOSK_STAFF_WALK_IN,  KIOSK_STAFF_STATUS,    KIOSK_STAFF_REPRINT,  KIOSK_STAFF_OUT_OF_SERVICE,
};

typedef struct staff_flow {
    /* The creator's env is a copy of its own (app.c's lives on its stack); what it points to is
     * borrowed for the flow's lifetime. */
    kiosk_flow_env env_copy;
    const kiosk_flow_env *env; /* &env_copy */
    kiosk_store *store;
    staff_options opts;
    staff_state state;
    kiosk_view view;
    uint8_t card_key[KIOSK_CARD_KEY_BYTES]; /* the staff card tapped */
    kiosk_staff_member member;
    bool signed_in;
    bool out_of_service; /* put out of service by staff: kept until staff resume it */
    char pin[KIOSK_PIN_MAX + 1];
    char pin_note[64]; /* under the keypad: wrong PIN, too short */
    int64_t deadline_mono_ms;
    kiosk_day_meal meals[VOID_CHOICES];
    size_t meal_count;
    size_t chosen;
    meal_list_use list_for;
    char bill_digits[BILL_DIGITS + 1]; /* 更正账单 and 录入账单: the amount, in fen */
    int64_t bill_next_fen; /* 录入账单: typed and audited, handed to the canteen on leaving */
    /* 现场取号 on a marriage hall's kiosk: the hall's own flow issues (its numbering, prefixes,
     * ticket and print), the service and lane chosen, the ID number being typed (wiped once
     * read: only the legal-age flag is kept) and which party it is. */
    kiosk_marriage *hall;
    kiosk_service walk_service;
    kiosk_lane walk_lane;
    char id_typed[KIOSK_IDNUM_LEN + 1];
    char id_note[128];
    int walk_party;
    bool walk_under_age;
    size_t reason_chosen; /* an override's reason, while the diner's card is awaited */
    /* 无卡登记: the birth date typed, the persons found, the one chosen. */
    char birth_digits[9];
    char birth_note[64];
    kiosk_person_hit hits[MANUAL_CHOICES];
    size_t hit_count, hit_total, hit_chosen;
} staff_flow;

#define W (staff_text_tr())

static void transition(staff_flow *s, staff_state next, int line)
{
    if (s->state != next)
        KLOG_DEBUG("-> [%s] (line %d)", state_names[next], line);
    s->state = next;
}
#define GO(s, next) transition((s), (next), __LINE__)

/* --- settings ------------------------------------------------------------------------------ */

static kiosk_rc parse_reasons(const char *text, staff_options *o, char *err, size_t err_size)
{
    o->reason_count = 0;
    const char *p = text;
    while (*p) {
        const char *end = strchr(p, ';');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        const char *colon = memchr(p, ':', len);
        if (len) {
            size_t code_len = colon ? (size_t)(colon - p) : 0;
            size_t label_len = colon ? len - code_len - 1 : 0;
            if (o->reason_count == REASONS_MAX)
                return kiosk_fail(KIOSK_ERR_CONFIG, err, err_size, "reasons: at most %d",
                                  REASONS_MAX);
            if (!colon || code_len == 0 || code_len >= sizeof o->reasons[0].code ||
                label_len == 0 || label_len >= sizeof o->reasons[0].label)
                return kiosk_fail(KIOSK_ERR_CONFIG, err, err_size,
                                  "reasons: each is code:label (code 1-31 of a-z, 0-9, '_'),"
                                  " separated by ';'");
            for (size_t i = 0; i < code_len; i++)
                if (!((p[i] >= 'a' && p[i] <= 'z') || (p[i] >= '0' && p[i] <= '9') || p[i] == '_'))
                    return kiosk_fail(KIOSK_ERR_CONFIG, err, err_size,
                                      "reasons: a code is of a-z, 0-9 and '_'");
            reason *r = &o->reasons[o->reason_count++];
            memcpy(r->code, p, code_len);
            r->code[code_len] = '\0';
            memcpy(r->label, colon + 1, label_len);
            r->label[label_len] = '\0';
        }
        p += len;
        if (*p == ';')
            p++;
    }
    if (!o->reason_count)
        return kiosk_fail(KIOSK_ERR_CONFIG, err, err_size, "reasons: at least one");
    return KIOSK_OK;
}

static bool read_int(const char *value, int lo, int hi, int *out)
{
    char *end;
    long v = strtol(value, &end, 10);
    if (!value[0] || *end || v < lo || v > hi)
        return false;
    *out = (int)v;
    return true;
}

static kiosk_rc parse_options(const kiosk_settings *section, staff_options *o, char *err,
                              size_t err_size)
{
    memset(o, 0, sizeof *o);
    o->lockout_ms = 5 * 60 * 1000;
    o->timeout_s = 60;
    o->counters = 4;
    kiosk_rc rc = parse_reasons(_(DEFAULT_REASONS), o, err, err_size);
    for (size_t i = 0; rc == KIOSK_OK && section && i < section->count; i++) {
        const char *key = section->items[i].key, *value = section->items[i].value;
        int n;
        if (strcmp(key, "lockout_minutes") == 0) {
            if (!read_int(value, 1, 1440, &n))
                return kiosk_fail(KIOSK_ERR_CONFIG, err, err_size,
                                  "lockout_minutes must be 1 to 1440, not '%s'", value);
            o->lockout_ms = (int64_t)n * 60 * 1000;
        } else if (strcmp(key, "timeout_seconds") == 0) {
            if (!read_int(value, 15, 600, &o->timeout_s))
                return kiosk_fail(KIOSK_ERR_CONFIG, err, err_size,
                                  "timeout_seconds must be 15 to 600, not '%s'", value);
        } else if (strcmp(key, "counters") == 0) {
            if (!read_int(value, 1, 6, &o->counters))
                return kiosk_fail(KIOSK_ERR_CONFIG, err, err_size,
                                  "counters must be 1 to 6, not '%s'", value);
        } else if (strcmp(key, "reasons") == 0) {
            rc = parse_reasons(value, o, err, err_size);
        } else {
            return kiosk_fail(
                KIOSK_ERR_CONFIG, err, err_size,
                "unknown key '%s' (lockout_minutes, timeout_seconds, reasons, counters)", key);
        }
    }
    return rc;
}

static kiosk_rc staff_check_settings(const kiosk_settings *section, char *err, size_t err_size)
{
    staff_options o;
    return parse_options(section, &o, err, err_size);
}

/* --- the view ------------------------------------------------------------------------------ */

static void add_button(kiosk_view *v, const char *id, const char *label, kiosk_role role)
{
    if (v->button_count == KIOSK_VIEW_BUTTONS)
        return;
    kiosk_button *b = &v->buttons[v->button_count++];
    snprintf(b->id, sizeof b->id, "%s", id);
    snprintf(b->label, sizeof b->label, "%s", label);
    b->role = role;
}

static void view_begin(staff_flow *s, const char *screen, kiosk_layout layout, kiosk_tone tone)
{
    kiosk_view *v = &s->view;
    unsigned voice_serial = v->voice.serial, print_serial = v->print.serial;
    kiosk_request req = v->request;
    memset(v, 0, sizeof *v);
    v->voice.serial = voice_serial;
    v->print.serial = print_serial;
    v->request = req;
    snprintf(v->title, sizeof v->title, "%s · %s",
             s->env && s->env->settings ? s->env->settings->site_name : "", W->title_suffix);
    snprintf(v->screen, sizeof v->screen, "%s", screen);
    v->layout = layout;
    v->tone = tone;
}

static const char *role_word(kiosk_staff_role role)
{
    return W->role[role == KIOSK_STAFF_SUPERVISOR];
}

static void touched(staff_flow *s, kiosk_now now)
{
    s->deadline_mono_ms = now.mono_ms + (int64_t)s->opts.timeout_s * 1000;
}

/* The large keypad every staff form uses (PIN, amounts, dates, ID numbers) with its two action
 * keys' words; the caller fills what it shows as typed. */
static void show_keypad(kiosk_view *v)
{
    v->keypad.shown = true;
    snprintf(v->keypad.backspace_label, sizeof v->keypad.backspace_label, "%s", W->pin_backspace);
    snprintf(v->keypad.confirm_label, sizeof v->keypad.confirm_label, "%s", W->pin_confirm);
}

static void show_pin(staff_flow *s)
{
    view_begin(s, "staff_pin", KIOSK_LAYOUT_FORM, KIOSK_TONE_INFO);
    kiosk_view *v = &s->view;
    snprintf(v->headline, sizeof v->headline, "%s", W->pin_headline);
    snprintf(v->message, sizeof v->message, "%s · %s", s->member.name_masked,
             role_word(s->member.role));
    snprintf(v->advice, sizeof v->advice, "%s", s->pin_note);
    show_keypad(v);
    /* Only as many dots as digits: the PIN itself never reaches the screen. */
    size_t n = strlen(s->pin);
    for (size_t i = 0; i < n && strlen(v->keypad.value) + 3 < sizeof v->keypad.value; i++)
        strcat(v->keypad.value, "●");
    add_button(v, "leave", W->cancel, KIOSK_ROLE_NAV);
    GO(s, STATE_PIN);
}

/* A long press in the corner: the screen asks for a staff card, and goes back by itself. Nothing
 * is recorded: nobody has signed in. */
static void show_card_prompt(staff_flow *s, kiosk_now now)
{
    view_begin(s, "staff_card_prompt", KIOSK_LAYOUT_RESULT, KIOSK_TONE_INFO);
    kiosk_view *v = &s->view;
    snprintf(v->headline, sizeof v->headline, "%s", W->card_prompt_headline);
    snprintf(v->message, sizeof v->message, "%s", W->card_prompt_message);
    v->countdown_s = PROMPT_SECONDS;
    add_button(v, "leave", W->back, KIOSK_ROLE_NAV);
    s->deadline_mono_ms = now.mono_ms + PROMPT_SECONDS * 1000;
    GO(s, STATE_CARD_PROMPT);
}

static void show_locked(staff_flow *s, int64_t until_ms, kiosk_now now)
{
    view_begin(s, "staff_locked", KIOSK_LAYOUT_RESULT, KIOSK_TONE_REFUSED);
    kiosk_view *v = &s->view;
    kiosk_local_time at = kiosk_clock_local(until_ms + 59999); /* the minute it is open again */
    snprintf(v->headline, sizeof v->headline, "%s", W->locked_headline);
    snprintf(v->message, sizeof v->message, "%s%02d:%02d%s", W->locked_message,
             at.minute_of_day / 60, at.minute_of_day % 60, W->locked_after);
    snprintf(v->advice, sizeof v->advice, "%s", W->locked_advice);
    v->countdown_s = LOCKED_SECONDS;
    add_button(v, "leave", W->back, KIOSK_ROLE_NAV);
    s->deadline_mono_ms = now.mono_ms + LOCKED_SECONDS * 1000;
    GO(s, STATE_LOCKED);
}

static kiosk_staff_actor actor(const staff_flow *s)
{
    kiosk_staff_actor a = {.role = s->member.role};
    snprintf(a.staff_id, sizeof a.staff_id, "%s", s->member.staff_id);
    snprintf(a.kiosk_id, sizeof a.kiosk_id, "%s",
             s->env && s->env->settings ? s->env->settings->kiosk_id : "");
    return a;
}

static bool has_printer(const staff_flow *s)
{
    return s->env && s->env->settings && s->env->settings->paper_columns > 0;
}

/* The canteen's actions (meals) and the marriage hall's (the queue) each on their own kiosks. */
static bool offered_here(const staff_flow *s, kiosk_staff_action a)
{
    const char *mode = s->env->settings->mode;
    bool canteen = !mode[0] || strcmp(mode, "canteen") == 0;
    bool hall = strcmp(mode, "marriage") == 0;
    switch (a) {
    case KIOSK_STAFF_DAY_VIEW:
    case KIOSK_STAFF_VOID_MEAL:
    case KIOSK_STAFF_OVERRIDE:
    case KIOSK_STAFF_MANUAL_MEAL:
        return canteen;
    case KIOSK_STAFF_REPRINT:
        return canteen && has_printer(s);
    case KIOSK_STAFF_CALL_NEXT:
        return hall;
    case KIOSK_STAFF_WALK_IN:
        return hall && s->hall;
    default:
        return true;
    }
}

static void show_menu(staff_flow *s)
{
    view_begin(s, "staff_menu", KIOSK_LAYOUT_FORM, KIOSK_TONE_INFO);
    kiosk_view *v = &s->view;
    snprintf(v->headline, sizeof v->headline, "%s", W->menu_headline);
    snprintf(v->message, sizeof v->message, "%s · %s", s->member.name_masked,
             role_word(s->member.role));
    /* Out of service, resuming comes first and takes the place of putting it out of service:
     * at most six choices, so each stays large on the smallest screen. */
    if (s->out_of_service)
        add_button(v, "resume", W->resume, KIOSK_ROLE_PRIMARY);
    for (size_t i = 0; i < sizeof menu_actions / sizeof menu_actions[0]; i++)
        if (menu_actions[i] == KIOSK_STAFF_OVERRIDE) {
            if (offered_here(s, KIOSK_STAFF_OVERRIDE) &&
                (kiosk_staff_may(s->member.role, KIOSK_STAFF_OVERRIDE) ||
                 kiosk_staff_may(s->member.role, KIOSK_STAFF_MANUAL_MEAL)))
                add_button(v, "serve", W->serve, KIOSK_ROLE_SECONDARY);
        } else if (kiosk_staff_may(s->member.role, menu_actions[i]) &&
                   !(s->out_of_service && menu_actions[i] == KIOSK_STAFF_OUT_OF_SERVICE) &&
                   offered_here(s, menu_actions[i]))
            add_button(v, kiosk_staff_action_name(menu_actions[i]), W->action[menu_actions[i]],
                       KIOSK_ROLE_SECONDARY);
    add_button(v, "leave", W->leave, KIOSK_ROLE_NAV);
    GO(s, STATE_MENU);
}

/* A short notice (done, refused, failed), then back to the menu with "back". */
static void show_notice(staff_flow *s, kiosk_tone tone, const char *headline, const char *message)
{
    view_begin(s, "staff_notice", KIOSK_LAYOUT_RESULT, tone);
    snprintf(s->view.headline, sizeof s->view.headline, "%s", headline);
    snprintf(s->view.message, sizeof s->view.message, "%s", message);
    add_button(&s->view, "back", W->back, KIOSK_ROLE_NAV);
    GO(s, STATE_NOTICE);
}

/* Asks the app for what only it can do (view.h). The request outlives the screens that follow:
 * view_begin keeps its serial and kind. */
static void request(staff_flow *s, kiosk_request_kind kind)
{
    s->view.request.kind = kind;
    s->view.request.serial++;
}

/* The store's answer to an action: refused by role, or failed. */
static void show_failure(staff_flow *s, kiosk_rc rc)
{
    if (rc == KIOSK_ERR_DENIED)
        show_notice(s, KIOSK_TONE_REFUSED, W->refused_headline, W->refused_message);
    else
        show_notice(s, KIOSK_TONE_ERROR, W->error_headline, W->error_message);
}

static void table_row(kiosk_table *t, const char *a, const char *b, int64_t subsidy, int64_t pay)
{
    if (t->row_count == KIOSK_TABLE_ROWS)
        return;
    char(*cells)[48] = t->cells[t->row_count++];
    snprintf(cells[0], sizeof cells[0], "%s", a);
    snprintf(cells[1], sizeof cells[1], "%s", b);
    kiosk_money_format(subsidy, cells[2], sizeof cells[2]);
    kiosk_money_format(pay, cells[3], sizeof cells[3]);
}

static void show_day_view(staff_flow *s, kiosk_now now)
{
    kiosk_local_time at = kiosk_clock_local(now.utc_ms);
    kiosk_report report;
    if (kiosk_store_report(s->store, at.date, at.date, &report) != KIOSK_OK) {
        show_failure(s, KIOSK_ERR_DB);
        return;
    }
    const kiosk_policy *policy =
        s->env->policies ? kiosk_policy_set_in_force(s->env->policies, at.date) : NULL;
    view_begin(s, "staff_dayview", KIOSK_LAYOUT_TABLE, KIOSK_TONE_INFO);
    kiosk_table *t = &s->view.table;
    snprintf(t->title, sizeof t->title, "%s%04d-%02d-%02d", W->day_title, at.date.year,
             at.date.month, at.date.day);
    for (int i = 0; i < KIOSK_TABLE_COLUMNS; i++)
        snprintf(t->head[i], sizeof t->head[i], "%s", W->day_head[i]);
    char count[32];
    snprintf(count, sizeof count, "%ld%s", report.meals, W->day_count_unit);
    table_row(t, W->day_total, count, report.subsidy_fen, report.pay_fen);
    for (int m = 0; m < KIOSK_MEAL_COUNT; m++) {
        snprintf(count, sizeof count, "%ld%s", report.by_meal[m].meals, W->day_count_unit);
        table_row(t, _(kiosk_meal_type_label((kiosk_meal_type)m)), count,
                  report.by_meal[m].subsidy_fen, report.by_meal[m].pay_fen);
    }
    for (size_t i = 0; i < report.class_count && t->row_count < KIOSK_TABLE_ROWS; i++) {
        snprintf(count, sizeof count, "%ld%s", report.by_class[i].meals, W->day_count_unit);
        table_row(t,
                  policy ? kiosk_policy_class_label(policy, report.by_class[i].key)
                         : report.by_class[i].key,
                  count, report.by_class[i].subsidy_fen, report.by_class[i].pay_fen);
    }
    add_button(&s->view, "back", W->back, KIOSK_ROLE_NAV);
    GO(s, STATE_DAY_VIEW);
}

static const char *meal_label(const char *code)
{
    kiosk_meal_type t = kiosk_meal_type_from_code(code);
    return t >= 0 && t < KIOSK_MEAL_COUNT ? _(kiosk_meal_type_label(t)) : code;
}

/* The latest meals of today not voided yet, one button each: to void one, or (reprints) to
 * print its receipt again. */
static void show_void_list(staff_flow *s, kiosk_now now)
{
    kiosk_day_meal all[VOID_CHOICES * 2];
    size_t n = 0;
    kiosk_date today = kiosk_clock_local(now.utc_ms).date;
    if (kiosk_store_day_meals(s->store, today, all, VOID_CHOICES * 2, &n) != KIOSK_OK) {
        show_failure(s, KIOSK_ERR_DB);
        return;
    }
    s->meal_count = 0;
    for (size_t i = 0; i < n && s->meal_count < VOID_CHOICES; i++)
        if (!all[i].voided)
            s->meals[s->meal_count++] = all[i];
    static const char *const screens[] = {"staff_void", "staff_reprint", "staff_bill"};
    view_begin(s, screens[s->list_for], KIOSK_LAYOUT_FORM, KIOSK_TONE_INFO);
    kiosk_view *v = &s->view;
    const char *headlines[] = {W->void_headline, W->reprint_headline, W->bill_headline};
    const char *messages[] = {W->void_message, W->reprint_message, W->bill_message};
    snprintf(v->headline, sizeof v->headline, "%s", headlines[s->list_for]);
    snprintf(v->message, sizeof v->message, "%s",
             !s->meal_count ? W->void_none : messages[s->list_for]);
    for (size_t i = 0; i < s->meal_count; i++) {
        const kiosk_day_meal *m = &s->meals[i];
        char id[16], label[KIOSK_BUTTON_LABEL_MAX];
        snprintf(id, sizeof id, "meal%zu", i + 1);
        snprintf(label, sizeof label, "%02d:%02d %s %s", m->minute_of_day / 60,
                 m->minute_of_day % 60, m->name_masked, meal_label(m->meal_type));
        add_button(v, id, label, KIOSK_ROLE_SECONDARY);
    }
    add_button(v, "back", W->back, KIOSK_ROLE_NAV);
    GO(s, STATE_VOID_LIST);
}

static void show_void_reason(staff_flow *s)
{
    const kiosk_day_meal *m = &s->meals[s->chosen];
    view_begin(s, "staff_reason", KIOSK_LAYOUT_FORM, KIOSK_TONE_INFO);
    kiosk_view *v = &s->view;
    snprintf(v->headline, sizeof v->headline, "%s", W->void_reason_headline);
    snprintf(v->message, sizeof v->message, "%s %02d:%02d %s", m->name_masked,
             m->minute_of_day / 60, m->minute_of_day % 60, meal_label(m->meal_type));
    for (size_t i = 0; i < s->opts.reason_count; i++) {
        char id[16];
        snprintf(id, sizeof id, "reason%zu", i + 1);
        add_button(v, id, s->opts.reasons[i].label, KIOSK_ROLE_SECONDARY);
    }
    add_button(v, "back", W->back, KIOSK_ROLE_NAV);
    GO(s, STATE_VOID_REASON);
}

static void do_void(staff_flow *s, size_t reason_index, kiosk_now now)
{
    kiosk_staff_actor who = actor(s);
    kiosk_recid void_id;
    kiosk_date today = kiosk_clock_local(now.utc_ms).date;
    kiosk_rc rc =
        kiosk_store_void_meal(s->store, &who, &s->meals[s->chosen].record_id,
                              s->opts.reasons[reason_index].code, today, now.utc_ms, &void_id);
    if (rc == KIOSK_OK)
        show_notice(s, KIOSK_TONE_SUCCESS, W->void_done_headline, W->void_message);
    else if (rc == KIOSK_ERR_INVALID || rc == KIOSK_ERR_NOT_FOUND)
        show_notice(s, KIOSK_TONE_REFUSED, W->void_gone, "");
    else
        show_failure(s, rc);
}

/* The receipt of the chosen meal again, on the view's print intent (the app prints it). The
 * month's remaining subsidy is left out: it was the figure of that moment. */
static void do_reprint(staff_flow *s, kiosk_now now)
{
    const kiosk_day_meal *m = &s->meals[s->chosen];
    kiosk_staff_actor who = actor(s);
    char id[KIOSK_RECID_TEXT];
    kiosk_recid_format(&m->record_id, id);
    kiosk_rc rc =
        kiosk_store_staff_act(s->store, &who, KIOSK_STAFF_REPRINT, id, "", "", now.utc_ms);
    if (rc != KIOSK_OK) {
        show_failure(s, rc);
        return;
    }
    kiosk_date today = kiosk_clock_local(now.utc_ms).date;
    const kiosk_policy *policy =
        s->env->policies ? kiosk_policy_set_in_force(s->env->policies, today) : NULL;
    kiosk_receipt r = {
        .site_name = s->env->settings->site_name,
        .name_masked = m->name_masked,
        .class_label = policy ? kiosk_policy_class_label(policy, m->class_id) : m->class_id,
        .meal_label = meal_label(m->meal_type),
        .at = {.date = today, .minute_of_day = m->minute_of_day},
        .price_fen = m->price_fen,
        .subsidy_fen = m->subsidy_fen,
        .pay_fen = m->pay_fen,
        .month_remaining_fen = -1,
        .record_id = id,
        .kiosk_id = who.kiosk_id,
    };
    show_notice(s, KIOSK_TONE_SUCCESS, W->reprint_done, "");
    if (kiosk_receipt_format_doc(&r, s->env->settings->paper_columns, &s->view.print.doc) ==
        KIOSK_OK)
        s->view.print.serial++;
    else
        show_failure(s, KIOSK_ERR_INVALID);
}

/* Lifting a refusal (a supervisor's): the reason first, from [staff] reasons. */
static void show_override_reason(staff_flow *s)
{
    view_begin(s, "staff_override_reason", KIOSK_LAYOUT_FORM, KIOSK_TONE_INFO);
    kiosk_view *v = &s->view;
    snprintf(v->headline, sizeof v->headline, "%s", W->override_reason_headline);
    snprintf(v->message, sizeof v->message, "%s", W->override_reason_message);
    for (size_t i = 0; i < s->opts.reason_count; i++) {
        char id[16];
        snprintf(id, sizeof id, "reason%zu", i + 1);
        add_button(v, id, s->opts.reasons[i].label, KIOSK_ROLE_SECONDARY);
    }
    add_button(v, "back", W->back, KIOSK_ROLE_NAV);
    GO(s, STATE_OVERRIDE_REASON);
}

/* Then the diner's card: the meal is made for the card in hand. */
static void show_override_card(staff_flow *s)
{
    view_begin(s, "staff_override_card", KIOSK_LAYOUT_RESULT, KIOSK_TONE_INFO);
    kiosk_view *v = &s->view;
    snprintf(v->headline, sizeof v->headline, "%s", W->override_card_headline);
    snprintf(v->message, sizeof v->message, "%s", W->override_card_message);
    snprintf(v->advice, sizeof v->advice, "%s · %s", W->override_reason_headline,
             s->opts.reasons[s->reason_chosen].label);
    add_button(v, "back", W->back, KIOSK_ROLE_NAV);
    GO(s, STATE_OVERRIDE_CARD);
}

static void add_money(kiosk_view *v, const char *label, int64_t fen, bool emphasis)
{
    if (v->figure_count == KIOSK_VIEW_FIGURES)
        return;
    kiosk_figure *f = &v->figures[v->figure_count++];
    snprintf(f->label, sizeof f->label, "%s", label);
    kiosk_money_format(fen, f->value, sizeof f->value);
    f->emphasis = emphasis;
}

/* What a meal made by staff came to: recorded (the masked name, the meal and its money), or why
 * not. */
static void show_served(staff_flow *s, const staff_served *r, const char *done, const char *cannot)
{
    const canteen_reason_words *why = canteen_reasons_tr();
    char who_line[192];
    snprintf(who_line, sizeof who_line, "%s · %s", r->name_masked,
             _(kiosk_meal_type_label(r->decision.meal_type)));
    switch (r->outcome) {
    case STAFF_SERVED:
        show_notice(s, KIOSK_TONE_SUCCESS, done, who_line);
        add_money(&s->view, W->override_price, r->decision.price_fen, false);
        add_money(&s->view, W->override_subsidy, r->decision.subsidy_fen, false);
        add_money(&s->view, W->override_pay, r->decision.pay_fen, true);
        break;
    case STAFF_NOT_REFUSED:
        show_notice(s, KIOSK_TONE_INFO, W->override_not_refused, W->override_not_refused_message);
        break;
    case STAFF_NOT_LIFTABLE:
    case STAFF_STILL_REFUSED:
        show_notice(s, KIOSK_TONE_REFUSED, cannot,
                    why[r->decision.reason < KIOSK_REASON_COUNT ? r->decision.reason : 0].headline);
        break;
    case STAFF_OFFLINE_LIMIT:
        show_notice(s, KIOSK_TONE_REFUSED, cannot, W->manual_offline);
        break;
    case STAFF_UNKNOWN_CARD:
        show_notice(s, KIOSK_TONE_REFUSED, cannot, why[KIOSK_REASON_UNKNOWN_CARD].headline);
        break;
    case STAFF_GONE:
        show_notice(s, KIOSK_TONE_REFUSED, cannot, W->void_gone);
        break;
    case STAFF_DENIED:
        show_failure(s, KIOSK_ERR_DENIED);
        break;
    case STAFF_FAILED:
        show_failure(s, r->rc);
        break;
    }
}

/* The diner's card, tapped while staff wait for it: served past the refusal, or told why not. */
static void override_card(staff_flow *s, const uint8_t key[KIOSK_CARD_KEY_BYTES], kiosk_now now)
{
    kiosk_staff_actor who = actor(s);
    staff_served r =
        staff_serve_override(s->env, &who, key, s->opts.reasons[s->reason_chosen].code, now);
    show_served(s, &r, W->override_done, W->override_cannot);
}

/* 代办就餐: what staff may serve a diner with here. */
static void show_serve(staff_flow *s)
{
    view_begin(s, "staff_serve", KIOSK_LAYOUT_FORM, KIOSK_TONE_INFO);
    kiosk_view *v = &s->view;
    snprintf(v->headline, sizeof v->headline, "%s", W->serve);
    static const kiosk_staff_action offered[] = {KIOSK_STAFF_OVERRIDE, KIOSK_STAFF_MANUAL_MEAL,
                                                 KIOSK_STAFF_BILL};
    for (size_t i = 0; i < sizeof offered / sizeof offered[0]; i++)
        if (kiosk_staff_may(s->member.role, offered[i]))
            add_button(v, kiosk_staff_action_name(offered[i]),
                       offered[i] == KIOSK_STAFF_BILL ? W->bill_button : W->action[offered[i]],
                       KIOSK_ROLE_SECONDARY);
    /* A canteen priced by bill: the amount for the next diner's tap, typed here. */
    if (s->opts.bill_pricing && kiosk_staff_may(s->member.role, KIOSK_STAFF_BILL))
        add_button(v, "bill_next", W->action[KIOSK_STAFF_BILL], KIOSK_ROLE_SECONDARY);
    add_button(v, "back", W->back, KIOSK_ROLE_NAV);
    GO(s, STATE_SERVE);
}

/* 无卡登记: the birth date on the keypad, shown as it is typed (1941-09-15). */
static void show_manual_birth(staff_flow *s)
{
    view_begin(s, "staff_manual_birth", KIOSK_LAYOUT_FORM, KIOSK_TONE_INFO);
    kiosk_view *v = &s->view;
    snprintf(v->headline, sizeof v->headline, "%s", W->manual_birth_headline);
    snprintf(v->message, sizeof v->message, "%s", W->manual_birth_message);
    snprintf(v->advice, sizeof v->advice, "%s", s->birth_note);
    show_keypad(v);
    const char *d = s->birth_digits;
    size_t n = strlen(d);
    snprintf(v->keypad.value, sizeof v->keypad.value, "%.4s%s%.2s%s%.2s", d, n > 4 ? "-" : "",
             n > 4 ? d + 4 : "", n > 6 ? "-" : "", n > 6 ? d + 6 : "");
    add_button(v, "back", W->back, KIOSK_ROLE_NAV);
    GO(s, STATE_MANUAL_BIRTH);
}

/* The persons born that day, by masked name: staff choose, checking the name with the diner. */
static void show_manual_list(staff_flow *s, kiosk_date birth)
{
    if (kiosk_store_persons_born(s->store, birth, s->hits, MANUAL_CHOICES, &s->hit_total) !=
        KIOSK_OK) {
        show_failure(s, KIOSK_ERR_DB);
        return;
    }
    s->hit_count = s->hit_total < MANUAL_CHOICES ? s->hit_total : MANUAL_CHOICES;
    view_begin(s, "staff_manual_list", KIOSK_LAYOUT_FORM, KIOSK_TONE_INFO);
    kiosk_view *v = &s->view;
    snprintf(v->headline, sizeof v->headline, "%s", W->manual_list_headline);
    snprintf(v->message, sizeof v->message, "%s",
             !s->hit_total                   ? W->manual_none
             : s->hit_total > MANUAL_CHOICES ? W->manual_more
                                             : W->manual_list_message);
    for (size_t i = 0; i < s->hit_count; i++) {
        char id[16], label[KIOSK_BUTTON_LABEL_MAX];
        snprintf(id, sizeof id, "person%zu", i + 1);
        snprintf(label, sizeof label, "%s %04d-%02d-%02d", s->hits[i].name_masked, birth.year,
                 birth.month, birth.day);
        add_button(v, id, label, KIOSK_ROLE_SECONDARY);
    }
    add_button(v, "back", W->back, KIOSK_ROLE_NAV);
    GO(s, STATE_MANUAL_LIST);
}

static void show_manual_reason(staff_flow *s)
{
    view_begin(s, "staff_manual_reason", KIOSK_LAYOUT_FORM, KIOSK_TONE_INFO);
    kiosk_view *v = &s->view;
    snprintf(v->headline, sizeof v->headline, "%s", W->manual_reason_headline);
    snprintf(v->message, sizeof v->message, "%s", s->hits[s->hit_chosen].name_masked);
    for (size_t i = 0; i < s->opts.reason_count; i++) {
        char id[16];
        snprintf(id, sizeof id, "reason%zu", i + 1);
        add_button(v, id, s->opts.reasons[i].label, KIOSK_ROLE_SECONDARY);
    }
    add_button(v, "back", W->back, KIOSK_ROLE_NAV);
    GO(s, STATE_MANUAL_REASON);
}

static void manual_key(staff_flow *s, const char *widget)
{
    s->birth_note[0] = '\0';
    if (kiosk_keypad_type(s->birth_digits, 8, widget, 0)) {
        show_manual_birth(s);
    } else if (strcmp(widget, "confirm") == 0) {
        size_t n = strlen(s->birth_digits);
        char text[16];
        snprintf(text, sizeof text, "%.4s-%.2s-%.2s", s->birth_digits, s->birth_digits + 4,
                 s->birth_digits + 6);
        kiosk_date birth;
        if (n == 8 && kiosk_date_parse(text, &birth)) {
            show_manual_list(s, birth);
        } else {
            snprintf(s->birth_note, sizeof s->birth_note, "%s", W->manual_bad_date);
            s->birth_digits[0] = '\0';
            show_manual_birth(s);
        }
    } else if (strcmp(widget, "back") == 0) {
        show_serve(s);
    }
}

/* 更正账单: the right amount on the keypad, in fen, shown as money while typed. */
static void show_bill_amount(staff_flow *s)
{
    const kiosk_day_meal *m = &s->meals[s->chosen];
    view_begin(s, "staff_bill_amount", KIOSK_LAYOUT_FORM, KIOSK_TONE_INFO);
    kiosk_view *v = &s->view;
    snprintf(v->headline, sizeof v->headline, "%s", W->bill_amount_headline);
    char was[32];
    kiosk_money_format(m->price_fen, was, sizeof was);
    snprintf(v->message, sizeof v->message, "%02d:%02d %s %s %s", m->minute_of_day / 60,
             m->minute_of_day % 60, m->name_masked, meal_label(m->meal_type), was);
    snprintf(v->advice, sizeof v->advice, "%s", W->bill_amount_message);
    show_keypad(v);
    kiosk_money_format(strtoll(s->bill_digits, NULL, 10), v->keypad.value, sizeof v->keypad.value);
    add_button(v, "back", W->back, KIOSK_ROLE_NAV);
    GO(s, STATE_BILL_AMOUNT);
}

/* 录入账单: the next diner's bill on the keypad, shown as money while typed. */
static void show_bill_next(staff_flow *s)
{
    view_begin(s, "staff_bill_next", KIOSK_LAYOUT_FORM, KIOSK_TONE_INFO);
    kiosk_view *v = &s->view;
    snprintf(v->headline, sizeof v->headline, "%s", W->bill_next_headline);
    snprintf(v->message, sizeof v->message, "%s", W->bill_next_message);
    snprintf(v->advice, sizeof v->advice, "%s", W->bill_amount_message);
    show_keypad(v);
    kiosk_money_format(strtoll(s->bill_digits, NULL, 10), v->keypad.value, sizeof v->keypad.value);
    add_button(v, "back", W->back, KIOSK_ROLE_NAV);
    GO(s, STATE_BILL_NEXT);
}

static void show_bill_reason(staff_flow *s)
{
    view_begin(s, "staff_bill_reason", KIOSK_LAYOUT_FORM, KIOSK_TONE_INFO);
    kiosk_view *v = &s->view;
    snprintf(v->headline, sizeof v->headline, "%s", W->bill_reason_headline);
    kiosk_money_format(strtoll(s->bill_digits, NULL, 10), v->message, sizeof v->message);
    for (size_t i = 0; i < s->opts.reason_count; i++) {
        char id[16];
        snprintf(id, sizeof id, "reason%zu", i + 1);
        add_button(v, id, s->opts.reasons[i].label, KIOSK_ROLE_SECONDARY);
    }
    add_button(v, "back", W->back, KIOSK_ROLE_NAV);
    GO(s, STATE_BILL_REASON);
}

static void bill_key(staff_flow *s, const char *widget)
{
    if (kiosk_keypad_type(s->bill_digits, BILL_DIGITS, widget, KIOSK_KEYPAD_NO_LEADING_ZERO))
        show_bill_amount(s);
    else if (strcmp(widget, "confirm") == 0 && s->bill_digits[0]) {
        show_bill_reason(s);
    }
}

static void correct_bill(staff_flow *s, size_t reason_index, kiosk_now now)
{
    kiosk_staff_actor who = actor(s);
    kiosk_date today = kiosk_clock_local(now.utc_ms).date;
    const kiosk_policy *policy =
        s->env->policies ? kiosk_policy_set_in_force(s->env->policies, today) : NULL;
    kiosk_bill_correction c;
    const kiosk_day_meal *m = &s->meals[s->chosen];
    kiosk_rc rc = kiosk_store_correct_bill(
        s->store, &who, &m->record_id, strtoll(s->bill_digits, NULL, 10),
        s->opts.reasons[reason_index].code, policy, &s->env->settings->site, today, now.utc_ms, &c);
    staff_served r = {.outcome = STAFF_SERVED, .rc = rc, .decision = c.decision};
    snprintf(r.name_masked, sizeof r.name_masked, "%s", m->name_masked);
    if (rc == KIOSK_ERR_INVALID && c.decision.reason != KIOSK_REASON_OK)
        r.outcome = STAFF_STILL_REFUSED;
    else if (rc == KIOSK_ERR_INVALID || rc == KIOSK_ERR_NOT_FOUND)
        r.outcome = STAFF_GONE;
    else if (rc == KIOSK_ERR_DENIED)
        r.outcome = STAFF_DENIED;
    else if (rc != KIOSK_OK)
        r.outcome = STAFF_FAILED;
    show_served(s, &r, W->bill_done, W->bill_refused);
}

static void manual_meal(staff_flow *s, size_t reason_index, kiosk_now now)
{
    kiosk_staff_actor who = actor(s);
    staff_served r = staff_serve_manual(s->env, &who, s->hits[s->hit_chosen].person_id,
                                        s->opts.reasons[reason_index].code, now);
    show_served(s, &r, W->manual_done, W->manual_refused);
}

/* 现场取号: the service first. */
static void show_walkin_service(staff_flow *s)
{
    view_begin(s, "staff_walkin_service", KIOSK_LAYOUT_FORM, KIOSK_TONE_INFO);
    kiosk_view *v = &s->view;
    snprintf(v->headline, sizeof v->headline, "%s", W->walkin_service_headline);
    for (int i = 0; i < KIOSK_SERVICE_COUNT; i++) {
        char id[16];
        snprintf(id, sizeof id, "service%d", i + 1);
        add_button(v, id, _(kiosk_service_label((kiosk_service)i)), KIOSK_ROLE_SECONDARY);
    }
    add_button(v, "back", W->back, KIOSK_ROLE_NAV);
    GO(s, STATE_WALKIN_SERVICE);
}

/* Then the lane: walk-in, or priority (staff judge who qualifies). */
static void show_walkin_lane(staff_flow *s)
{
    view_begin(s, "staff_walkin_lane", KIOSK_LAYOUT_FORM, KIOSK_TONE_INFO);
    kiosk_view *v = &s->view;
    snprintf(v->headline, sizeof v->headline, "%s", W->walkin_lane_headline);
    snprintf(v->message, sizeof v->message, "%s · %s", _(kiosk_service_label(s->walk_service)),
             W->walkin_priority_note);
    add_button(v, "lane_walkin", _(kiosk_lane_label(KIOSK_LANE_WALKIN)), KIOSK_ROLE_SECONDARY);
    add_button(v, "lane_priority", _(kiosk_lane_label(KIOSK_LANE_PRIORITY)), KIOSK_ROLE_SECONDARY);
    add_button(v, "back", W->back, KIOSK_ROLE_NAV);
    GO(s, STATE_WALKIN_LANE);
}

/* Each party's ID number on the keypad (and X). It is shown masked as on every screen: the
 * birth date (characters 7-14) as '*'. */
static void show_walkin_id(staff_flow *s)
{
    view_begin(s, "staff_walkin_id", KIOSK_LAYOUT_FORM, KIOSK_TONE_INFO);
    kiosk_view *v = &s->view;
    if (kiosk_service_parties(s->walk_service) > 1)
        snprintf(v->headline, sizeof v->headline, "%s%d%s", W->walkin_id_before, s->walk_party + 1,
                 W->walkin_id_after);
    else
        snprintf(v->headline, sizeof v->headline, "%s", W->walkin_id_headline);
    snprintf(v->message, sizeof v->message, "%s", W->walkin_id_message);
    snprintf(v->advice, sizeof v->advice, "%s", s->id_note);
    show_keypad(v);
    size_t n = strlen(s->id_typed);
    for (size_t i = 0; i < n && i + 1 < sizeof v->keypad.value; i++)
        v->keypad.value[i] = i >= 6 && i < 14 ? '*' : s->id_typed[i];
    add_button(v, "back", W->back, KIOSK_ROLE_NAV);
    /* The keypad has digits only, and a form with a keypad shows no other choices: the X of
     * a number's last character is a button of the bottom row. */
    add_button(v, "keyX", W->walkin_x, KIOSK_ROLE_NAV);
    GO(s, STATE_WALKIN_ID);
}

/* Every party's number read: the ticket, through the hall's own flow (its numbering, its
 * ticket and print), role-checked and audited with it. */
static void walkin_issue(staff_flow *s, kiosk_now now)
{
    kiosk_staff_actor who = actor(s);
    kiosk_checkin_entry e;
    unsigned printed = kiosk_marriage_view(s->hall)->print.serial;
    kiosk_rc rc = kiosk_marriage_staff_ticket(s->hall, &who, s->walk_service, s->walk_lane,
                                              s->walk_under_age, now, &e);
    if (rc == KIOSK_ERR_DENIED) {
        show_failure(s, rc);
        return;
    }
    if (rc != KIOSK_OK) {
        show_notice(s, KIOSK_TONE_ERROR, W->walkin_failed, W->error_message);
        return;
    }
    char headline[64], message[192];
    snprintf(headline, sizeof headline, "%s%s", W->walkin_done, e.number);
    snprintf(message, sizeof message, "%s · %s%s%s", _(kiosk_service_label(e.service)),
             _(kiosk_lane_label(e.lane)), e.under_age ? " · " : "",
             e.under_age ? W->walkin_under_age : "");
    show_notice(s, KIOSK_TONE_SUCCESS, headline, message);
    const kiosk_view *hv = kiosk_marriage_view(s->hall);
    if (hv->print.serial != printed) { /* the ticket, printed as the hall prints it */
        s->view.print.doc = hv->print.doc;
        s->view.print.serial++;
    }
}

static void walkin_key(staff_flow *s, const char *widget, kiosk_now now)
{
    s->id_note[0] = '\0';
    if (kiosk_keypad_type(s->id_typed, KIOSK_IDNUM_LEN, widget, KIOSK_KEYPAD_X)) {
        show_walkin_id(s);
        return;
    }
    if (strcmp(widget, "confirm") != 0)
        return;
    kiosk_idnum id;
    kiosk_idnum_result r =
        kiosk_idnum_validate(s->id_typed, kiosk_clock_local(now.utc_ms).date, &id);
    sodium_memzero(s->id_typed, sizeof s->id_typed);
    if (r != KIOSK_IDNUM_OK) {
        snprintf(s->id_note, sizeof s->id_note, "%s", _(kiosk_idnum_result_text(r)));
        show_walkin_id(s);
        return;
    }
    /* Only the legal-age flag is kept of the number (marriage: 男 22, 女 20). */
    kiosk_party p = {.sex = id.male ? 'M' : 'F', .has_birth = true, .birth = id.birth};
    sodium_memzero(&id, sizeof id);
    if (s->walk_service == KIOSK_SERVICE_MARRIAGE &&
        kiosk_party_under_marriage_age(&p, kiosk_clock_local(now.utc_ms).date))
        s->walk_under_age = true;
    if (++s->walk_party < kiosk_service_parties(s->walk_service))
        show_walkin_id(s);
    else
        walkin_issue(s, now);
}

/* Which counter the next number is called to. */
static void show_counters(staff_flow *s)
{
    view_begin(s, "staff_counter", KIOSK_LAYOUT_FORM, KIOSK_TONE_INFO);
    kiosk_view *v = &s->view;
    snprintf(v->headline, sizeof v->headline, "%s", W->counter_headline);
    for (int i = 1; i <= s->opts.counters; i++) {
        char id[16], label[KIOSK_BUTTON_LABEL_MAX];
        snprintf(id, sizeof id, "counter%d", i);
        snprintf(label, sizeof label, "%d%s", i, W->counter_unit);
        add_button(v, id, label, KIOSK_ROLE_SECONDARY);
    }
    add_button(v, "back", W->back, KIOSK_ROLE_NAV);
    GO(s, STATE_CALL_COUNTER);
}

/* The next waiting number (priority, booked, then walk-ins) to `counter`, on record and in the
 * audit log; the board shows it from the calls table. */
static void call_next(staff_flow *s, int counter, kiosk_now now)
{
    kiosk_staff_actor who = actor(s);
    kiosk_queue_call call;
    kiosk_date today = kiosk_clock_local(now.utc_ms).date;
    kiosk_rc rc =
        kiosk_store_call_next(s->store, today, counter, "", who.kiosk_id, now.utc_ms, &call);
    if (rc == KIOSK_ERR_NOT_FOUND) {
        show_notice(s, KIOSK_TONE_INFO, W->nobody_waits, "");
        return;
    }
    char detail[32];
    snprintf(detail, sizeof detail, "counter %d", counter);
    if (rc == KIOSK_OK)
        rc = kiosk_store_staff_act(s->store, &who, KIOSK_STAFF_CALL_NEXT, call.number, "", detail,
                                   now.utc_ms);
    if (rc != KIOSK_OK) {
        show_failure(s, rc);
        return;
    }
    char headline[64];
    snprintf(headline, sizeof headline, "%s%s%s%d%s", W->call_before, call.number, W->call_to,
             counter, W->call_after);
    show_notice(s, KIOSK_TONE_SUCCESS, headline, "");
}

static void format_ago(char *out, size_t size, int64_t then_ms, int64_t now_ms)
{
    if (then_ms < 0) {
        snprintf(out, size, "%s", W->status_never);
        return;
    }
    kiosk_local_time at = kiosk_clock_local(then_ms);
    long minutes = (long)((now_ms - then_ms) / 60000);
    snprintf(out, size, _("%02d:%02d (%ld分钟前)"), at.minute_of_day / 60, at.minute_of_day % 60,
             minutes < 0 ? 0 : minutes);
}

static void show_status(staff_flow *s, kiosk_now now)
{
    view_begin(s, "staff_status", KIOSK_LAYOUT_RESULT, KIOSK_TONE_INFO);
    kiosk_view *v = &s->view;
    snprintf(v->headline, sizeof v->headline, "%s", W->status_headline);
    const kiosk_sync_status *st = s->env->sync;
    kiosk_outbox_stats ob;
    bool have_ob = kiosk_store_outbox_stats(s->store, &ob) == KIOSK_OK;
    kiosk_figure *f = v->figures;
    snprintf(f[0].label, sizeof f[0].label, "%s", W->status_pending);
    snprintf(f[0].value, sizeof f[0].value, "%ld", have_ob ? ob.pending : -1L);
    f[0].emphasis = true;
    snprintf(f[1].label, sizeof f[1].label, "%s", W->status_state);
    snprintf(f[1].value, sizeof f[1].value, "%s",
             st && (unsigned)st->state < sizeof W->sync_state / sizeof W->sync_state[0]
                 ? W->sync_state[st->state]
                 : W->status_none);
    snprintf(f[2].label, sizeof f[2].label, "%s", W->status_last_ok);
    format_ago(f[2].value, sizeof f[2].value, st ? st->last_ok_ms : -1, now.utc_ms);
    snprintf(f[3].label, sizeof f[3].label, "%s", W->status_offset);
    if (st && st->clock_uncert_ms >= 0)
        snprintf(f[3].value, sizeof f[3].value, _("%+.1f秒"), (double)st->clock_offset_ms / 1000.0);
    else
        snprintf(f[3].value, sizeof f[3].value, "%s", W->status_none);
    v->figure_count = 4;
    /* The card reader and the printer: what staff can see to and fix. */
    static const kiosk_device_role shown[] = {KIOSK_DEVICE_READER, KIOSK_DEVICE_PRINTER};
    for (size_t i = 0; s->env->devices && i < sizeof shown / sizeof shown[0]; i++) {
        kiosk_device_state state = s->env->devices[shown[i]];
        if (state == KIOSK_DEVICE_ABSENT || v->figure_count == KIOSK_VIEW_FIGURES)
            continue;
        kiosk_figure *d = &v->figures[v->figure_count++];
        snprintf(d->label, sizeof d->label, "%s", W->device[shown[i]]);
        snprintf(d->value, sizeof d->value, "%s", W->device_state[state]);
    }
    if (kiosk_staff_may(s->member.role, KIOSK_STAFF_SYNC_NOW) && st)
        add_button(v, kiosk_staff_action_name(KIOSK_STAFF_SYNC_NOW),
                   W->action[KIOSK_STAFF_SYNC_NOW], KIOSK_ROLE_PRIMARY);
    /* Past [sync] offline_meal_limit subsidised meals wait for staff: allowing more is here,
     * beside the figures it depends on. */
    if (kiosk_staff_may(s->member.role, KIOSK_STAFF_OFFLINE_ALLOW) && st &&
        s->env->settings->offline_meal_limit > 0)
        add_button(v, kiosk_staff_action_name(KIOSK_STAFF_OFFLINE_ALLOW),
                   W->action[KIOSK_STAFF_OFFLINE_ALLOW], KIOSK_ROLE_SECONDARY);
    /* The kiosk's own settings (the voice's volume, leaving to the system) are beside its
     * device's state: the menu keeps its six choices, and this screen, full of figures, one
     * button more. */
    if (kiosk_staff_may(s->member.role, KIOSK_STAFF_SETTINGS))
        add_button(v, kiosk_staff_action_name(KIOSK_STAFF_SETTINGS),
                   W->action[KIOSK_STAFF_SETTINGS], KIOSK_ROLE_SECONDARY);
    add_button(v, "back", W->back, KIOSK_ROLE_NAV);
    GO(s, STATE_STATUS);
}

/* --- local settings: the voice's volume --------------------------------------------------- */

/* The level the voice speaks at now: the one staff set last (the store keeps it), else the one
 * the kiosk started with. */
static int current_volume(staff_flow *s)
{
    int stored;
    if (kiosk_store_voice_volume(s->store, &stored) == KIOSK_OK)
        return stored;
    return s->env->settings ? s->env->settings->voice_volume : 100;
}

/* The level in the banner, as large as a form's headline; - and + as two of the grid's large
 * choices, and leaving to the system as the third. */
static void show_settings(staff_flow *s)
{
    view_begin(s, "staff_settings", KIOSK_LAYOUT_FORM, KIOSK_TONE_INFO);
    kiosk_view *v = &s->view;
    snprintf(v->headline, sizeof v->headline, "%s %d", W->volume_label, current_volume(s));
    snprintf(v->message, sizeof v->message, "%s", W->volume_message);
    add_button(v, "volume_down", W->volume_down, KIOSK_ROLE_SECONDARY);
    add_button(v, "volume_up", W->volume_up, KIOSK_ROLE_SECONDARY);
    if (kiosk_staff_may(s->member.role, KIOSK_STAFF_EXIT_OS))
        add_button(v, kiosk_staff_action_name(KIOSK_STAFF_EXIT_OS), W->action[KIOSK_STAFF_EXIT_OS],
                   KIOSK_ROLE_DANGER);
    add_button(v, "back", W->back, KIOSK_ROLE_NAV);
    GO(s, STATE_SETTINGS);
}

/* One step down or up: kept and audited by the store (a supervisor's only), applied by the app
 * at once, and a prompt said at the new level so staff hear what diners will. */
static void volume_step(staff_flow *s, int step, kiosk_now now)
{
    int old = current_volume(s);
    int next = old + step < 0 ? 0 : old + step > 100 ? 100 : old + step;
    if (next != old) {
        kiosk_staff_actor who = actor(s);
        kiosk_rc rc = kiosk_store_set_voice_volume(s->store, &who, old, next, now.utc_ms);
        if (rc != KIOSK_OK) {
            show_failure(s, rc);
            return;
        }
        s->view.request.volume = next;
        request(s, KIOSK_REQUEST_VOLUME);
    }
    show_settings(s);
    s->view.voice.clips[s->view.voice.count++] = "tap_card";
    s->view.voice.serial++;
}

static void show_out_of_service(staff_flow *s)
{
    s->deadline_mono_ms = INT64_MAX;
    view_begin(s, "staff_oos", KIOSK_LAYOUT_RESULT, KIOSK_TONE_ERROR);
    kiosk_view *v = &s->view;
    snprintf(v->headline, sizeof v->headline, "%s", W->oos_headline);
    snprintf(v->message, sizeof v->message, "%s", W->oos_message);
    snprintf(v->advice, sizeof v->advice, "%s", W->oos_advice);
    v->voice.clips[v->voice.count++] = "out_of_service";
    GO(s, STATE_OUT_OF_SERVICE);
}

/* --- leaving -------------------------------------------------------------------------------- */

static void forget(staff_flow *s)
{
    sodium_memzero(s->pin, sizeof s->pin);
    sodium_memzero(s->id_typed, sizeof s->id_typed);
    sodium_memzero(s->card_key, sizeof s->card_key);
    memset(&s->member, 0, sizeof s->member);
    s->signed_in = false;
    s->pin_note[0] = '\0';
    s->meal_count = 0;
    s->deadline_mono_ms = INT64_MAX;
    GO(s, STATE_DORMANT);
}

/* Staff mode ends: an audit entry says why (a member who signed in leaves), then dormant. */
static kiosk_flow_next leave(staff_flow *s, const char *why, kiosk_now now)
{
    if (s->signed_in) {
        kiosk_staff_actor who = actor(s);
        kiosk_audit_entry e = {.at_ms = now.utc_ms};
        snprintf(e.kiosk_id, sizeof e.kiosk_id, "%s", who.kiosk_id);
        snprintf(e.staff_id, sizeof e.staff_id, "%s", who.staff_id);
        snprintf(e.role, sizeof e.role, "%s", kiosk_staff_role_name(who.role));
        snprintf(e.action, sizeof e.action, "leave");
        snprintf(e.outcome, sizeof e.outcome, "ok");
        snprintf(e.reason, sizeof e.reason, "%s", why);
        if (kiosk_store_audit_append(s->store, &e) != KIOSK_OK)
            KLOG_ERROR("the audit entry of leaving staff mode was not written: %s",
                       kiosk_store_errmsg(s->store));
    }
    forget(s);
    if (s->out_of_service) {
        show_out_of_service(s);
        return KIOSK_FLOW_STAY;
    }
    return KIOSK_FLOW_DONE;
}

/* --- events -------------------------------------------------------------------------------- */

static bool staff_card(staff_flow *s, const kiosk_card *card, uint8_t key[KIOSK_CARD_KEY_BYTES],
                       kiosk_staff_member *m)
{
    kiosk_store_card_key(s->store, card->uid, card->uid_len, key);
    return kiosk_store_find_staff_card(s->store, key, m) == KIOSK_OK;
}

static bool staff_claims_card(void *self, const kiosk_card *card, kiosk_now now)
{
    (void)now;
    staff_flow *s = self;
    uint8_t key[KIOSK_CARD_KEY_BYTES];
    kiosk_staff_member m;
    bool mine = staff_card(s, card, key, &m);
    sodium_memzero(key, sizeof key);
    return mine;
}

/* A staff card: its lock, else the PIN. */
static void begin_sign_in(staff_flow *s, const uint8_t key[KIOSK_CARD_KEY_BYTES],
                          const kiosk_staff_member *m, kiosk_now now)
{
    forget(s);
    memcpy(s->card_key, key, KIOSK_CARD_KEY_BYTES);
    s->member = *m;
    /* A diner who pressed 呼叫工作人员 is answered now: the call's record gets its answer. */
    int64_t waited_ms = 0;
    kiosk_rc answered = kiosk_store_help_call_answer(s->store, m->staff_id, now.utc_ms, &waited_ms);
    if (answered == KIOSK_OK)
        KLOG_INFO("staff %s answered a call for help after %lld s", m->staff_id,
                  (long long)(waited_ms / 1000));
    else if (answered != KIOSK_ERR_NOT_FOUND)
        KLOG_ERROR("the answer to a call for help was not recorded: %s",
                   kiosk_store_errmsg(s->store));
    kiosk_staff_lock lock;
    if (kiosk_store_staff_lock_get(s->store, key, now.utc_ms, &lock) == KIOSK_OK &&
        lock.locked_until_ms > now.utc_ms) {
        show_locked(s, lock.locked_until_ms, now);
        return;
    }
    if (lock.failures)
        snprintf(s->pin_note, sizeof s->pin_note, "%s%d%s", W->pin_wrong,
                 KIOSK_STAFF_PIN_TRIES - lock.failures, W->pin_wrong_unit);
    show_pin(s);
    touched(s, now);
}

static kiosk_flow_next staff_on_card(void *self, const kiosk_card *card, kiosk_now now)
{
    staff_flow *s = self;
    uint8_t key[KIOSK_CARD_KEY_BYTES];
    kiosk_staff_member m;
    bool is_staff = staff_card(s, card, key, &m);
    kiosk_flow_next next = KIOSK_FLOW_STAY;
    if (is_staff) {
        begin_sign_in(s, key, &m, now);
    } else if (s->state == STATE_OVERRIDE_CARD) {
        touched(s, now);
        override_card(s, key, now);
    } else if (s->state == STATE_OUT_OF_SERVICE) {
        s->view.voice.serial++; /* said again, so nobody waits at a silent machine */
    } else {
        /* The next diner: staff mode steps aside and the base flow serves the card. */
        next = leave(s, "diner_tap", now);
    }
    sodium_memzero(key, sizeof key);
    return next;
}

static void pin_key(staff_flow *s, const char *widget, kiosk_now now)
{
    if (kiosk_keypad_type(s->pin, KIOSK_PIN_MAX, widget, 0)) {
        show_pin(s);
        return;
    }
    if (strcmp(widget, "confirm") != 0)
        return;
    if (!kiosk_staff_pin_valid(s->pin)) {
        snprintf(s->pin_note, sizeof s->pin_note, "%s", W->pin_short);
        show_pin(s);
        return;
    }
    kiosk_staff_member m;
    kiosk_staff_lock lock;
    const char *kiosk_id = s->env && s->env->settings ? s->env->settings->kiosk_id : "";
    kiosk_rc rc = kiosk_store_staff_sign_in(s->store, s->card_key, s->pin, now.utc_ms,
                                            s->opts.lockout_ms, kiosk_id, &m, &lock);
    sodium_memzero(s->pin, sizeof s->pin);
    if (rc == KIOSK_OK) {
        s->member = m;
        s->signed_in = true;
        s->pin_note[0] = '\0';
        show_menu(s);
    } else if (rc == KIOSK_ERR_DENIED && lock.locked_until_ms > now.utc_ms) {
        show_locked(s, lock.locked_until_ms, now);
    } else if (rc == KIOSK_ERR_DENIED) {
        snprintf(s->pin_note, sizeof s->pin_note, "%s%d%s", W->pin_wrong,
                 KIOSK_STAFF_PIN_TRIES - lock.failures, W->pin_wrong_unit);
        show_pin(s);
    } else {
        show_failure(s, rc);
    }
}

/* Whether who's role may take action; when not, the refusal is audited and shown (the store
 * refuses it) and false is returned. */
static bool may_or_refuse(staff_flow *s, const kiosk_staff_actor *who, kiosk_staff_action action,
                          kiosk_now now)
{
    if (kiosk_staff_may(who->role, action))
        return true;
    show_failure(s, kiosk_store_staff_act(s->store, who, action, "", "", "", now.utc_ms));
    return false;
}

/* A menu button: the action's name (staff.h). The store decides whether the role may. */
static void menu_press(staff_flow *s, const char *widget, kiosk_now now)
{
    kiosk_staff_actor who = actor(s);
    kiosk_staff_action action;
    if (strcmp(widget, "resume") == 0 && s->out_of_service) {
        kiosk_rc rc = kiosk_store_staff_act(s->store, &who, KIOSK_STAFF_OUT_OF_SERVICE, "", "",
                                            "resume", now.utc_ms);
        if (rc == KIOSK_OK) {
            s->out_of_service = false;
            show_menu(s);
        } else {
            show_failure(s, rc);
        }
        return;
    }
    if (strcmp(widget, "serve") == 0 && offered_here(s, KIOSK_STAFF_OVERRIDE)) {
        show_serve(s);
        return;
    }
    if (strcmp(widget, "bill_next") == 0 && s->opts.bill_pricing) {
        /* Audited when the amount is confirmed; a role that may not is refused (and audited). */
        if (may_or_refuse(s, &who, KIOSK_STAFF_BILL, now)) {
            s->bill_digits[0] = '\0';
            show_bill_next(s);
        }
        return;
    }
    if (!kiosk_staff_action_parse(widget, &action))
        return;
    if (action == KIOSK_STAFF_MANUAL_MEAL && offered_here(s, action)) {
        /* Recorded and audited with the meal; a role that may not is refused (and audited). */
        if (may_or_refuse(s, &who, action, now)) {
            s->birth_digits[0] = s->birth_note[0] = '\0';
            show_manual_birth(s);
        }
        return;
    }
    if (action == KIOSK_STAFF_OVERRIDE && offered_here(s, action)) {
        /* The meal and its audit entry are written together when the card comes; a role that
         * may not is refused (and audited) now. */
        if (may_or_refuse(s, &who, action, now))
            show_override_reason(s);
        return;
    }
    if (action == KIOSK_STAFF_WALK_IN && offered_here(s, action)) {
        /* The ticket and its audit entry are written together; a role that may not is refused
         * (and audited) now. */
        if (may_or_refuse(s, &who, action, now))
            show_walkin_service(s);
        return;
    }
    if (action == KIOSK_STAFF_BILL && offered_here(s, KIOSK_STAFF_OVERRIDE)) {
        /* The correction is checked and audited when it is made. */
        s->list_for = LIST_BILL;
        if (may_or_refuse(s, &who, action, now))
            show_void_list(s, now);
        return;
    }
    if (action == KIOSK_STAFF_VOID_MEAL || (action == KIOSK_STAFF_REPRINT && has_printer(s))) {
        /* The void or reprint itself is checked and audited when it is made; the list is only
         * shown to those who may. */
        s->list_for = action == KIOSK_STAFF_REPRINT ? LIST_REPRINT : LIST_VOID;
        if (may_or_refuse(s, &who, action, now))
            show_void_list(s, now);
        return;
    }
    kiosk_rc rc = kiosk_store_staff_act(s->store, &who, action, "", "", "", now.utc_ms);
    if (rc != KIOSK_OK) {
        show_failure(s, rc);
        return;
    }
    switch (action) {
    case KIOSK_STAFF_DAY_VIEW:
        show_day_view(s, now);
        break;
    case KIOSK_STAFF_STATUS:
        show_status(s, now);
        break;
    case KIOSK_STAFF_SYNC_NOW:
        request(s, KIOSK_REQUEST_SYNC_NOW);
        show_notice(s, KIOSK_TONE_INFO, W->sync_started, "");
        break;
    case KIOSK_STAFF_EXIT_OS:
        show_notice(s, KIOSK_TONE_INFO, W->exiting, "");
        request(s, KIOSK_REQUEST_QUIT);
        break;
    case KIOSK_STAFF_CALL_NEXT:
        show_counters(s);
        break;
    case KIOSK_STAFF_SETTINGS:
        show_settings(s);
        break;
    case KIOSK_STAFF_OUT_OF_SERVICE:
        /* The member is signed out; the screen stays until staff sign in and resume. */
        s->out_of_service = true;
        leave(s, "out_of_service", now);
        break;
    default:
        /* Allowed, but not an action this version carries out: said so, not pretended. */
        show_notice(s, KIOSK_TONE_INFO, W->action[action], "");
        break;
    }
}

/* The keypad of 录入账单. Confirmed, the amount is audited and staff mode leaves: the canteen
 * gets it as a bill (take_bill), and the next diner's tap is decided on it. */
static kiosk_flow_next bill_next_key(staff_flow *s, const char *widget, kiosk_now now)
{
    if (kiosk_keypad_type(s->bill_digits, BILL_DIGITS, widget, KIOSK_KEYPAD_NO_LEADING_ZERO)) {
        show_bill_next(s);
    } else if (strcmp(widget, "back") == 0) {
        show_serve(s);
    } else if (strcmp(widget, "confirm") == 0 && s->bill_digits[0]) {
        int64_t fen = strtoll(s->bill_digits, NULL, 10);
        kiosk_staff_actor who = actor(s);
        char detail[64];
        snprintf(detail, sizeof detail, "bill %lld fen for the next tap", (long long)fen);
        kiosk_rc rc = kiosk_store_staff_act(s->store, &who, KIOSK_STAFF_BILL, "next_tap", "",
                                            detail, now.utc_ms);
        if (rc != KIOSK_OK) {
            show_failure(s, rc);
            return KIOSK_FLOW_STAY;
        }
        s->bill_next_fen = fen;
        return leave(s, "bill_next", now);
    }
    return KIOSK_FLOW_STAY;
}

static kiosk_flow_next staff_on_corner_hold(void *self, kiosk_now now)
{
    staff_flow *s = self;
    if (s->state != STATE_DORMANT)
        return KIOSK_FLOW_STAY;
    show_card_prompt(s, now);
    return KIOSK_FLOW_STAY;
}

static int64_t staff_take_bill(void *self)
{
    staff_flow *s = self;
    int64_t fen = s->bill_next_fen;
    s->bill_next_fen = 0;
    return fen;
}

/* Another [sync] offline_meal_limit subsidised meals while the kiosk is out of touch. */
static void offline_allow(staff_flow *s, kiosk_now now)
{
    if (!s->env->sync || s->env->settings->offline_meal_limit <= 0)
        return;
    kiosk_staff_actor who = actor(s);
    kiosk_rc rc = kiosk_store_offline_allow(s->store, &who, s->env->settings->offline_meal_limit,
                                            "", now.utc_ms);
    if (rc == KIOSK_OK)
        show_notice(s, KIOSK_TONE_SUCCESS, W->offline_allowed, W->offline_allowed_message);
    else
        show_failure(s, rc);
}

static kiosk_flow_next staff_on_press(void *self, const char *widget, kiosk_now now)
{
    staff_flow *s = self;
    if (s->state == STATE_DORMANT || s->state == STATE_OUT_OF_SERVICE)
        return KIOSK_FLOW_STAY;
    touched(s, now);
    if (strcmp(widget, "leave") == 0)
        return leave(s, "button", now);
    if (s->state == STATE_BILL_NEXT)
        return bill_next_key(s, widget, now);
    switch (s->state) {
    case STATE_PIN:
        pin_key(s, widget, now);
        break;
    case STATE_MENU:
        menu_press(s, widget, now);
        break;
    case STATE_VOID_LIST:
        if (strncmp(widget, "meal", 4) == 0 && widget[4] >= '1' && widget[4] <= '9' && !widget[5] &&
            (size_t)(widget[4] - '1') < s->meal_count) {
            s->chosen = (size_t)(widget[4] - '1');
            if (s->list_for == LIST_REPRINT) {
                do_reprint(s, now);
            } else if (s->list_for == LIST_BILL) {
                s->bill_digits[0] = '\0';
                show_bill_amount(s);
            } else {
                show_void_reason(s);
            }
        } else if (strcmp(widget, "back") == 0) {
            if (s->list_for == LIST_BILL)
                show_serve(s);
            else
                show_menu(s);
        }
        break;
    case STATE_VOID_REASON:
        if (strncmp(widget, "reason", 6) == 0 && widget[6] >= '1' && widget[6] <= '9' &&
            !widget[7] && (size_t)(widget[6] - '1') < s->opts.reason_count)
            do_void(s, (size_t)(widget[6] - '1'), now);
        else if (strcmp(widget, "back") == 0)
            show_void_list(s, now);
        break;
    case STATE_SERVE:
        if (strcmp(widget, "override") == 0 || strcmp(widget, "manual_meal") == 0 ||
            strcmp(widget, "bill") == 0 || strcmp(widget, "bill_next") == 0)
            menu_press(s, widget, now);
        else if (strcmp(widget, "back") == 0)
            show_menu(s);
        break;
    case STATE_MANUAL_BIRTH:
        manual_key(s, widget);
        break;
    case STATE_WALKIN_SERVICE:
        if (strncmp(widget, "service", 7) == 0 && widget[7] >= '1' && widget[7] <= '9' &&
            !widget[8] && widget[7] - '1' < KIOSK_SERVICE_COUNT) {
            s->walk_service = (kiosk_service)(widget[7] - '1');
            show_walkin_lane(s);
        } else if (strcmp(widget, "back") == 0) {
            show_menu(s);
        }
        break;
    case STATE_WALKIN_LANE:
        if (strcmp(widget, "lane_walkin") == 0 || strcmp(widget, "lane_priority") == 0) {
            s->walk_lane = widget[5] == 'w' ? KIOSK_LANE_WALKIN : KIOSK_LANE_PRIORITY;
            s->walk_party = 0;
            s->walk_under_age = false;
            s->id_typed[0] = s->id_note[0] = '\0';
            show_walkin_id(s);
        } else if (strcmp(widget, "back") == 0) {
            show_walkin_service(s);
        }
        break;
    case STATE_WALKIN_ID:
        if (strcmp(widget, "back") == 0) {
            sodium_memzero(s->id_typed, sizeof s->id_typed);
            show_walkin_lane(s);
        } else {
            walkin_key(s, widget, now);
        }
        break;
    case STATE_BILL_AMOUNT:
        if (strcmp(widget, "back") == 0)
            show_void_list(s, now);
        else
            bill_key(s, widget);
        break;
    case STATE_BILL_REASON:
        if (strncmp(widget, "reason", 6) == 0 && widget[6] >= '1' && widget[6] <= '9' &&
            !widget[7] && (size_t)(widget[6] - '1') < s->opts.reason_count)
            correct_bill(s, (size_t)(widget[6] - '1'), now);
        else if (strcmp(widget, "back") == 0)
            show_bill_amount(s);
        break;
    case STATE_MANUAL_LIST:
        if (strncmp(widget, "person", 6) == 0 && widget[6] >= '1' && widget[6] <= '9' &&
            !widget[7] && (size_t)(widget[6] - '1') < s->hit_count) {
            s->hit_chosen = (size_t)(widget[6] - '1');
            show_manual_reason(s);
        } else if (strcmp(widget, "back") == 0) {
            show_manual_birth(s);
        }
        break;
    case STATE_MANUAL_REASON:
        if (strncmp(widget, "reason", 6) == 0 && widget[6] >= '1' && widget[6] <= '9' &&
            !widget[7] && (size_t)(widget[6] - '1') < s->opts.reason_count)
            manual_meal(s, (size_t)(widget[6] - '1'), now);
        else if (strcmp(widget, "back") == 0)
            show_manual_birth(s);
        break;
    case STATE_OVERRIDE_REASON:
        if (strncmp(widget, "reason", 6) == 0 && widget[6] >= '1' && widget[6] <= '9' &&
            !widget[7] && (size_t)(widget[6] - '1') < s->opts.reason_count) {
            s->reason_chosen = (size_t)(widget[6] - '1');
            show_override_card(s);
        } else if (strcmp(widget, "back") == 0) {
            show_serve(s);
        }
        break;
    case STATE_OVERRIDE_CARD:
        if (strcmp(widget, "back") == 0)
            show_override_reason(s);
        break;
    case STATE_STATUS:
        if (strcmp(widget, "sync_now") == 0 || strcmp(widget, "settings") == 0)
            menu_press(s, widget, now);
        else if (strcmp(widget, "offline_allow") == 0)
            offline_allow(s, now);
        else if (strcmp(widget, "back") == 0)
            show_menu(s);
        break;
    case STATE_SETTINGS:
        if (strcmp(widget, "volume_down") == 0 || strcmp(widget, "volume_up") == 0)
            volume_step(s, widget[7] == 'u' ? VOLUME_STEP : -VOLUME_STEP, now);
        else if (strcmp(widget, "exit_os") == 0)
            menu_press(s, widget, now);
        else if (strcmp(widget, "back") == 0)
            show_status(s, now);
        break;
    case STATE_CALL_COUNTER:
        if (strncmp(widget, "counter", 7) == 0 && widget[7] >= '1' && widget[7] <= '9' &&
            !widget[8] && widget[7] - '0' <= s->opts.counters)
            call_next(s, widget[7] - '0', now);
        else if (strcmp(widget, "back") == 0)
            show_menu(s);
        break;
    case STATE_DAY_VIEW:
    case STATE_NOTICE:
        if (strcmp(widget, "back") == 0)
            show_menu(s);
        break;
    default:
        break;
    }
    return KIOSK_FLOW_STAY;
}

static kiosk_flow_next staff_on_tick(void *self, kiosk_now now)
{
    staff_flow *s = self;
    if (s->state == STATE_DORMANT || s->state == STATE_OUT_OF_SERVICE ||
        now.mono_ms < s->deadline_mono_ms)
        return KIOSK_FLOW_STAY;
    return leave(s, s->state == STATE_LOCKED ? "locked" : "timeout", now);
}

static int64_t staff_deadline(const void *self)
{
    const staff_flow *s = self;
    return s->state == STATE_DORMANT ? INT64_MAX : s->deadline_mono_ms;
}

static const kiosk_view *staff_view(const void *self)
{
    return &((const staff_flow *)self)->view;
}

static kiosk_rc staff_create(const kiosk_flow_env *env, void **self, char *err, size_t err_size)
{
    staff_flow *s = calloc(1, sizeof *s);
    if (!s)
        return kiosk_fail(KIOSK_ERR_NOMEM, err, err_size, "out of memory");
    s->env_copy = *env;
    s->env = &s->env_copy;
    s->store = env->store;
    kiosk_settings section = kiosk_flow_section(env, "staff");
    kiosk_rc rc = parse_options(&section, &s->opts, err, err_size);
    if (rc != KIOSK_OK) {
        free(s);
        return rc;
    }
    kiosk_settings canteen = kiosk_flow_section(env, "canteen");
    const char *pricing = kiosk_settings_get(&canteen, "pricing");
    s->opts.bill_pricing = pricing && strcmp(pricing, "bill") == 0;
    /* A marriage hall's kiosk: the hall's flow, for the tickets staff issue. */
    if (env->settings && strcmp(env->settings->mode, "marriage") == 0 && env->store) {
        rc = kiosk_marriage_new(env, &s->hall, err, err_size);
        if (rc != KIOSK_OK) {
            free(s);
            return rc;
        }
    }
    forget(s);
    *self = s;
    return KIOSK_OK;
}

static void staff_destroy(void *self)
{
    staff_flow *s = self;
    if (s) {
        kiosk_marriage_free(s->hall);
        sodium_memzero(s, sizeof *s);
    }
    free(s);
}

static const char *const clips[] = {"out_of_service", "tap_card", NULL};

const kiosk_flow_ops kiosk_staff_flow = {
    .name = "staff",
    .base = false,
    .needs_store = true,
    .check_settings = staff_check_settings,
    .create = staff_create,
    .destroy = staff_destroy,
    .claims_card = staff_claims_card,
    .on_card = staff_on_card,
    .on_press = staff_on_press,
    .on_tick = staff_on_tick,
    .take_bill = staff_take_bill,
    .on_corner_hold = staff_on_corner_hold,
    .deadline = staff_deadline,
    .view = staff_view,
    .clips = clips,
};
