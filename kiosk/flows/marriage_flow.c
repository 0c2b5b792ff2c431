/* marriage_flow.c - the check-in flow's states and transitions (see marriage_flow.h); its words
 * are in marriage_words.c, its rules in the domain (marriage.h), its data in the store (hall.h).
 */
#include "marriage_flow.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "clock.h"
#include "hall.h"
#include "idnum.h"
#include "keypad.h"
#include "log.h"
#include "marriage_words.h"
#include "mask.h"
#include "receipt.h"
#define KIOSK_LOG_MODULE "marriage"

#define MARRIAGE_STATES(X) \
    X(IDLE)                \
    X(SECOND)              \
    X(BOOKING)             \
    X(CARDS)               \
    X(TICKET)              \
    X(RESULT)              \
    X(WAITING)

typedef enum marriage_state {
#define MARRIAGE_STATE_ENUM(name) STATE_##name,
    MARRIAGE_STATES(MARRIAGE_STATE_ENUM)
#undef MARRIAGE_STATE_ENUM
} marriage_state;

static const char *const state_names[] = {
#define MARRIAGE_STATE_NAME(name) #name,
    MARRIAGE_STATES(MARRIAGE_STATE_NAME)
#undef MARRIAGE_STATE_NAME
};

#define HELP_SECONDS    20
#define BOOKING_SECONDS 60
#define CARDS_SECONDS   90
#define BOOKING_DIGITS  15
/* A database locked by another writer is tried again this often, this many times. */
#define BUSY_RETRY_MS 300
#define BUSY_RETRIES  20
/* How far back a person's appointments are looked up: a couple a day late is told the date. */
#define LOOKBACK_DAYS 7

#define W (marriage_text_tr())

/* The hall's settings ([marriage]). */
typedef struct marriage_options {
    char prefix[KIOSK_SERVICE_COUNT];
    char area[KIOSK_SERVICE_COUNT][96];
    kiosk_checkin_rules rules;
    kiosk_numbering numbering;
    int second_card_seconds;
    int ticket_seconds;
} marriage_options;

/* A person read at the kiosk: the keyed hash of the number, the masked name, and what the number
 * says (sex, birth). */
typedef struct person_read {
    kiosk_party party;
} person_read;

struct kiosk_marriage {
    marriage_state state;
    const kiosk_flow_settings *opts;
    marriage_options own;
    kiosk_store *store;
    kiosk_events_log *log;
    kiosk_view view;
    int64_t deadline_mono_ms;
    /* The persons read so far for this check-in (one or two). */
    person_read read[2];
    size_t read_count;
    /* The booking-number path: the appointment typed, and which of its parties were read. */
    char typed[BOOKING_DIGITS + 1];
    bool has_booked;
    kiosk_appointment booked;
    bool booked_present[2];
    /* A check-in waiting for a busy database. */
    kiosk_appointment pending;
    size_t pending_present;
    int tries;
    kiosk_checkin_entry last;
    char ticket_names[2][KIOSK_PARTY_NAME_MAX];
    /* The places of the next refusal's advice (show_refusal sets them). */
};

static void transition(kiosk_marriage *m, marriage_state next, int line)
{
    KLOG_DEBUG("-> [%s] (line %d)", state_names[next], line);
    m->state = next;
}
#define GO(m, next) transition((m), (next), __LINE__)

/* --- building the view ----------------------------------------------------------------- */

static void say(kiosk_view *v, const char *clip)
{
    if (clip && clip[0] && v->voice.count < KIOSK_VIEW_VOICE)
        v->voice.clips[v->voice.count++] = clip;
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

static void view_begin(kiosk_marriage *m, const char *screen, kiosk_layout layout, kiosk_tone tone)
{
    kiosk_view *v = &m->view;
    unsigned voice_serial = v->voice.serial, print_serial = v->print.serial;
    memset(v, 0, sizeof *v);
    v->voice.serial = voice_serial;
    v->print.serial = print_serial;
    snprintf(v->title, sizeof v->title, "%s · %s", m->opts->site_name, W->title_suffix);
    snprintf(v->screen, sizeof v->screen, "%s", screen);
    v->layout = layout;
    v->tone = tone;
}

/* The screen stays `seconds` with a countdown and a fresh voice cue. */
static void show_for(kiosk_marriage *m, marriage_state state, int seconds, int64_t now_mono_ms)
{
    m->deadline_mono_ms = now_mono_ms + (int64_t)seconds * 1000;
    m->view.countdown_s = seconds;
    m->view.voice.serial++;
    GO(m, state);
}

static void forget_persons(kiosk_marriage *m)
{
    sodium_memzero(m->read, sizeof m->read);
    m->read_count = 0;
    m->has_booked = false;
    memset(&m->booked, 0, sizeof m->booked);
    m->booked_present[0] = m->booked_present[1] = false;
    m->typed[0] = '\0';
}

static void show_idle(kiosk_marriage *m)
{
    forget_persons(m);
    kiosk_view *v = &m->view;
    bool right = m->opts->reader_right;
    view_begin(m, "idle", KIOSK_LAYOUT_IDLE, KIOSK_TONE_INFO);
    snprintf(v->prompt, sizeof v->prompt, "%s", W->idle_prompt);
    snprintf(v->hint, sizeof v->hint, "%s", right ? W->idle_hint_right : W->idle_hint_below);
    snprintf(v->picture_label, sizeof v->picture_label, "%s", W->picture_label);
    snprintf(v->reader_label, sizeof v->reader_label, "%s",
             right ? W->reader_right : W->reader_below);
    add_button(v, "booking", W->booking_button, KIOSK_ROLE_NAV);
    add_button(v, "help", W->help, KIOSK_ROLE_NAV);
    m->deadline_mono_ms = INT64_MAX;
    GO(m, STATE_IDLE);
}

static void format_date(kiosk_date d, char *out, size_t size)
{
    /* One format, so that a language can put the parts in its own order. */
    snprintf(out, size, _("%1$d年%2$d月%3$d日"), d.year, d.month, d.day);
}

/* A message with its places {1} and {2} filled in (either may be NULL: left empty). */
static void fill(char *out, size_t size, const char *text, const char *one, const char *two)
{
    size_t n = 0;
    for (const char *p = text; *p && n + 1 < size;) {
        if (p[0] == '{' && (p[1] == '1' || p[1] == '2') && p[2] == '}') {
            const char *arg = p[1] == '1' ? one : two;
            for (; arg && *arg && n + 1 < size; arg++)
                out[n++] = *arg;
            p += 3;
        } else {
            out[n++] = *p++;
        }
    }
    if (size)
        out[n < size ? n : size - 1] = '\0';
}

static void format_minute(int minute, char out[8])
{
    if (minute < 0)
        minute = 0;
    snprintf(out, 8, "%02d:%02d", minute / 60 % 25, minute % 60);
}

static void format_slot(const kiosk_appointment *a, char out[16])
{
    char from[8], to[8];
    format_minute(a->slot_start, from);
    format_minute(a->slot_end, to);
    snprintf(out, 16, "%s-%s", from, to);
}

/* --- the events log -------------------------------------------------------------------- */

static json_t *event_new(kiosk_marriage *m, const char *result, int64_t now_utc_ms)
{
    if (!m->log)
        return NULL;
    return json_pack("{s:s, s:s, s:s, s:I}", "kind", "checkin", "result", result, "kiosk_id",
                     m->opts->kiosk_id, "at_utc_ms", (json_int_t)now_utc_ms);
}

static void event_write(kiosk_marriage *m, json_t *o)
{
    if (o && kiosk_events_log_take(m->log, o) != KIOSK_OK)
        KLOG_WARN("outcome not written to the events file");
}

static void log_outcome(kiosk_marriage *m, const char *result, const char *reason,
                        const kiosk_appointment *a, const kiosk_checkin_entry *e,
                        int64_t now_utc_ms)
{
    json_t *o = event_new(m, result, now_utc_ms);
    if (!o)
        return;
    if (reason)
        json_object_set_new(o, "reason", json_string(reason));
    if (a)
        json_object_set_new(o, "service", json_string(kiosk_service_code(a->service)));
    if (e) {
        char id[KIOSK_RECID_TEXT];
        kiosk_recid_format(&e->record_id, id);
        json_object_set_new(o, "service", json_string(kiosk_service_code(e->service)));
        json_object_set_new(o, "lane", json_string(kiosk_lane_code(e->lane)));
        json_object_set_new(o, "number", json_string(e->number));
        json_object_set_new(o, "record_id", json_string(id));
        if (e->under_age)
            json_object_set_new(o, "under_age", json_true());
    }
    event_write(m, o);
}

/* --- result screens -------------------------------------------------------------------- */

/* A figure of a result: a date or time it turns on, the booking it is about. */
static void add_figure(kiosk_view *v, const char *label, const char *value)
{
    if (v->figure_count == KIOSK_VIEW_FIGURES || !label[0])
        return;
    kiosk_figure *f = &v->figures[v->figure_count++];
    snprintf(f->label, sizeof f->label, "%s", label);
    snprintf(f->value, sizeof f->value, "%s", value);
    f->emphasis = false;
}

static void show_words(kiosk_marriage *m, const marriage_reason_words *w, kiosk_tone tone,
                       int64_t now_mono_ms)
{
    view_begin(m, "result", KIOSK_LAYOUT_RESULT, tone);
    kiosk_view *v = &m->view;
    snprintf(v->headline, sizeof v->headline, "%s", w->headline);
    snprintf(v->advice, sizeof v->advice, "%s", w->advice);
    say(v, w->clip);
    add_button(v, "back", W->back, KIOSK_ROLE_NAV);
    add_button(v, "help", W->help, KIOSK_ROLE_NAV);
    forget_persons(m);
    show_for(m, STATE_RESULT, m->opts->result_seconds, now_mono_ms);
}

static void show_problem(kiosk_marriage *m, marriage_problem p, int64_t now_mono_ms)
{
    show_words(m, &marriage_problems_tr()[p],
               p == MARRIAGE_ERROR ? KIOSK_TONE_ERROR : KIOSK_TONE_REFUSED, now_mono_ms);
}

/* A refusal of the hall's rules, with the booking and the date or time it turns on as figures. */
static void show_refusal(kiosk_marriage *m, const kiosk_appointment *a,
                         const kiosk_checkin_decision *d, int64_t now_mono_ms)
{
    const marriage_reason_words *w = &marriage_reasons_tr()[d->reason];
    char slot[16], value[48] = "", withdraw[48] = "";
    format_slot(a, slot);
    switch (d->reason) {
    case KIOSK_CHECKIN_OTHER_DAY:
        format_date(a->date, value, sizeof value);
        break;
    case KIOSK_CHECKIN_TOO_EARLY:
        format_minute(d->window_start, value);
        break;
    case KIOSK_CHECKIN_TOO_LATE:
        format_minute(d->window_end, value);
        break;
    case KIOSK_CHECKIN_COOLING_EARLY:
        format_date(d->cooling.certificate_from, value, sizeof value);
        format_date(d->cooling.withdraw_until, withdraw, sizeof withdraw);
        break;
    case KIOSK_CHECKIN_COOLING_EXPIRED:
        format_date(d->cooling.certificate_until, value, sizeof value);
        break;
    case KIOSK_CHECKIN_WITHDRAW_CLOSED:
        format_date(d->cooling.withdraw_until, value, sizeof value);
        break;
    default:
        break;
    }
    show_words(m, w, KIOSK_TONE_REFUSED, now_mono_ms);
    kiosk_view *v = &m->view;
    /* Which booking this is, the service and its slot: the persons at the kiosk are on it. */
    if (a->party_count)
        add_figure(v, kiosk_service_label(a->service), slot);
    if (value[0])
        add_figure(v, w->figure, value);
    if (withdraw[0])
        add_figure(v, W->withdraw_figure, withdraw);
}

/* The screen with the queue number, spoken: "取号成功，您的号码是 J 零一二 号，请到等候区". */
static void show_ticket(kiosk_marriage *m, const kiosk_appointment *a, const kiosk_checkin_entry *e,
                        bool again, int64_t now_mono_ms)
{
    view_begin(m, "ticket", KIOSK_LAYOUT_RESULT, KIOSK_TONE_SUCCESS);
    kiosk_view *v = &m->view;
    snprintf(v->headline, sizeof v->headline, "%s",
             again ? W->already_headline : W->ticket_headline);
    /* The number's label names the service and the lane ("结婚登记 · 优先"): it belongs to the
     * number, and the words below keep to the names and where to wait. */
    snprintf(v->code_label, sizeof v->code_label, "%s · %s", kiosk_service_label(e->service),
             kiosk_lane_label(e->lane));
    snprintf(v->code, sizeof v->code, "%s", e->number);
    const char *first = m->ticket_names[0], *second = m->ticket_names[1];
    snprintf(v->name, sizeof v->name, "%s%s%s", first,
             first[0] && second[0] ? W->names_separator : "", second);
    const char *area = m->own.area[e->service];
    if (area[0])
        fill(v->advice, sizeof v->advice, W->ticket_advice_area, area, NULL);
    else
        snprintf(v->advice, sizeof v->advice, "%s", W->ticket_advice_plain);
    say(v, again ? W->clip_already : W->clip_ticket_ok);
    if (e->prefix >= 'A' && e->prefix <= 'Z')
        say(v, marriage_letter_clips[e->prefix - 'A']);
    for (const char *d = e->number + 1; *d; d++)
        if (*d >= '0' && *d <= '9') {
            static const char *const digits[] = {"d0", "d1", "d2", "d3", "d4",
                                                 "d5", "d6", "d7", "d8", "d9"};
            say(v, digits[*d - '0']);
        }
    say(v, W->clip_hao);
    say(v, W->clip_go_wait);
    add_button(v, "back", W->back, KIOSK_ROLE_NAV);
    (void)a;
    show_for(m, STATE_TICKET, m->own.ticket_seconds, now_mono_ms);
}

/* The ticket on the print intent, laid out for the paper: once, when the number was issued. */
static void print_ticket(kiosk_marriage *m, const kiosk_checkin_entry *e)
{
    if (m->opts->paper_columns <= 0)
        return;
    char record_id[KIOSK_RECID_TEXT];
    kiosk_recid_format(&e->record_id, record_id);
    kiosk_ticket t = {
        .site_name = m->opts->site_name,
        .number = e->number,
        .service = kiosk_service_label(e->service),
        .lane = kiosk_lane_label(e->lane),
        .at = e->at,
        .name_masked = {m->ticket_names[0], m->ticket_names[1]},
        .counter = m->own.area[e->service],
        .record_id = record_id,
        .flag = e->under_age ? W->under_age_flag : NULL,
    };
    kiosk_view *v = &m->view;
    if (kiosk_ticket_format_doc(&t, m->opts->paper_columns, &v->print.doc) != KIOSK_OK) {
        KLOG_WARN("the ticket could not be laid out for %d columns", m->opts->paper_columns);
        return;
    }
    v->print.serial++;
}

/* The waiting screens of a check-in in progress (the other card, the cards of a booking),
 * with an optional note on top ("这是同一张身份证"). */
static void show_waiting_for_card(kiosk_marriage *m, const char *note_headline,
                                  const char *note_message, const char *clip, bool problem,
                                  int64_t now_mono_ms)
{
    bool booking = m->has_booked;
    view_begin(m, booking ? "cards" : "second", KIOSK_LAYOUT_RESULT,
               problem ? KIOSK_TONE_REFUSED : KIOSK_TONE_INFO);
    kiosk_view *v = &m->view;
    if (booking) {
        bool two = kiosk_service_parties(m->booked.service) == 2;
        bool one_read = m->booked_present[0] || m->booked_present[1];
        char slot[16];
        format_slot(&m->booked, slot);
        snprintf(v->headline, sizeof v->headline, "%s",
                 note_headline     ? note_headline
                 : two && one_read ? W->second_headline
                 : two             ? W->cards_headline_two
                                   : W->cards_headline_one);
        snprintf(v->subline, sizeof v->subline, "%s%s · %s", W->cards_message,
                 kiosk_service_label(m->booked.service), slot);
        snprintf(v->message, sizeof v->message, "%s",
                 note_message ? note_message
                 : one_read   ? W->cards_one_read
                              : W->cards_advice);
        snprintf(v->advice, sizeof v->advice, "%s", W->second_advice);
        if (one_read) {
            const kiosk_party *p = &m->booked.party[m->booked_present[0] ? 0 : 1];
            snprintf(v->name, sizeof v->name, "%s %s", p->name_masked, W->second_read);
        }
    } else {
        snprintf(v->headline, sizeof v->headline, "%s",
                 note_headline ? note_headline : W->second_headline);
        snprintf(v->name, sizeof v->name, "%s %s", m->read[0].party.name_masked, W->second_read);
        snprintf(v->message, sizeof v->message, "%s",
                 note_message ? note_message : W->second_message);
        snprintf(v->advice, sizeof v->advice, "%s", W->second_advice);
    }
    say(v, clip);
    v->waits_for_input = true; /* the other card: warned before it gives up (pacing.h) */
    add_button(v, "cancel", W->cancel, KIOSK_ROLE_NAV);
    show_for(m, booking ? STATE_CARDS : STATE_SECOND,
             booking ? CARDS_SECONDS : m->own.second_card_seconds, now_mono_ms);
}

static void show_booking(kiosk_marriage *m, int64_t now_mono_ms, bool fresh)
{
    view_begin(m, "booking", KIOSK_LAYOUT_FORM, KIOSK_TONE_INFO);
    kiosk_view *v = &m->view;
    snprintf(v->headline, sizeof v->headline, "%s", W->booking_headline);
    snprintf(v->message, sizeof v->message, "%s", W->booking_message);
    snprintf(v->advice, sizeof v->advice, "%s", W->booking_advice);
    v->keypad.shown = true;
    snprintf(v->keypad.value, sizeof v->keypad.value, "%s", m->typed);
    snprintf(v->keypad.backspace_label, sizeof v->keypad.backspace_label, "%s", W->backspace);
    snprintf(v->keypad.confirm_label, sizeof v->keypad.confirm_label, "%s", W->confirm);
    add_button(v, "back", W->back, KIOSK_ROLE_NAV);
    unsigned serial = v->voice.serial;
    if (fresh)
        say(v, W->clip_enter_booking);
    show_for(m, STATE_BOOKING, BOOKING_SECONDS, now_mono_ms);
    if (!fresh)
        v->voice.serial = serial; /* a key press is not announced */
}

static void show_help(kiosk_marriage *m, int64_t now_mono_ms)
{
    forget_persons(m);
    view_begin(m, "help", KIOSK_LAYOUT_RESULT, KIOSK_TONE_INFO);
    kiosk_view *v = &m->view;
    snprintf(v->headline, sizeof v->headline, "%s", W->help_headline);
    snprintf(v->message, sizeof v->message, "%s", W->help_message);
    snprintf(v->advice, sizeof v->advice, "%s", W->help_advice);
    say(v, W->clip_place_id);
    say(v, W->clip_see_staff);
    add_button(v, "back", W->back, KIOSK_ROLE_NAV);
    show_for(m, STATE_RESULT, HELP_SECONDS, now_mono_ms);
}

/* --- checking in ----------------------------------------------------------------------- */

static kiosk_local_time local_now(kiosk_now now)
{
    return kiosk_clock_local(now.utc_ms);
}

/* The ticket's names: the appointment's parties (masked at import). */
static void remember_names(kiosk_marriage *m, const kiosk_appointment *a)
{
    for (size_t i = 0; i < 2; i++)
        snprintf(m->ticket_names[i], sizeof m->ticket_names[i], "%s",
                 i < a->party_count ? a->party[i].name_masked : "");
}

/* A store failure on the way to a number: a busy database is waited for, anything else is an
 * error screen; nothing was recorded. */
static void store_problem(kiosk_marriage *m, kiosk_rc rc, const kiosk_appointment *a,
                          size_t present, kiosk_now now)
{
    if (rc == KIOSK_ERR_BUSY && (m->state != STATE_WAITING || m->tries > 0)) {
        if (m->state != STATE_WAITING) {
            m->pending = *a;
            m->pending_present = present;
            m->tries = BUSY_RETRIES;
            view_begin(m, "wait", KIOSK_LAYOUT_RESULT, KIOSK_TONE_INFO);
            snprintf(m->view.headline, sizeof m->view.headline, "%s", W->wait_headline);
            snprintf(m->view.message, sizeof m->view.message, "%s", W->wait_message);
            snprintf(m->view.advice, sizeof m->view.advice, "%s", W->wait_advice);
            say(&m->view, W->clip_please_wait);
            m->view.voice.serial++;
            GO(m, STATE_WAITING);
        }
        m->deadline_mono_ms = now.mono_ms + BUSY_RETRY_MS;
        return;
    }
    KLOG_ERROR("check-in failed: %s", kiosk_strerror(rc));
    show_problem(m, MARRIAGE_ERROR, now.mono_ms);
    log_outcome(m, "error", kiosk_rc_name(rc), a, NULL, now.utc_ms);
}

/* The appointment found, `present` of its parties at the kiosk: the number it has, a refusal,
 * or a new number. */
static void check_in(kiosk_marriage *m, const kiosk_appointment *a, size_t present, kiosk_now now)
{
    remember_names(m, a);
    kiosk_checkin_entry e;
    kiosk_rc rc = kiosk_store_find_checkin(m->store, a->id, &e);
    if (rc == KIOSK_OK) {
        /* A second check-in of the same appointment: the number it already has, nothing new. */
        m->last = e;
        show_ticket(m, a, &e, true, now.mono_ms);
        log_outcome(m, "repeat", NULL, a, &e, now.utc_ms);
        forget_persons(m);
        return;
    }
    if (rc != KIOSK_ERR_NOT_FOUND) {
        store_problem(m, rc, a, present, now);
        return;
    }
    kiosk_workcal *cal = NULL;
    if (a->service == KIOSK_SERVICE_DIVORCE_CERT || a->service == KIOSK_SERVICE_DIVORCE_WITHDRAW) {
        /* Read at each use: an import of next year's calendar counts at once. */
        cal = malloc(sizeof *cal);
        if (!cal || kiosk_store_load_calendar(m->store, cal) != KIOSK_OK) {
            free(cal);
            cal = NULL;
        }
    }
    kiosk_local_time at = local_now(now);
    kiosk_checkin_decision d = kiosk_checkin_decide(a, present, at, &m->own.rules, cal);
    free(cal);
    if (d.reason != KIOSK_CHECKIN_OK) {
        show_refusal(m, a, &d, now.mono_ms);
        log_outcome(m, "refused", kiosk_checkin_reason_code(d.reason), a, NULL, now.utc_ms);
        return;
    }
    kiosk_ticket_request req = {
        .appointment_id = a->id,
        .service = a->service,
        .lane = a->lane,
        .prefix = m->own.prefix[a->service],
        .numbering = m->own.numbering,
        .kiosk_id = m->opts->kiosk_id,
        .now_utc_ms = now.utc_ms,
        .at = at,
        .under_age = d.under_age,
    };
    bool existing = false;
    rc = kiosk_store_issue_ticket(m->store, &req, &e, &existing);
    if (rc != KIOSK_OK) {
        store_problem(m, rc, a, present, now);
        return;
    }
    m->last = e;
    show_ticket(m, a, &e, existing, now.mono_ms);
    if (!existing)
        print_ticket(m, &e);
    log_outcome(m, existing ? "repeat" : "issued", NULL, a, &e, now.utc_ms);
    forget_persons(m);
}

static bool same_key(const uint8_t *a, const uint8_t *b)
{
    return sodium_memcmp(a, b, KIOSK_CARD_KEY_BYTES) == 0;
}

/* Among a person's appointments, the one to judge: today's first (not cancelled, then the one
 * whose slot is nearest now), else the nearest by date. Only those the filter keeps count. */
static const kiosk_appointment *choose(const kiosk_appointment_list *list, kiosk_local_time now,
                                       const uint8_t *with_key, int parties)
{
    const kiosk_appointment *best = NULL;
    long best_score = 0;
    for (size_t i = 0; i < list->count; i++) {
        const kiosk_appointment *a = &list->items[i];
        if (with_key && kiosk_appointment_party_index(a, with_key) < 0)
            continue;
        if (parties && kiosk_service_parties(a->service) != parties)
            continue;
        long days = (long)(kiosk_date_to_days(a->date) - kiosk_date_to_days(now.date));
        long score = labs(days) * 100000;
        if (days == 0) {
            int mid = (a->slot_start + a->slot_end) / 2;
            score = labs((long)(mid - now.minute_of_day));
        }
        if (a->status == KIOSK_APPT_CANCELLED)
            score += 50000; /* a cancelled booking only when there is nothing else */
        if (!best || score < best_score) {
            best = a;
            best_score = score;
        }
    }
    return best;
}

static bool read_person(kiosk_marriage *m, const kiosk_idcard *id, person_read *out, kiosk_now now)
{
    memset(out, 0, sizeof *out);
    if (id->type == KIOSK_IDCARD_FOREIGNER_OLD) {
        show_problem(m, MARRIAGE_UNSUPPORTED, now.mono_ms);
        log_outcome(m, "error", "unsupported_card", NULL, NULL, now.utc_ms);
        return false;
    }
    kiosk_idnum num;
    kiosk_idnum_result r = kiosk_idnum_validate(id->number, local_now(now).date, &num);
    if (r != KIOSK_IDNUM_OK) {
        show_problem(m, MARRIAGE_ID_INVALID, now.mono_ms);
        log_outcome(m, "error", kiosk_idnum_result_code(r), NULL, NULL, now.utc_ms);
        return false;
    }
    kiosk_store_id_number_key(m->store, num.number, out->party.key);
    out->party.sex = num.male ? 'M' : 'F';
    out->party.has_birth = true;
    out->party.birth = num.birth;
    sodium_memzero(&num, sizeof num);
    if (kiosk_mask_name(id->name, out->party.name_masked, sizeof out->party.name_masked) !=
        KIOSK_OK)
        out->party.name_masked[0] = '\0';
    return true;
}

/* The first card of a couple: a one-party service booked today is served at once; a booking
 * that needs both waits for the other card; a person with no booking at all is told now. */
static void first_card(kiosk_marriage *m, const person_read *p, kiosk_now now)
{
    kiosk_local_time at = local_now(now);
    kiosk_date from = kiosk_date_from_days(kiosk_date_to_days(at.date) - LOOKBACK_DAYS);
    kiosk_appointment_list *list = malloc(sizeof *list);
    kiosk_rc rc =
        list ? kiosk_store_appointments_of(m->store, p->party.key, from, list) : KIOSK_ERR_NOMEM;
    if (rc != KIOSK_OK) {
        free(list);
        store_problem(m, rc == KIOSK_ERR_BUSY ? KIOSK_ERR_DB : rc, &(kiosk_appointment){0}, 0, now);
        return;
    }
    if (list->count == 0) {
        free(list);
        show_problem(m, MARRIAGE_NO_BOOKING, now.mono_ms);
        log_outcome(m, "refused", "no_booking", NULL, NULL, now.utc_ms);
        return;
    }
    const kiosk_appointment *two = choose(list, at, NULL, 2);
    const kiosk_appointment *one = choose(list, at, NULL, 1);
    bool two_today = two && kiosk_date_cmp(two->date, at.date) == 0;
    bool one_today = one && kiosk_date_cmp(one->date, at.date) == 0;
    if (one && !two_today && (one_today || !two)) {
        kiosk_appointment a = *one;
        free(list);
        check_in(m, &a, 1, now);
        return;
    }
    free(list);
    m->read[0] = *p;
    m->read_count = 1;
    show_waiting_for_card(m, NULL, NULL, W->clip_other_party, false, now.mono_ms);
}

/* The second card of a couple: their joint appointment, whichever card came first. */
static void second_card(kiosk_marriage *m, const person_read *p, kiosk_now now)
{
    if (same_key(p->party.key, m->read[0].party.key)) {
        show_waiting_for_card(m, W->same_card_headline, W->same_card_message, W->clip_same_card,
                              true, now.mono_ms);
        return;
    }
    kiosk_local_time at = local_now(now);
    kiosk_date from = kiosk_date_from_days(kiosk_date_to_days(at.date) - LOOKBACK_DAYS);
    kiosk_appointment_list *list = malloc(sizeof *list);
    kiosk_rc rc = list ? kiosk_store_appointments_of(m->store, m->read[0].party.key, from, list)
                       : KIOSK_ERR_NOMEM;
    if (rc != KIOSK_OK) {
        free(list);
        store_problem(m, rc == KIOSK_ERR_BUSY ? KIOSK_ERR_DB : rc, &(kiosk_appointment){0}, 0, now);
        return;
    }
    const kiosk_appointment *joint = choose(list, at, p->party.key, 0);
    if (!joint) {
        /* Not booked together (or one of them unknown): nothing about anyone's booking. */
        free(list);
        show_problem(m, MARRIAGE_NOT_TOGETHER, now.mono_ms);
        log_outcome(m, "refused", "not_together", NULL, NULL, now.utc_ms);
        return;
    }
    kiosk_appointment a = *joint;
    free(list);
    check_in(m, &a, 2, now);
}

/* A card after a booking number: it must be one of that booking's parties. */
static void booked_card(kiosk_marriage *m, const person_read *p, kiosk_now now)
{
    int i = kiosk_appointment_party_index(&m->booked, p->party.key);
    if (i < 0) {
        show_waiting_for_card(m, W->mismatch_headline, W->mismatch_message, W->clip_card_mismatch,
                              true, now.mono_ms);
        return;
    }
    if (m->booked_present[i]) {
        show_waiting_for_card(m, W->same_card_headline, W->same_card_message, W->clip_same_card,
                              true, now.mono_ms);
        return;
    }
    m->booked_present[i] = true;
    size_t present = (size_t)m->booked_present[0] + (size_t)m->booked_present[1];
    if ((int)present >= kiosk_service_parties(m->booked.service)) {
        kiosk_appointment a = m->booked;
        check_in(m, &a, present, now);
        return;
    }
    show_waiting_for_card(m, NULL, NULL, W->clip_other_party, false, now.mono_ms);
}

void kiosk_marriage_on_idcard(kiosk_marriage *m, const kiosk_idcard *id, kiosk_now now)
{
    if (m->state == STATE_WAITING) {
        KLOG_INFO("an ID card while a check-in is being saved: ignored");
        return;
    }
    bool in_progress = m->state == STATE_SECOND || m->state == STATE_CARDS;
    person_read p;
    if (!read_person(m, id, &p, now)) {
        sodium_memzero(&p, sizeof p);
        return;
    }
    if (in_progress && m->state == STATE_CARDS)
        booked_card(m, &p, now);
    else if (in_progress)
        second_card(m, &p, now);
    else
        first_card(m, &p, now);
    sodium_memzero(&p, sizeof p);
}

void kiosk_marriage_on_idcard_error(kiosk_marriage *m, const char *reason, kiosk_now now)
{
    if (m->state == STATE_WAITING)
        return;
    if (m->state == STATE_SECOND || m->state == STATE_CARDS) {
        /* The card read so far stays: only this one is placed again. */
        show_waiting_for_card(m, W->misread_headline, W->misread_advice, W->clip_id_again, true,
                              now.mono_ms);
    } else {
        marriage_reason_words w = {W->misread_headline, "", W->misread_advice, W->clip_id_again};
        show_words(m, &w, KIOSK_TONE_ERROR, now.mono_ms);
    }
    json_t *o = event_new(m, "error", now.utc_ms);
    if (o) {
        json_object_set_new(o, "reason", json_string("idcard_unreadable"));
        json_object_set_new(o, "detail", json_string(reason ? reason : ""));
    }
    event_write(m, o);
}

/* --- touches and time ---------------------------------------------------------------------- */

static void booking_key(kiosk_marriage *m, const char *widget, kiosk_now now)
{
    if (kiosk_keypad_type(m->typed, BOOKING_DIGITS, widget, 0)) {
        show_booking(m, now.mono_ms, false);
        return;
    }
    if (strcmp(widget, "confirm") == 0 && strlen(m->typed) >= 4) {
        kiosk_appointment a;
        kiosk_rc rc = kiosk_store_appointment_by_booking(m->store, m->typed, &a);
        if (rc == KIOSK_ERR_NOT_FOUND) {
            show_problem(m, MARRIAGE_BOOKING_UNKNOWN, now.mono_ms);
            add_button(&m->view, "booking", W->retype, KIOSK_ROLE_PRIMARY);
            log_outcome(m, "refused", "booking_unknown", NULL, NULL, now.utc_ms);
            return;
        }
        if (rc != KIOSK_OK) {
            store_problem(m, rc == KIOSK_ERR_BUSY ? KIOSK_ERR_DB : rc, &(kiosk_appointment){0}, 0,
                          now);
            return;
        }
        forget_persons(m);
        m->booked = a;
        m->has_booked = true;
        show_waiting_for_card(m, NULL, NULL, W->clip_place_cards, false, now.mono_ms);
    }
}

void kiosk_marriage_on_press(kiosk_marriage *m, const char *widget, kiosk_now now)
{
    if (m->state == STATE_WAITING)
        return;
    if (strcmp(widget, "back") == 0 || strcmp(widget, "cancel") == 0) {
        /* A check-in given up half way is an outcome; leaving a result is not. */
        if (m->state == STATE_SECOND || m->state == STATE_CARDS || m->state == STATE_BOOKING)
            log_outcome(m, "cancelled", NULL, m->has_booked ? &m->booked : NULL, NULL, now.utc_ms);
        if (m->state != STATE_IDLE)
            show_idle(m);
    } else if (strcmp(widget, "booking") == 0 &&
               (m->state == STATE_IDLE || m->state == STATE_RESULT)) {
        forget_persons(m);
        show_booking(m, now.mono_ms, true);
    } else if (strcmp(widget, "help") == 0 &&
               (m->state == STATE_IDLE || m->state == STATE_RESULT)) {
        show_help(m, now.mono_ms);
    } else if (m->state == STATE_BOOKING) {
        booking_key(m, widget, now);
    } else {
        KLOG_DEBUG("press %s ignored in state %s", widget, state_names[m->state]);
    }
}

void kiosk_marriage_on_tick(kiosk_marriage *m, kiosk_now now)
{
    if (m->deadline_mono_ms == INT64_MAX)
        return;
    if (now.mono_ms < m->deadline_mono_ms) {
        if (m->state != STATE_WAITING && m->view.countdown_s)
            m->view.countdown_s = (int)((m->deadline_mono_ms - now.mono_ms + 999) / 1000);
        return;
    }
    if (m->state == STATE_WAITING) {
        m->tries--;
        kiosk_appointment a = m->pending;
        check_in(m, &a, m->pending_present, now);
        return;
    }
    if (m->state == STATE_SECOND || m->state == STATE_CARDS)
        log_outcome(m, "timeout", NULL, m->has_booked ? &m->booked : NULL, NULL, now.utc_ms);
    show_idle(m);
}

int64_t kiosk_marriage_deadline(const kiosk_marriage *m)
{
    if (m->deadline_mono_ms == INT64_MAX || m->state == STATE_WAITING)
        return m->deadline_mono_ms;
    int64_t next = m->deadline_mono_ms - (int64_t)m->view.countdown_s * 1000 + 1000;
    return next < m->deadline_mono_ms ? next : m->deadline_mono_ms;
}

const kiosk_view *kiosk_marriage_view(const kiosk_marriage *m)
{
    return &m->view;
}

const kiosk_checkin_entry *kiosk_marriage_last_ticket(const kiosk_marriage *m)
{
    return &m->last;
}

/* A ticket without an appointment, issued by the kiosk (who NULL) or by staff (role-checked and
 * audited by the store), then shown and printed. */
static kiosk_rc ticket_without_booking(kiosk_marriage *m, const kiosk_staff_actor *who,
                                       kiosk_service service, kiosk_lane lane, bool under_age,
                                       kiosk_now now, kiosk_checkin_entry *out)
{
    if ((unsigned)service >= KIOSK_SERVICE_COUNT)
        return KIOSK_ERR_INVALID;
    kiosk_ticket_request req = {
        .service = service,
        .lane = lane,
        .prefix = m->own.prefix[service],
        .numbering = m->own.numbering,
        .kiosk_id = m->opts->kiosk_id,
        .now_utc_ms = now.utc_ms,
        .at = local_now(now),
        .under_age = under_age,
    };
    bool existing;
    kiosk_rc rc = who ? kiosk_store_staff_ticket(m->store, who, &req, out)
                      : kiosk_store_issue_ticket(m->store, &req, out, &existing);
    if (rc != KIOSK_OK)
        return rc;
    m->last = *out;
    m->ticket_names[0][0] = m->ticket_names[1][0] = '\0';
    show_ticket(m, NULL, out, false, now.mono_ms);
    print_ticket(m, out);
    log_outcome(m, "issued", NULL, NULL, out, now.utc_ms);
    return KIOSK_OK;
}

kiosk_rc kiosk_marriage_walkin(kiosk_marriage *m, kiosk_service service, kiosk_now now,
                               kiosk_checkin_entry *out)
{
    return ticket_without_booking(m, NULL, service, KIOSK_LANE_WALKIN, false, now, out);
}

kiosk_rc kiosk_marriage_staff_ticket(kiosk_marriage *m, const kiosk_staff_actor *who,
                                     kiosk_service service, kiosk_lane lane, bool under_age,
                                     kiosk_now now, kiosk_checkin_entry *out)
{
    return ticket_without_booking(m, who, service, lane, under_age, now, out);
}

/* --- settings ------------------------------------------------------------------------------ */

static bool parse_int(const char *value, int lo, int hi, int *out)
{
    char *end;
    long v = strtol(value, &end, 10);
    if (!value[0] || *end || v < lo || v > hi)
        return false;
    *out = (int)v;
    return true;
}

/* Reads [marriage]: prefix_<service>, area_<service>, early_minutes, late_minutes, hall_kiosks,
 * kiosk_slot, second_card_seconds, ticket_seconds. */
static kiosk_rc parse_options(const kiosk_settings *section, marriage_options *out, char *err,
                              size_t err_size)
{
    memset(out, 0, sizeof *out);
    for (int s = 0; s < KIOSK_SERVICE_COUNT; s++)
        out->prefix[s] = kiosk_service_default_prefix((kiosk_service)s);
    out->rules = (kiosk_checkin_rules){.early_minutes = 30, .late_minutes = 30};
    out->numbering = (kiosk_numbering){.hall_kiosks = 1, .kiosk_slot = 1};
    out->second_card_seconds = 60;
    out->ticket_seconds = 20;
    for (size_t i = 0; section && i < section->count; i++) {
        const char *key = section->items[i].key, *value = section->items[i].value;
        bool ok = true, known = true;
        if (strncmp(key, "prefix_", 7) == 0 || strncmp(key, "area_", 5) == 0) {
            bool prefix = key[0] == 'p';
            kiosk_service s;
            const char *code = key + (prefix ? 7 : 5);
            known = kiosk_service_parse(code, &s) && strcmp(code, kiosk_service_code(s)) == 0;
            if (known && prefix) {
                ok = strlen(value) == 1 && value[0] >= 'A' && value[0] <= 'Z';
                out->prefix[s] = value[0];
            } else if (known) {
                ok = strlen(value) < sizeof out->area[s];
                snprintf(out->area[s], sizeof out->area[s], "%s", value);
            }
        } else if (strcmp(key, "early_minutes") == 0) {
            ok = parse_int(value, 0, 240, &out->rules.early_minutes);
        } else if (strcmp(key, "late_minutes") == 0) {
            ok = parse_int(value, 0, 240, &out->rules.late_minutes);
        } else if (strcmp(key, "hall_kiosks") == 0) {
            ok = parse_int(value, 1, 9, &out->numbering.hall_kiosks);
        } else if (strcmp(key, "kiosk_slot") == 0) {
            ok = parse_int(value, 1, 9, &out->numbering.kiosk_slot);
        } else if (strcmp(key, "second_card_seconds") == 0) {
            ok = parse_int(value, 10, 600, &out->second_card_seconds);
        } else if (strcmp(key, "ticket_seconds") == 0) {
            ok = parse_int(value, 5, 600, &out->ticket_seconds);
        } else {
            known = false;
        }
        if (!known)
            return kiosk_fail(KIOSK_ERR_CONFIG, err, err_size,
                              "unknown setting '%s' (prefix_<service>, area_<service>,"
                              " early_minutes, late_minutes, hall_kiosks, kiosk_slot,"
                              " second_card_seconds, ticket_seconds; services: marriage,"
                              " divorce_apply, divorce_cert, divorce_withdraw, reissue_marriage,"
                              " reissue_divorce)",
                              key);
        if (!ok)
            return kiosk_fail(KIOSK_ERR_CONFIG, err, err_size, "%s = '%s': %s", key, value,
                              strncmp(key, "prefix_", 7) == 0 ? "one capital letter A-Z"
                              : strncmp(key, "area_", 5) == 0 ? "at most 95 bytes"
                              : strcmp(key, "hall_kiosks") == 0 || strcmp(key, "kiosk_slot") == 0
                                  ? "a number from 1 to 9"
                                  : "a number of minutes or seconds in range");
    }
    if (out->numbering.kiosk_slot > out->numbering.hall_kiosks)
        return kiosk_fail(KIOSK_ERR_CONFIG, err, err_size,
                          "kiosk_slot %d is above hall_kiosks %d: give each kiosk of the hall its"
                          " own slot from 1 to hall_kiosks",
                          out->numbering.kiosk_slot, out->numbering.hall_kiosks);
    return KIOSK_OK;
}

kiosk_rc kiosk_marriage_new(const kiosk_flow_env *env, kiosk_marriage **out, char *err,
                            size_t err_size)
{
    *out = NULL;
    kiosk_marriage *m = calloc(1, sizeof *m);
    if (!m)
        return kiosk_fail(KIOSK_ERR_NOMEM, err, err_size, "out of memory");
    kiosk_settings section = kiosk_flow_section(env, "marriage");
    kiosk_rc rc = parse_options(&section, &m->own, err, err_size);
    if (rc != KIOSK_OK) {
        free(m);
        return rc;
    }
    m->opts = env->settings;
    m->store = env->store;
    m->log = env->events;
    show_idle(m);
    *out = m;
    return KIOSK_OK;
}

void kiosk_marriage_free(kiosk_marriage *m)
{
    if (m)
        sodium_memzero(m, sizeof *m);
    free(m);
}

/* --- the flow's ops table ----------------------------------------------------------------- */

static kiosk_rc flow_check_settings(const kiosk_settings *section, char *err, size_t err_size)
{
    marriage_options o;
    return parse_options(section, &o, err, err_size);
}

static kiosk_rc flow_create(const kiosk_flow_env *env, void **self, char *err, size_t err_size)
{
    kiosk_marriage *m;
    kiosk_rc rc = kiosk_marriage_new(env, &m, err, err_size);
    *self = m;
    return rc;
}

static void flow_destroy(void *self)
{
    kiosk_marriage_free(self);
}

static kiosk_flow_next flow_idcard(void *self, const kiosk_idcard *id, kiosk_now now)
{
    kiosk_marriage_on_idcard(self, id, now);
    return KIOSK_FLOW_STAY;
}

static kiosk_flow_next flow_idcard_error(void *self, const char *reason, kiosk_now now)
{
    kiosk_marriage_on_idcard_error(self, reason, now);
    return KIOSK_FLOW_STAY;
}

static kiosk_flow_next flow_press(void *self, const char *widget, kiosk_now now)
{
    kiosk_marriage_on_press(self, widget, now);
    return KIOSK_FLOW_STAY;
}

static kiosk_flow_next flow_tick(void *self, kiosk_now now)
{
    kiosk_marriage_on_tick(self, now);
    return KIOSK_FLOW_STAY;
}

static int64_t flow_deadline(const void *self)
{
    return kiosk_marriage_deadline(self);
}

static const kiosk_view *flow_view(const void *self)
{
    return kiosk_marriage_view(self);
}

const kiosk_flow_ops kiosk_marriage_flow = {
    .name = "marriage",
    .base = true,
    .needs_store = true,
    .check_settings = flow_check_settings,
    .create = flow_create,
    .destroy = flow_destroy,
    .on_idcard = flow_idcard,
    .on_idcard_error = flow_idcard_error,
    .on_press = flow_press,
    .on_tick = flow_tick,
    .deadline = flow_deadline,
    .view = flow_view,
    .clips = marriage_clips,
};
