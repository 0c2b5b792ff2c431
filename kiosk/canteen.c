/* canteen.c - the canteen flow's states, transitions and the words it shows and speaks. */
#include "canteen.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "clock.h"
#include "idnum.h"
#include "log.h"
#include "money.h"
#include "receipt.h"
#include "recid.h"
#include "speech.h"
#define KIOSK_LOG_MODULE "canteen"

#define CANTEEN_STATES(X) \
    X(IDLE)               \
    X(RESULT)             \
    X(DAY_VIEW)

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

#define RECENT_TAPS      16
#define HISTORY_MAX      128 /* a month holds at most 3 meals x 31 days of one person */
#define DAY_VIEW_SECONDS 30
#define HELP_SECONDS     15

typedef struct recent_tap {
    uint8_t card_key[KIOSK_CARD_KEY_BYTES];
    int64_t mono_ms;
    bool used;
    char record_id[KIOSK_RECID_TEXT];
    kiosk_view view;
} recent_tap;

struct kiosk_canteen {
    canteen_state state;
    kiosk_canteen_options opts;
    kiosk_store *store;
    const kiosk_policy_set *policies;
    kiosk_events_log *log;
    kiosk_view view;
    int64_t deadline_mono_ms; /* back to idle at this time; INT64_MAX when idle */
    recent_tap recent[RECENT_TAPS];
    size_t recent_next;
    char last_record_id[KIOSK_RECID_TEXT];
    /* The last served meal, for its receipt: copies, so the receipt outlives the view. */
    bool has_receipt;
    kiosk_receipt receipt;
    char receipt_name[KIOSK_NAME_MASKED_MAX], receipt_class[KIOSK_CLASS_LABEL_MAX];
    kiosk_meal_record history[HISTORY_MAX];
};

/* Every state change goes through here, so the log shows the path a tap took. */
static void transition(kiosk_canteen *c, canteen_state next, int line)
{
    KLOG_DEBUG("-> [%s] (line %d)", state_names[next], line);
    c->state = next;
}
#define GO(c, next) transition((c), (next), __LINE__)

static void say(kiosk_view *v, const char *clip)
{
    if (v->voice_count < KIOSK_VIEW_VOICE)
        v->voice[v->voice_count++] = clip;
}

static void say_amount(kiosk_view *v, int64_t fen)
{
    v->voice_count +=
        kiosk_speech_amount(fen, v->voice + v->voice_count, KIOSK_VIEW_VOICE - v->voice_count);
}

static void add_row(kiosk_view *v, const char *label, int64_t fen, bool emphasis)
{
    if (v->row_count == KIOSK_VIEW_ROWS)
        return;
    kiosk_view_row *r = &v->rows[v->row_count++];
    snprintf(r->label, sizeof r->label, "%s", label);
    kiosk_money_format(fen, r->value, sizeof r->value);
    r->emphasis = emphasis;
}

/* Starts a new screen's content: keeps the frame (title, clock) and clears the rest. */
static void view_begin(kiosk_canteen *c, kiosk_screen screen, kiosk_tone tone)
{
    kiosk_view *v = &c->view;
    unsigned serial = v->voice_serial;
    char date[sizeof v->date_text], time_text[sizeof v->time_text], status[sizeof v->status_text];
    memcpy(date, v->date_text, sizeof date);
    memcpy(time_text, v->time_text, sizeof time_text);
    memcpy(status, v->status_text, sizeof status);
    memset(v, 0, sizeof *v);
    memcpy(v->date_text, date, sizeof date);
    memcpy(v->time_text, time_text, sizeof time_text);
    memcpy(v->status_text, status, sizeof status);
    snprintf(v->title, sizeof v->title, "%s · 助餐服务", c->opts.site_name);
    v->screen = screen;
    v->tone = tone;
    v->voice_serial = serial;
}

static void show_idle(kiosk_canteen *c)
{
    view_begin(c, KIOSK_SCREEN_IDLE, KIOSK_TONE_INFO);
    snprintf(c->view.prompt, sizeof c->view.prompt, "请刷卡");
    snprintf(c->view.hint, sizeof c->view.hint, "请把助餐卡贴在下方读卡区");
    c->deadline_mono_ms = INT64_MAX;
    GO(c, STATE_IDLE);
}

kiosk_canteen *kiosk_canteen_new(const kiosk_canteen_options *opts, kiosk_store *store,
                                 const kiosk_policy_set *policies, kiosk_events_log *log)
{
    kiosk_canteen *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->opts = *opts;
    c->store = store;
    c->policies = policies;
    c->log = log;
    show_idle(c);
    return c;
}

void kiosk_canteen_free(kiosk_canteen *c)
{
    free(c);
}

void kiosk_canteen_set_status(kiosk_canteen *c, const char *text)
{
    snprintf(c->view.status_text, sizeof c->view.status_text, "%s", text);
}

kiosk_view *kiosk_canteen_view(kiosk_canteen *c)
{
    return &c->view;
}

const char *kiosk_canteen_last_record_id(const kiosk_canteen *c)
{
    return c->last_record_id;
}

int64_t kiosk_canteen_deadline(const kiosk_canteen *c)
{
    if (c->deadline_mono_ms == INT64_MAX)
        return INT64_MAX;
    /* Wake once a second for the countdown, and at the deadline itself. */
    int64_t next = c->deadline_mono_ms - (int64_t)c->view.countdown_s * 1000 + 1000;
    return next < c->deadline_mono_ms ? next : c->deadline_mono_ms;
}

static void show_for(kiosk_canteen *c, canteen_state state, int seconds, int64_t now_mono_ms)
{
    c->deadline_mono_ms = now_mono_ms + (int64_t)seconds * 1000;
    c->view.countdown_s = seconds;
    c->view.voice_serial++;
    GO(c, state);
}

void kiosk_canteen_on_tick(kiosk_canteen *c, int64_t now_mono_ms)
{
    if (c->deadline_mono_ms == INT64_MAX)
        return;
    if (now_mono_ms >= c->deadline_mono_ms) {
        show_idle(c);
        return;
    }
    int64_t left_ms = c->deadline_mono_ms - now_mono_ms;
    c->view.countdown_s = (int)((left_ms + 999) / 1000);
}

/* --- the events log -------------------------------------------------------------------- */

/* The start of an outcome line; NULL when no events file is configured, so a kiosk without one
 * builds no JSON on the tap path. */
static json_t *event_new(kiosk_canteen *c, const char *result, int64_t now_utc_ms)
{
    if (!c->log)
        return NULL;
    return json_pack("{s:s, s:s, s:s, s:I}", "kind", "meal", "result", result, "kiosk_id",
                     c->opts.kiosk_id, "at_utc_ms", (json_int_t)now_utc_ms);
}

static void event_write(kiosk_canteen *c, json_t *o)
{
    if (o && kiosk_events_log_take(c->log, o) != KIOSK_OK)
        KLOG_WARN("outcome not written to the events file");
}

static void log_meal_event(kiosk_canteen *c, const char *result, const kiosk_decision *d,
                           const char *record_id, int64_t now_utc_ms)
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
    }
    if (record_id && record_id[0])
        json_object_set_new(o, "record_id", json_string(record_id));
    event_write(c, o);
}

static void log_reason_event(kiosk_canteen *c, const char *result, kiosk_reason reason,
                             int64_t now_utc_ms)
{
    kiosk_decision d = {.reason = reason, .meal_type = KIOSK_MEAL_NONE};
    log_meal_event(c, result, &d, NULL, now_utc_ms);
}

/* --- result screens -------------------------------------------------------------------- */

/* How the diner was identified: by a service card, or by the ID-card reader (no card). */
typedef enum identified_by { BY_CARD, BY_ID_NUMBER } identified_by;

/* Something went wrong that is not the diner's entitlement: what happened and what to do. */
static void show_problem(kiosk_canteen *c, const char *headline, const char *message,
                         const char *advice, const char *clip, int64_t now_mono_ms)
{
    view_begin(c, KIOSK_SCREEN_RESULT, KIOSK_TONE_ERROR);
    kiosk_view *v = &c->view;
    snprintf(v->headline, sizeof v->headline, "%s", headline);
    snprintf(v->message, sizeof v->message, "%s", message);
    snprintf(v->advice, sizeof v->advice, "%s", advice);
    say(v, clip);
    show_for(c, STATE_RESULT, c->opts.result_seconds, now_mono_ms);
}

static void show_error(kiosk_canteen *c, const char *message, int64_t now_mono_ms)
{
    show_problem(c, "暂时无法用餐", message, "请到窗口找工作人员", "error", now_mono_ms);
}

static void describe_previous(kiosk_canteen *c, const kiosk_decision *d, char *out, size_t size)
{
    const kiosk_meal_record *p = d->previous;
    if (!p) {
        snprintf(out, size, "今天已经用过%s", kiosk_meal_type_label(d->meal_type));
        return;
    }
    bool here = strcmp(p->canteen_id, c->opts.site.canteen_id) == 0;
    snprintf(out, size, "今天 %02d:%02d 已在%s用过%s", p->at.minute_of_day / 60,
             p->at.minute_of_day % 60, here ? "本助餐点" : "其他助餐点",
             kiosk_meal_type_label(p->meal_type));
}

static void show_refusal(kiosk_canteen *c, identified_by by, const kiosk_holder *h,
                         const kiosk_decision *d, const kiosk_policy *policy, int64_t now_mono_ms)
{
    view_begin(c, KIOSK_SCREEN_RESULT, KIOSK_TONE_REFUSED);
    kiosk_view *v = &c->view;
    if (h)
        snprintf(v->name, sizeof v->name, "%s", h->name_masked);
    snprintf(v->headline, sizeof v->headline, "%s", kiosk_reason_text(d->reason));
    const char *advice = "请到窗口找工作人员";
    say(v, kiosk_reason_code(d->reason));
    switch (d->reason) {
    case KIOSK_REASON_UNKNOWN_CARD:
        snprintf(v->message, sizeof v->message, "%s",
                 by == BY_CARD ? "这张卡没有登记助餐服务" : "这张身份证没有登记助餐服务");
        break;
    case KIOSK_REASON_CARD_BLOCKED:
        snprintf(v->message, sizeof v->message, "这张卡已挂失或停用，不能刷卡用餐");
        break;
    case KIOSK_REASON_PERSON_INACTIVE:
        snprintf(v->message, sizeof v->message, "您的助餐资格目前已停用");
        break;
    case KIOSK_REASON_NO_POLICY:
        snprintf(v->message, sizeof v->message, "今天没有生效的助餐补贴政策");
        break;
    case KIOSK_REASON_OUTSIDE_MEAL_HOURS: {
        char *p = v->message;
        size_t left = sizeof v->message;
        int n = snprintf(p, left, "用餐时间：");
        for (int t = 0; policy && t < KIOSK_MEAL_COUNT && n > 0 && (size_t)n < left; t++) {
            int start, end;
            if (!kiosk_policy_meal_window(policy, (kiosk_meal_type)t, &start, &end))
                continue;
            p += n;
            left -= (size_t)n;
            n = snprintf(p, left, "%s %02d:%02d-%02d:%02d  ",
                         kiosk_meal_type_label((kiosk_meal_type)t), start / 60, start % 60,
                         end / 60, end % 60);
        }
        advice = "请在用餐时间再来刷卡";
        break;
    }
    case KIOSK_REASON_ALREADY_HAD_MEAL:
    case KIOSK_REASON_DAILY_LIMIT:
        describe_previous(c, d, v->message, sizeof v->message);
        advice = "如有疑问，请找工作人员";
        break;
    case KIOSK_REASON_MONTHLY_CAP:
        snprintf(v->message, sizeof v->message, "本月的助餐补贴额度已经用完");
        break;
    case KIOSK_REASON_NOT_ELIGIBLE_AGE:
        snprintf(v->message, sizeof v->message, "您还不在助餐补贴的年龄范围内");
        break;
    case KIOSK_REASON_NOT_ELIGIBLE_RESIDENCE:
        snprintf(v->message, sizeof v->message, "您的户籍或居住地不在本地助餐范围");
        break;
    case KIOSK_REASON_WRONG_CANTEEN:
        snprintf(v->message, sizeof v->message, "这张卡只能在发卡的助餐点使用");
        advice = "请到发卡的助餐点用餐，或找工作人员";
        break;
    case KIOSK_REASON_OK:
    case KIOSK_REASON_COUNT:
        break;
    }
    if (d->full_price_allowed && d->price_fen > 0) {
        char price[32];
        kiosk_money_format(d->price_fen, price, sizeof price);
        snprintf(v->advice, sizeof v->advice, "可以按原价 %s 用餐，请到窗口付款", price);
        add_row(v, "原价", d->price_fen, true);
        say(v, "full_price_ok");
    } else {
        snprintf(v->advice, sizeof v->advice, "%s", advice);
    }
    show_for(c, STATE_RESULT, c->opts.result_seconds, now_mono_ms);
}

static void show_success(kiosk_canteen *c, const kiosk_holder *h, const kiosk_decision *d,
                         int64_t now_mono_ms)
{
    view_begin(c, KIOSK_SCREEN_RESULT, KIOSK_TONE_SUCCESS);
    kiosk_view *v = &c->view;
    snprintf(v->headline, sizeof v->headline, "用餐成功");
    snprintf(v->name, sizeof v->name, "%s", h->name_masked);
    snprintf(v->subline, sizeof v->subline, "%s%s%s", d->class_label,
             d->class_label[0] ? " · " : "", kiosk_meal_type_label(d->meal_type));
    add_row(v, "餐费", d->price_fen, false);
    add_row(v, "补贴", d->subsidy_fen, false);
    add_row(v, "您需支付", d->pay_fen, true);
    if (d->month_remaining_fen >= 0) {
        char left[32];
        kiosk_money_format(d->month_remaining_fen, left, sizeof left);
        snprintf(v->message, sizeof v->message, "本月补贴还剩 %s", left);
    }
    snprintf(v->advice, sizeof v->advice, d->pay_fen > 0 ? "请到窗口付款取餐" : "请到窗口取餐");
    say(v, "meal_ok");
    if (d->subsidy_fen > 0) {
        say(v, "subsidy");
        say_amount(v, d->subsidy_fen);
    }
    if (d->pay_fen > 0) {
        say(v, "you_pay");
        say_amount(v, d->pay_fen);
    } else {
        say(v, "free_meal");
    }
    show_for(c, STATE_RESULT, c->opts.result_seconds, now_mono_ms);
}

/* --- the tap ------------------------------------------------------------------------------ */

static recent_tap *find_recent(kiosk_canteen *c, const uint8_t key[KIOSK_CARD_KEY_BYTES],
                               int64_t now_mono_ms)
{
    int64_t window_ms = (int64_t)c->opts.repeat_tap_seconds * 1000;
    for (size_t i = 0; i < RECENT_TAPS; i++) {
        recent_tap *r = &c->recent[i];
        if (r->used && now_mono_ms - r->mono_ms < window_ms &&
            memcmp(r->card_key, key, KIOSK_CARD_KEY_BYTES) == 0)
            return r;
    }
    return NULL;
}

static void remember_tap(kiosk_canteen *c, const uint8_t key[KIOSK_CARD_KEY_BYTES],
                         int64_t now_mono_ms, const char *record_id)
{
    recent_tap *r = &c->recent[c->recent_next];
    c->recent_next = (c->recent_next + 1) % RECENT_TAPS;
    memcpy(r->card_key, key, KIOSK_CARD_KEY_BYTES);
    r->mono_ms = now_mono_ms;
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
        .site_name = c->opts.site_name,
        .name_masked = c->receipt_name,
        .class_label = c->receipt_class,
        .meal_label = kiosk_meal_type_label(d->meal_type),
        .at = at,
        .price_fen = d->price_fen,
        .subsidy_fen = d->subsidy_fen,
        .pay_fen = d->pay_fen,
        .month_remaining_fen = d->month_remaining_fen,
        .record_id = c->last_record_id,
        .kiosk_id = c->opts.kiosk_id,
    };
    c->has_receipt = true;
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
static bool show_repeat(kiosk_canteen *c, const uint8_t key[KIOSK_CARD_KEY_BYTES],
                        int64_t now_utc_ms, int64_t now_mono_ms)
{
    recent_tap *again = find_recent(c, key, now_mono_ms);
    if (!again)
        return false;
    unsigned serial = c->view.voice_serial;
    c->view = again->view;
    c->view.voice_serial = serial;
    c->view.voice_count = 0;
    say(&c->view, "same_result");
    show_for(c, STATE_RESULT, c->opts.result_seconds, now_mono_ms);
    log_meal_event(c, "repeat", NULL, again->record_id, now_utc_ms);
    return true;
}

/* Lookup -> decision -> durable record -> screen, for a card or an ID number's keyed hash. */
static void serve(kiosk_canteen *c, const uint8_t key[KIOSK_CARD_KEY_BYTES], identified_by by,
                  int64_t now_utc_ms, int64_t now_mono_ms)
{
    if (show_repeat(c, key, now_utc_ms, now_mono_ms))
        return;

    kiosk_holder holder;
    kiosk_rc rc = by == BY_CARD ? kiosk_store_find_card(c->store, key, &holder)
                                : kiosk_store_find_id_number(c->store, key, &holder);
    if (rc == KIOSK_ERR_NOT_FOUND) {
        kiosk_decision d = {.reason = KIOSK_REASON_UNKNOWN_CARD, .meal_type = KIOSK_MEAL_NONE};
        show_refusal(c, by, NULL, &d, NULL, now_mono_ms);
        log_reason_event(c, "refused", KIOSK_REASON_UNKNOWN_CARD, now_utc_ms);
        remember_tap(c, key, now_mono_ms, NULL);
        return;
    }
    if (rc != KIOSK_OK) {
        show_error(c, "读取本机数据出错", now_mono_ms);
        log_meal_event(c, "error", NULL, NULL, now_utc_ms);
        return;
    }

    kiosk_local_time at = kiosk_clock_local(now_utc_ms);
    const kiosk_policy *policy = kiosk_policy_set_in_force(c->policies, at.date);
    size_t count = 0;
    rc = kiosk_store_month_meals(c->store, holder.person_id, at.date, c->history, HISTORY_MAX,
                                 &count);
    if (rc != KIOSK_OK) {
        show_error(c, "读取本机数据出错", now_mono_ms);
        log_meal_event(c, "error", NULL, NULL, now_utc_ms);
        return;
    }
    kiosk_meal_history history = {c->history, count};
    kiosk_decision d = kiosk_policy_decide(
        policy, &holder.person, by == BY_CARD ? &holder.card : NULL, &c->opts.site, &history, at);
    if (!d.approved) {
        show_refusal(c, by, &holder, &d, policy, now_mono_ms);
        log_meal_event(c, "refused", &d, NULL, now_utc_ms);
        remember_tap(c, key, now_mono_ms, NULL);
        return;
    }

    kiosk_meal_entry meal = {
        .record_id = kiosk_recid_new(now_utc_ms),
        .has_card = by == BY_CARD,
        .created_utc_ms = now_utc_ms,
        .at = at,
        .decision = d,
    };
    if (by == BY_CARD)
        memcpy(meal.card_key, key, KIOSK_CARD_KEY_BYTES);
    snprintf(meal.person_id, sizeof meal.person_id, "%s", holder.person_id);
    snprintf(meal.kiosk_id, sizeof meal.kiosk_id, "%s", c->opts.kiosk_id);
    snprintf(meal.canteen_id, sizeof meal.canteen_id, "%s", c->opts.site.canteen_id);
    rc = kiosk_store_add_meal(c->store, &meal);
    if (rc != KIOSK_OK) {
        /* Nothing was recorded, so nobody may be told "success". */
        show_error(c, rc == KIOSK_ERR_FULL ? "本机存储空间已满，记录没有保存" : "记录没有保存成功",
                   now_mono_ms);
        log_meal_event(c, "error", &d, NULL, now_utc_ms);
        return;
    }
    kiosk_recid_format(&meal.record_id, c->last_record_id);
    remember_receipt(c, &holder, &d, at);
    show_success(c, &holder, &d, now_mono_ms);
    log_meal_event(c, "approved", &d, c->last_record_id, now_utc_ms);
    remember_tap(c, key, now_mono_ms, c->last_record_id);
}

void kiosk_canteen_on_card(kiosk_canteen *c, const uint8_t *uid, size_t uid_len, int64_t now_utc_ms,
                           int64_t now_mono_ms)
{
    uint8_t key[KIOSK_CARD_KEY_BYTES];
    kiosk_store_card_key(c->store, uid, uid_len, key);
    serve(c, key, BY_CARD, now_utc_ms, now_mono_ms);
}

void kiosk_canteen_on_id_number(kiosk_canteen *c, const char *number, int64_t now_utc_ms,
                                int64_t now_mono_ms)
{
    kiosk_idnum id;
    kiosk_idnum_result r = kiosk_idnum_validate(number, kiosk_clock_local(now_utc_ms).date, &id);
    if (r != KIOSK_IDNUM_OK) {
        /* A misread: the certified reader checks the chip, so ask for the card again. */
        show_problem(c, "身份证没有读清楚", kiosk_idnum_result_text(r), "请把身份证重新放在读卡区",
                     "id_again", now_mono_ms);
        json_t *o = event_new(c, "error", now_utc_ms);
        if (o)
            json_object_set_new(o, "reason", json_string(kiosk_idnum_result_code(r)));
        event_write(c, o);
        return;
    }
    uint8_t key[KIOSK_CARD_KEY_BYTES];
    kiosk_store_id_number_key(c->store, id.number, key);
    sodium_memzero(&id, sizeof id);
    serve(c, key, BY_ID_NUMBER, now_utc_ms, now_mono_ms);
}

/* --- touches ------------------------------------------------------------------------------ */

static void show_help(kiosk_canteen *c, int64_t now_mono_ms)
{
    view_begin(c, KIOSK_SCREEN_RESULT, KIOSK_TONE_INFO);
    kiosk_view *v = &c->view;
    snprintf(v->headline, sizeof v->headline, "需要帮助吗？");
    snprintf(v->message, sizeof v->message, "把助餐卡贴在下方读卡区，屏幕会显示补贴和应付金额");
    snprintf(v->advice, sizeof v->advice, "没有卡或有疑问，请到窗口找工作人员");
    say(v, "tap_card");
    say(v, "see_staff");
    show_for(c, STATE_RESULT, HELP_SECONDS, now_mono_ms);
}

static void table_row(kiosk_view *v, const char *a, const char *b, int64_t subsidy, int64_t pay)
{
    if (v->table_rows == KIOSK_VIEW_TABLE_ROWS)
        return;
    kiosk_view_table_row *r = &v->table[v->table_rows++];
    snprintf(r->cells[0], sizeof r->cells[0], "%s", a);
    snprintf(r->cells[1], sizeof r->cells[1], "%s", b);
    kiosk_money_format(subsidy, r->cells[2], sizeof r->cells[2]);
    kiosk_money_format(pay, r->cells[3], sizeof r->cells[3]);
}

static void show_day_view(kiosk_canteen *c, int64_t now_utc_ms, int64_t now_mono_ms)
{
    kiosk_local_time at = kiosk_clock_local(now_utc_ms);
    kiosk_report report;
    if (kiosk_store_report(c->store, at.date, at.date, &report) != KIOSK_OK) {
        show_error(c, "读取今日统计出错", now_mono_ms);
        return;
    }
    /* Class ids are shown with the labels of today's policy. */
    const kiosk_policy *policy = kiosk_policy_set_in_force(c->policies, at.date);
    view_begin(c, KIOSK_SCREEN_DAY_VIEW, KIOSK_TONE_INFO);
    kiosk_view *v = &c->view;
    snprintf(v->table_title, sizeof v->table_title, "今日统计 %04d-%02d-%02d", at.date.year,
             at.date.month, at.date.day);
    char count[32];
    snprintf(count, sizeof count, "%ld 份", report.meals);
    table_row(v, "合计", count, report.subsidy_fen, report.pay_fen);
    for (int t = 0; t < KIOSK_MEAL_COUNT; t++) {
        snprintf(count, sizeof count, "%ld 份", report.by_meal[t].meals);
        table_row(v, kiosk_meal_type_label((kiosk_meal_type)t), count,
                  report.by_meal[t].subsidy_fen, report.by_meal[t].pay_fen);
    }
    for (size_t i = 0; i < report.class_count && v->table_rows < KIOSK_VIEW_TABLE_ROWS; i++) {
        snprintf(count, sizeof count, "%ld 份", report.by_class[i].meals);
        table_row(v, kiosk_policy_class_label(policy, report.by_class[i].key), count,
                  report.by_class[i].subsidy_fen, report.by_class[i].pay_fen);
    }
    show_for(c, STATE_DAY_VIEW, DAY_VIEW_SECONDS, now_mono_ms);
}

void kiosk_canteen_on_press(kiosk_canteen *c, const char *widget, int64_t now_utc_ms,
                            int64_t now_mono_ms)
{
    if (strcmp(widget, "back") == 0 && c->state != STATE_IDLE) {
        show_idle(c);
    } else if (strcmp(widget, "help") == 0 && c->state == STATE_IDLE) {
        show_help(c, now_mono_ms);
    } else if (strcmp(widget, "dayview") == 0 && c->state == STATE_IDLE) {
        show_day_view(c, now_utc_ms, now_mono_ms);
    } else {
        KLOG_DEBUG("press %s ignored in state %s", widget, state_names[c->state]);
    }
}
