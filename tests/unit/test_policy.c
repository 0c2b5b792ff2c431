/* test_policy.c - the subsidy policy: the three example policies of docs/policy.md (read from
 * the directory in argv[1], tests/policies), decided over tables of diners and times, variants
 * of them made with Jansson (sum instead of highest, a new version at midnight, ...), the set of
 * versions, and one bad input per validation rule with the message it must give.
 * Every expected amount is worked out by hand from the policy in the comment beside it. */
#include <jansson.h>
#include <stdlib.h>

#include "check.h"
#include "policy.h"

static const char *policy_dir;

/* --- loading ----------------------------------------------------------------------------- */

static char *read_file(const char *name, size_t *len)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", policy_dir, name);
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "cannot open %s\n", path);
        exit(1);
    }
    char *buf = malloc(1 << 20);
    *len = buf ? fread(buf, 1, 1 << 20, f) : 0;
    fclose(f);
    if (!buf) {
        fprintf(stderr, "out of memory\n");
        exit(1);
    }
    return buf;
}

static kiosk_policy *parse_or_die(const char *text, size_t len, const char *what)
{
    kiosk_policy *p = NULL;
    char err[256];
    if (kiosk_policy_parse(text, len, &p, err, sizeof err) != KIOSK_OK) {
        fprintf(stderr, "%s does not parse: %s\n", what, err);
        exit(1);
    }
    return p;
}

static kiosk_policy *load(const char *name)
{
    size_t len;
    char *text = read_file(name, &len);
    kiosk_policy *p = parse_or_die(text, len, name);
    free(text);
    return p;
}

/* A file's policy with the top-level key `drop` removed (unless NULL) and `patch` (JSON) merged
 * in recursively: objects merge, other values (arrays too) replace. */
static kiosk_policy *variant_without(const char *name, const char *drop, const char *patch)
{
    size_t len;
    char *text = read_file(name, &len);
    json_t *root = json_loadb(text, len, 0, NULL), *delta = json_loads(patch, 0, NULL);
    free(text);
    if (!root || !delta || (drop && json_object_del(root, drop) != 0) ||
        json_object_update_recursive(root, delta) != 0) {
        fprintf(stderr, "bad variant of %s: %s\n", name, patch);
        exit(1);
    }
    char *out = json_dumps(root, 0);
    kiosk_policy *p = parse_or_die(out, strlen(out), patch);
    free(out);
    json_decref(root);
    json_decref(delta);
    return p;
}

static kiosk_policy *variant(const char *name, const char *patch)
{
    return variant_without(name, NULL, patch);
}

/* --- diners, sites, times ------------------------------------------------------------------ */

#define AT(y, mo, d, h, mi) ((kiosk_local_time){{y, mo, d}, (h)*60 + (mi), 0})
#define REC(y, mo, d, h, mi, type, fen)                                                           \
    {                                                                                             \
        .at = {{y, mo, d}, (h)*60 + (mi), 0}, .meal_type = KIOSK_MEAL_##type, .subsidy_fen = fen, \
        .canteen_id = "gl-hql"                                                                    \
    }

/* A record whose subsidy included the day's once-a-day subsidy (day of it). */
#define REC_DAY(y, mo, d, h, mi, type, fen, day)                                                  \
    {                                                                                             \
        .at = {{y, mo, d}, (h)*60 + (mi), 0}, .meal_type = KIOSK_MEAL_##type, .subsidy_fen = fen, \
        .canteen_id = "gl-hql", .day_subsidy_fen = day                                            \
    }

#define HOME_GL                       \
    {                                 \
        "3201", "320106", "320106002" \
    }
#define HOME_JA                       \
    {                                 \
        "3101", "310106", "310106013" \
    }
#define HOME_JA_STREET2               \
    {                                 \
        "3101", "310106", "310106014" \
    } /* same district, another street */
#define HOME_JA_DISTRICT2             \
    {                                 \
        "3101", "310104", "310104003" \
    } /* same city, another district */
#define HOME_JA_NO_STREET    \
    {                        \
        "3101", "310106", "" \
    } /* street unknown */
#define PERSON(y, mo, d, cats, home_area, hukou, resident, is_active)                         \
    {                                                                                         \
        .birth = {y, mo, d}, .categories = (cats), .home = home_area, .local_hukou = (hukou), \
        .local_resident = (resident), .active = (is_active)                                   \
    }
/* A local (户籍) elder living in the Gulou canteen's street, or in the Jing'an one's. */
#define GL(y, mo, d, cats) PERSON(y, mo, d, cats, HOME_GL, true, true, true)
#define JA(y, mo, d, cats) PERSON(y, mo, d, cats, HOME_JA, true, true, true)

#define TEKUN    KIOSK_CAT(TEKUN)
#define DIBAO    KIOSK_CAT(DIBAO)
#define DISABLED KIOSK_CAT(DISABLED)

static const kiosk_site site_gl = {"gl-hql", HOME_GL};
static const kiosk_site site_ja = {"ja-jj-01", HOME_JA};
static const kiosk_site site_ja_nostreet = {"ja-jj-01", {"3101", "310106", ""}};
static const kiosk_card_info card_any = {false, ""};
static const kiosk_card_info card_blocked = {true, ""};
static const kiosk_card_info card_ja01 = {false, "ja-jj-01"};
static const kiosk_card_info card_ja02 = {false, "ja-jj-02"};

typedef struct decide_case {
    int line;
    kiosk_person person;
    const kiosk_card_info *card;
    const kiosk_site *site;
    const kiosk_meal_record *history;
    size_t history_count;
    kiosk_local_time at;
    kiosk_reason reason;
    kiosk_meal_type meal;
    int64_t price, subsidy, pay;
    int64_t funding[KIOSK_LEVEL_COUNT];
    const char *class_id;
    bool full_price;
    int64_t remaining;
    int previous;    /* index into history; -1 = none */
    int64_t bill;    /* a bill (pricing = bill) of this many fen; 0: the policy's price */
    int64_t canteen; /* the part of the subsidy the canteen gives itself */
} decide_case;

#define NO_HISTORY NULL, 0
#define HIST(a)    a, sizeof a / sizeof a[0]
/* Approved: meal, price, subsidy, pay, city/district/street shares, class, month remaining. */
#define OK(type, p, s, y, c, d, st, cls, rem)                                                 \
    .reason = KIOSK_REASON_OK, .meal = KIOSK_MEAL_##type, .price = p, .subsidy = s, .pay = y, \
    .funding = {c, d, st}, .class_id = cls, .remaining = rem, .previous = -1
/* Refused over a limit or the cap: the screen may offer the full price. */
#define OVER(why, type, p, cls, full, rem, prev)                                   \
    .reason = KIOSK_REASON_##why, .meal = KIOSK_MEAL_##type, .price = p, .pay = p, \
    .class_id = cls, .full_price = full, .remaining = rem, .previous = prev
/* Refused before any price is worked out. */
#define NO(why, type, rem)                                                                     \
    .reason = KIOSK_REASON_##why, .meal = KIOSK_MEAL_##type, .class_id = "", .remaining = rem, \
    .previous = -1

/* The decision on a list of earlier meals, summarised as the store would (kiosk_meal_summarize
 * and the store's SQL give the same summary; test_store checks that). */
static kiosk_decision decide(const kiosk_policy *pol, const kiosk_person *person,
                             const kiosk_card_info *card, const kiosk_site *site,
                             const kiosk_meal_record *history, size_t n, kiosk_local_time at,
                             int64_t bill)
{
    kiosk_meal_summary sum = kiosk_meal_summarize(history, n, at.date);
    kiosk_order order = {.source = KIOSK_PRICE_BILL, .price_fen = bill};
    return kiosk_policy_decide(pol, person, card, site, &sum, at, bill > 0 ? &order : NULL);
}

/* Whether the decision names this earlier meal (or none, for NULL). */
static bool names_previous(const kiosk_decision *d, const kiosk_meal_record *want)
{
    if (!want)
        return !d->has_previous;
    return d->has_previous && kiosk_date_cmp(d->previous.at.date, want->at.date) == 0 &&
           d->previous.at.minute_of_day == want->at.minute_of_day &&
           d->previous.meal_type == want->meal_type &&
           d->previous.subsidy_fen == want->subsidy_fen &&
           strcmp(d->previous.canteen_id, want->canteen_id) == 0;
}

static void run_cases(const kiosk_policy *pol, const decide_case *cases, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const decide_case *c = &cases[i];
        int before = check_failures;
        kiosk_decision d =
            decide(pol, &c->person, c->card, c->site, c->history, c->history_count, c->at, c->bill);
        CHECK_STR(kiosk_reason_code(d.reason), kiosk_reason_code(c->reason));
        CHECK_INT(d.approved, c->reason == KIOSK_REASON_OK);
        CHECK_STR(kiosk_meal_type_code(d.meal_type), kiosk_meal_type_code(c->meal));
        CHECK_INT(d.price_fen, c->price);
        CHECK_INT(d.subsidy_fen, c->subsidy);
        CHECK_INT(d.pay_fen, c->pay);
        for (int l = 0; l < KIOSK_LEVEL_COUNT; l++)
            CHECK_INT(d.funding_fen[l], c->funding[l]);
        CHECK_STR(d.class_id, c->class_id);
        CHECK_INT(d.full_price_allowed, c->full_price);
        CHECK_INT(d.month_remaining_fen, c->remaining);
        CHECK_INT(d.canteen_fen, c->canteen);
        CHECK(names_previous(&d, c->previous >= 0 ? &c->history[c->previous] : NULL));
        CHECK_STR(d.policy_version, kiosk_policy_version(pol));
        /* Invariants, whatever the case. */
        CHECK(d.subsidy_fen >= 0 && d.subsidy_fen <= d.price_fen);
        CHECK_INT(d.pay_fen, d.price_fen - d.subsidy_fen);
        CHECK_INT(d.funding_fen[0] + d.funding_fen[1] + d.funding_fen[2] + d.canteen_fen,
                  d.subsidy_fen);
        if (check_failures != before)
            fprintf(stderr, "  ^ in the case at %s:%d\n", __FILE__, c->line);
    }
}

/* --- (a) fixed subsidies by class and meal type, highest applies ---------------------------- */

/* Policy fixed-by-class.json: breakfast 07:00-09:00 500, lunch 11:00-13:00 1500, dinner
 * 17:00-19:00 1200. age70 100/300/200, age80 200/500/300, age90 300/700/500, age100 1500,
 * dibao lunch 800 dinner 600, tekun 1500, disabled 600 only when the price exceeds 600. Highest
 * applies; one subsidised meal per type and two per day; cap 20000 a month; funding 60 % city,
 * 40 % district. Site and diners in Gulou street 320106002. */

static const kiosk_meal_record lunch_today[] = {REC(2026, 3, 10, 11, 30, LUNCH, 300)};
static const kiosk_meal_record lunch_today_full_price[] = {REC(2026, 3, 10, 11, 30, LUNCH, 0)};
static const kiosk_meal_record two_today[] = {
    REC(2026, 3, 10, 7, 30, BREAKFAST, 100),
    REC(2026, 3, 10, 11, 30, LUNCH, 300),
};
static const kiosk_meal_record lunch_yesterday[] = {REC(2026, 3, 9, 12, 0, LUNCH, 300)};

static void test_fixed_by_class(void)
{
    kiosk_policy *pol = load("fixed-by-class.json");
    CHECK_STR(kiosk_policy_version(pol), "gl-2026.1");
    CHECK_INT(kiosk_policy_effective_from(pol).month, 1);
    static const decide_case cases[] = {
        /* 75: age70 lunch 300; pay 1500-300 = 1200; city 300*60% = 180, district 120;
         * month 20000-300 = 19700 left. */
        {__LINE__, GL(1951, 5, 1, 0), &card_any, &site_gl, NO_HISTORY, AT(2026, 3, 10, 12, 0),
         OK(LUNCH, 1500, 300, 1200, 180, 120, 0, "age70", 19700)},
        /* 85 and 低保: max(age80 500, dibao 800) = 800; pay 700; 480 / 320; 19200 left. */
        {__LINE__, GL(1941, 1, 1, DIBAO), &card_any, &site_gl, NO_HISTORY, AT(2026, 3, 10, 12, 0),
         OK(LUNCH, 1500, 800, 700, 480, 320, 0, "dibao", 19200)},
        /* 65, no category: eligible, no rule: list price, subsidy 0, class age60. */
        {__LINE__, GL(1961, 1, 1, 0), &card_any, &site_gl, NO_HISTORY, AT(2026, 3, 10, 12, 0),
         OK(LUNCH, 1500, 0, 1500, 0, 0, 0, "age60", 20000)},
        /* 特困 at breakfast: 1500 is clipped to the price 500; pay 0; 300 / 200. */
        {__LINE__, GL(1960, 1, 1, TEKUN), NULL, &site_gl, NO_HISTORY, AT(2026, 3, 10, 8, 0),
         OK(BREAKFAST, 500, 500, 0, 300, 200, 0, "tekun", 19500)},
        /* 101: age100 1500 = the lunch price; pay 0; 900 / 600. */
        {__LINE__, GL(1925, 1, 1, 0), &card_any, &site_gl, NO_HISTORY, AT(2026, 3, 10, 12, 0),
         OK(LUNCH, 1500, 1500, 0, 900, 600, 0, "age100", 18500)},
        /* 101 at dinner: 1500 clipped to 1200; 720 / 480. */
        {__LINE__, GL(1925, 1, 1, 0), &card_any, &site_gl, NO_HISTORY, AT(2026, 3, 10, 18, 0),
         OK(DINNER, 1200, 1200, 0, 720, 480, 0, "age100", 18800)},
        /* 65 and 失能 at breakfast: 500 does not exceed 600, the rule does not apply; no
         * other rule: 0; class = first matching class in the list, disabled. */
        {__LINE__, GL(1961, 1, 1, DISABLED), &card_any, &site_gl, NO_HISTORY, AT(2026, 3, 10, 8, 0),
         OK(BREAKFAST, 500, 0, 500, 0, 0, 0, "disabled", 20000)},
        /* ... and at lunch 1500 > 600: 600; pay 900; 360 / 240. */
        {__LINE__, GL(1961, 1, 1, DISABLED), &card_any, &site_gl, NO_HISTORY,
         AT(2026, 3, 10, 12, 0), OK(LUNCH, 1500, 600, 900, 360, 240, 0, "disabled", 19400)},
        /* 72 and 低保 at breakfast: dibao has no breakfast amount; age70 100; 60 / 40. */
        {__LINE__, GL(1954, 1, 1, DIBAO), &card_any, &site_gl, NO_HISTORY, AT(2026, 3, 10, 8, 0),
         OK(BREAKFAST, 500, 100, 400, 60, 40, 0, "age70", 19900)},
        /* 90 and 低保 at dinner: max(age90 500, dibao 600) = 600; pay 600; 360 / 240. */
        {__LINE__, GL(1936, 1, 1, DIBAO), &card_any, &site_gl, NO_HISTORY, AT(2026, 3, 10, 18, 0),
         OK(DINNER, 1200, 600, 600, 360, 240, 0, "dibao", 19400)},

        /* Tier boundary, born 1946-06-15, 80 on 2026-06-15: 79 the day before -> age70 300
         * (180 / 120); 80 on the day and after -> age80 500 (300 / 200). */
        {__LINE__, GL(1946, 6, 15, 0), &card_any, &site_gl, NO_HISTORY, AT(2026, 6, 14, 12, 0),
         OK(LUNCH, 1500, 300, 1200, 180, 120, 0, "age70", 19700)},
        {__LINE__, GL(1946, 6, 15, 0), &card_any, &site_gl, NO_HISTORY, AT(2026, 6, 15, 12, 0),
         OK(LUNCH, 1500, 500, 1000, 300, 200, 0, "age80", 19500)},
        {__LINE__, GL(1946, 6, 15, 0), &card_any, &site_gl, NO_HISTORY, AT(2026, 6, 16, 12, 0),
         OK(LUNCH, 1500, 500, 1000, 300, 200, 0, "age80", 19500)},
        /* Minimum age 60, born 1966-04-20: refused on 2026-04-19, served on the birthday. */
        {__LINE__, GL(1966, 4, 20, 0), &card_any, &site_gl, NO_HISTORY, AT(2026, 4, 19, 12, 0),
         NO(NOT_ELIGIBLE_AGE, LUNCH, 20000)},
        {__LINE__, GL(1966, 4, 20, 0), &card_any, &site_gl, NO_HISTORY, AT(2026, 4, 20, 12, 0),
         OK(LUNCH, 1500, 0, 1500, 0, 0, 0, "age60", 20000)},
        /* Leap-day births. 1936-02-29 turns 90 in the common year 2026 on 1 March: 28 Feb
         * age80 500, 1 Mar age90 700 (420 / 280). */
        {__LINE__, GL(1936, 2, 29, 0), &card_any, &site_gl, NO_HISTORY, AT(2026, 2, 28, 12, 0),
         OK(LUNCH, 1500, 500, 1000, 300, 200, 0, "age80", 19500)},
        {__LINE__, GL(1936, 2, 29, 0), &card_any, &site_gl, NO_HISTORY, AT(2026, 3, 1, 12, 0),
         OK(LUNCH, 1500, 700, 800, 420, 280, 0, "age90", 19300)},
        /* 1956-02-29 turns 70 on 2026-03-01: 28 Feb age60 (0), 1 Mar age70 300. */
        {__LINE__, GL(1956, 2, 29, 0), &card_any, &site_gl, NO_HISTORY, AT(2026, 2, 28, 12, 0),
         OK(LUNCH, 1500, 0, 1500, 0, 0, 0, "age60", 20000)},
        {__LINE__, GL(1956, 2, 29, 0), &card_any, &site_gl, NO_HISTORY, AT(2026, 3, 1, 12, 0),
         OK(LUNCH, 1500, 300, 1200, 180, 120, 0, "age70", 19700)},
        /* 1944-02-29 turns 80 in the leap year 2024 on 29 Feb itself. */
        {__LINE__, GL(1944, 2, 29, 0), &card_any, &site_gl, NO_HISTORY, AT(2024, 2, 28, 12, 0),
         OK(LUNCH, 1500, 300, 1200, 180, 120, 0, "age70", 19700)},
        {__LINE__, GL(1944, 2, 29, 0), &card_any, &site_gl, NO_HISTORY, AT(2024, 2, 29, 12, 0),
         OK(LUNCH, 1500, 500, 1000, 300, 200, 0, "age80", 19500)},
        /* Turning 80 in a common year needs a leap birth year Y with Y + 80 common: 2020 and
         * 2100 (a century year). Born 2020-02-29: 79 on 2100-02-28, 80 on 2100-03-01. */
        {__LINE__, GL(2020, 2, 29, 0), &card_any, &site_gl, NO_HISTORY, AT(2100, 2, 28, 12, 0),
         OK(LUNCH, 1500, 300, 1200, 180, 120, 0, "age70", 19700)},
        {__LINE__, GL(2020, 2, 29, 0), &card_any, &site_gl, NO_HISTORY, AT(2100, 3, 1, 12, 0),
         OK(LUNCH, 1500, 500, 1000, 300, 200, 0, "age80", 19500)},

        /* Meal windows to the minute: start inclusive, end exclusive. */
        {__LINE__, GL(1951, 5, 1, 0), &card_any, &site_gl, NO_HISTORY, AT(2026, 3, 10, 10, 59),
         NO(OUTSIDE_MEAL_HOURS, NONE, 20000)},
        {__LINE__, GL(1951, 5, 1, 0), &card_any, &site_gl, NO_HISTORY, AT(2026, 3, 10, 11, 0),
         OK(LUNCH, 1500, 300, 1200, 180, 120, 0, "age70", 19700)},
        {__LINE__, GL(1951, 5, 1, 0), &card_any, &site_gl, NO_HISTORY, AT(2026, 3, 10, 12, 59),
         OK(LUNCH, 1500, 300, 1200, 180, 120, 0, "age70", 19700)},
        {__LINE__, GL(1951, 5, 1, 0), &card_any, &site_gl, NO_HISTORY, AT(2026, 3, 10, 13, 0),
         NO(OUTSIDE_MEAL_HOURS, NONE, 20000)},
        {__LINE__, GL(1951, 5, 1, 0), &card_any, &site_gl, NO_HISTORY, AT(2026, 3, 10, 6, 59),
         NO(OUTSIDE_MEAL_HOURS, NONE, 20000)},
        /* 07:00 breakfast: age70 100, 60 / 40. 18:59 dinner: age70 200, 120 / 80. */
        {__LINE__, GL(1951, 5, 1, 0), &card_any, &site_gl, NO_HISTORY, AT(2026, 3, 10, 7, 0),
         OK(BREAKFAST, 500, 100, 400, 60, 40, 0, "age70", 19900)},
        {__LINE__, GL(1951, 5, 1, 0), &card_any, &site_gl, NO_HISTORY, AT(2026, 3, 10, 18, 59),
         OK(DINNER, 1200, 200, 1000, 120, 80, 0, "age70", 19800)},
        {__LINE__, GL(1951, 5, 1, 0), &card_any, &site_gl, NO_HISTORY, AT(2026, 3, 10, 19, 0),
         NO(OUTSIDE_MEAL_HOURS, NONE, 20000)},
        {__LINE__, GL(1951, 5, 1, 0), &card_any, &site_gl, NO_HISTORY, AT(2026, 3, 10, 0, 0),
         NO(OUTSIDE_MEAL_HOURS, NONE, 20000)},

        /* Limits. A subsidised lunch (300) at 11:30 today: another lunch is refused, the
         * full price 1500 may be paid; 20000-300 = 19700 left. */
        {__LINE__, GL(1951, 5, 1, 0), &card_any, &site_gl, HIST(lunch_today),
         AT(2026, 3, 10, 12, 10), OVER(ALREADY_HAD_MEAL, LUNCH, 1500, "age70", true, 19700, 0)},
        /* An earlier full-price lunch does not count: 300 again. */
        {__LINE__, GL(1951, 5, 1, 0), &card_any, &site_gl, HIST(lunch_today_full_price),
         AT(2026, 3, 10, 12, 10), OK(LUNCH, 1500, 300, 1200, 180, 120, 0, "age70", 19700)},
        /* Breakfast 100 and lunch 300 today: dinner is over the two a day; previous = the
         * latest of them (lunch); 20000-400 = 19600 left. */
        {__LINE__, GL(1951, 5, 1, 0), &card_any, &site_gl, HIST(two_today), AT(2026, 3, 10, 17, 30),
         OVER(DAILY_LIMIT, DINNER, 1200, "age70", true, 19600, 1)},
        /* ... and at lunch both limits are reached: the per-type one is checked first. */
        {__LINE__, GL(1951, 5, 1, 0), &card_any, &site_gl, HIST(two_today), AT(2026, 3, 10, 12, 30),
         OVER(ALREADY_HAD_MEAL, LUNCH, 1500, "age70", true, 19600, 1)},
        /* Yesterday's lunch is not today's: 300; the month has 300 + 300 used, 19400 left. */
        {__LINE__, GL(1951, 5, 1, 0), &card_any, &site_gl, HIST(lunch_yesterday),
         AT(2026, 3, 10, 12, 0), OK(LUNCH, 1500, 300, 1200, 180, 120, 0, "age70", 19400)},
        /* A 65-year-old gets nothing at lunch, so no limit applies to them: a second lunch
         * after a full-price one is sold at the list price. */
        {__LINE__, GL(1961, 1, 1, 0), &card_any, &site_gl, HIST(lunch_today_full_price),
         AT(2026, 3, 10, 12, 10), OK(LUNCH, 1500, 0, 1500, 0, 0, 0, "age60", 20000)},

        /* Refusals in their order: each case also meets every later condition. */
        {__LINE__, PERSON(1951, 5, 1, 0, HOME_GL, true, true, false), &card_blocked, &site_gl,
         HIST(lunch_today), AT(2026, 3, 10, 12, 0), NO(CARD_BLOCKED, LUNCH, 19700)},
        {__LINE__, PERSON(1970, 5, 1, 0, HOME_GL, false, false, false), &card_any, &site_gl,
         HIST(lunch_today), AT(2026, 3, 10, 12, 0), NO(PERSON_INACTIVE, LUNCH, 19700)},
        {__LINE__, PERSON(1970, 5, 1, 0, HOME_GL, false, false, true), NULL, &site_gl,
         HIST(lunch_today), AT(2026, 3, 10, 14, 0), NO(NOT_ELIGIBLE_AGE, NONE, 19700)},
        {__LINE__, PERSON(1951, 5, 1, 0, HOME_GL, false, false, true), &card_any, &site_gl,
         HIST(lunch_today), AT(2026, 3, 10, 14, 0), NO(NOT_ELIGIBLE_RESIDENCE, NONE, 19700)},
        /* A residence permit (居住证) is enough here ("resident"). */
        {__LINE__, PERSON(1951, 5, 1, 0, HOME_GL, false, true, true), &card_any, &site_gl,
         NO_HISTORY, AT(2026, 3, 10, 12, 0),
         OK(LUNCH, 1500, 300, 1200, 180, 120, 0, "age70", 19700)},
        {__LINE__, GL(1951, 5, 1, 0), &card_any, &site_gl, HIST(lunch_today),
         AT(2026, 3, 10, 14, 0), NO(OUTSIDE_MEAL_HOURS, NONE, 19700)},
    };
    run_cases(pol, cases, sizeof cases / sizeof cases[0]);

    /* The limit's earlier record is the one of the history. */
    kiosk_person p = GL(1951, 5, 1, 0);
    kiosk_decision d = decide(pol, &p, NULL, &site_gl, lunch_today, 1, AT(2026, 3, 10, 12, 10), 0);
    CHECK(names_previous(&d, &lunch_today[0]));
    CHECK_STR(d.class_label, "70-79岁");
    CHECK_STR(kiosk_policy_class_label(pol, "dibao"), "低保/低保边缘");
    CHECK_STR(kiosk_policy_class_label(pol, "no-such-class"), "no-such-class");
    CHECK_STR(kiosk_policy_class_label(NULL, "age70"), "age70");
    /* No history at all is an empty month. */
    d = kiosk_policy_decide(pol, &p, NULL, &site_gl, NULL, AT(2026, 3, 10, 12, 10), NULL);
    CHECK_INT(d.subsidy_fen, 300);
    CHECK_INT(d.month_remaining_fen, 19700);
    kiosk_policy_free(pol);
}

/* --- (a) the monthly cap and the month boundary ------------------------------------------- */

static kiosk_meal_record month_used[26];

/* `days` lunches of `each` fen from the 1st (or from `first_day`), and an optional last one. */
static size_t fill_month(int year, int month, int first_day, int days, int64_t each, int64_t last)
{
    size_t n = 0;
    for (int i = 0; i < days; i++)
        month_used[n++] = (kiosk_meal_record){
            {{year, month, first_day + i}, 12 * 60, 0}, KIOSK_MEAL_LUNCH, each, "gl-hql", 0, 0};
    if (last > 0)
        month_used[n++] = (kiosk_meal_record){
            {{year, month, first_day + days}, 12 * 60, 0}, KIOSK_MEAL_LUNCH, last, "gl-hql", 0, 0};
    return n;
}

static kiosk_decision decide_at(const kiosk_policy *pol, kiosk_person p, size_t n,
                                kiosk_local_time at)
{
    return decide(pol, &p, &card_any, &site_gl, month_used, n, at, 0);
}

static void test_monthly_cap(void)
{
    kiosk_policy *pol = load("fixed-by-class.json");
    kiosk_person dibao85 = GL(1941, 1, 1, DIBAO), plain65 = GL(1961, 1, 1, 0);

    /* 25 lunches of 800 on 1..25 March = 20000 = the cap: nothing left on the 26th. */
    size_t n = fill_month(2026, 3, 1, 25, 800, 0);
    kiosk_decision d = decide_at(pol, dibao85, n, AT(2026, 3, 26, 12, 0));
    CHECK_STR(kiosk_reason_code(d.reason), "monthly_cap");
    CHECK(!d.approved);
    CHECK(d.full_price_allowed);
    CHECK_INT(d.price_fen, 1500);
    CHECK_INT(d.pay_fen, 1500);
    CHECK_INT(d.subsidy_fen, 0);
    CHECK_INT(d.month_remaining_fen, 0);
    /* A diner whose meal would get nothing anyway is not refused by the cap. */
    d = decide_at(pol, plain65, n, AT(2026, 3, 26, 12, 0));
    CHECK(d.approved);
    CHECK_INT(d.subsidy_fen, 0);
    CHECK_INT(d.month_remaining_fen, 0);

    /* 24 x 800 + 300 = 19500 used, 500 left: the 800 is clipped to 500, split like the
     * unclipped shares 480:320 -> 500*480/800 = 300, 500*320/800 = 200; pay 1000. */
    n = fill_month(2026, 3, 1, 24, 800, 300);
    d = decide_at(pol, dibao85, n, AT(2026, 3, 26, 12, 0));
    CHECK(d.approved);
    CHECK_INT(d.subsidy_fen, 500);
    CHECK_INT(d.pay_fen, 1000);
    CHECK_INT(d.funding_fen[KIOSK_LEVEL_CITY], 300);
    CHECK_INT(d.funding_fen[KIOSK_LEVEL_DISTRICT], 200);
    CHECK_INT(d.month_remaining_fen, 0);

    /* 24 x 800 + 799 = 19999 used, 1 fen left: 1*480/800 = 0, 1*320/800 = 0, the fen left
     * over goes to the first level with a share, the city. */
    n = fill_month(2026, 3, 1, 24, 800, 799);
    d = decide_at(pol, dibao85, n, AT(2026, 3, 26, 12, 0));
    CHECK_INT(d.subsidy_fen, 1);
    CHECK_INT(d.pay_fen, 1499);
    CHECK_INT(d.funding_fen[KIOSK_LEVEL_CITY], 1);
    CHECK_INT(d.funding_fen[KIOSK_LEVEL_DISTRICT], 0);
    CHECK_INT(d.month_remaining_fen, 0);

    /* Month rollover: 25 x 800 on 7..31 March (the cap, and a lunch on the 31st) count
     * neither for April's cap nor as "already had lunch" on 1 April: 800, 19200 left. */
    n = fill_month(2026, 3, 7, 25, 800, 0);
    d = decide_at(pol, dibao85, n, AT(2026, 4, 1, 12, 0));
    CHECK(d.approved);
    CHECK_INT(d.subsidy_fen, 800);
    CHECK_INT(d.month_remaining_fen, 19200);
    /* On 31 March itself the lunch of the 31st is today's, and the cap is reached. */
    d = decide_at(pol, dibao85, n, AT(2026, 3, 31, 12, 30));
    CHECK_STR(kiosk_reason_code(d.reason), "already_had_meal");
    CHECK(names_previous(&d, &month_used[24]));
    d = decide_at(pol, dibao85, n, AT(2026, 3, 31, 18, 0));
    CHECK_STR(kiosk_reason_code(d.reason), "monthly_cap");
    /* The same month of another year does not count either. */
    n = fill_month(2025, 4, 1, 25, 800, 0);
    d = decide_at(pol, dibao85, n, AT(2026, 4, 26, 12, 0));
    CHECK_INT(d.subsidy_fen, 800);
    CHECK_INT(d.month_remaining_fen, 19200);
    kiosk_policy_free(pol);
}

/* --- (a) variants: midnight, highest vs sum, a new version at midnight --------------------- */

static const kiosk_meal_record late_dinner_yesterday[] = {REC(2026, 3, 9, 23, 59, DINNER, 200)};

static void test_midnight(void)
{
    /* Dinner until midnight: 17:00-24:00. */
    kiosk_policy *pol =
        variant("fixed-by-class.json", "{\"meals\":{\"dinner\":{\"end\":\"24:00\"}}}");
    int start = -1, end = -1;
    CHECK(kiosk_policy_meal_window(pol, KIOSK_MEAL_DINNER, &start, &end));
    CHECK_INT(start, 17 * 60);
    CHECK_INT(end, 24 * 60);
    CHECK_INT(kiosk_policy_meal_at(pol, AT(2026, 3, 10, 23, 59)), KIOSK_MEAL_DINNER);
    CHECK_INT(kiosk_policy_meal_at(pol, AT(2026, 3, 11, 0, 0)), KIOSK_MEAL_NONE);
    static const decide_case cases[] = {
        /* Yesterday's 23:59 dinner does not count today: age70 dinner 200, 120 / 80; the
         * month has 200 + 200 used, 19600 left. */
        {__LINE__, GL(1951, 5, 1, 0), &card_any, &site_gl, HIST(late_dinner_yesterday),
         AT(2026, 3, 10, 23, 59), OK(DINNER, 1200, 200, 1000, 120, 80, 0, "age70", 19600)},
        /* At 00:00 no meal is served. */
        {__LINE__, GL(1951, 5, 1, 0), &card_any, &site_gl, HIST(late_dinner_yesterday),
         AT(2026, 3, 10, 0, 0), NO(OUTSIDE_MEAL_HOURS, NONE, 19800)},
    };
    run_cases(pol, cases, sizeof cases / sizeof cases[0]);
    kiosk_policy_free(pol);
}

static void test_highest_vs_sum(void)
{
    kiosk_policy *highest = load("fixed-by-class.json");
    kiosk_policy *sum = variant("fixed-by-class.json", "{\"combine\":\"sum\"}");
    static const decide_case highest_cases[] = {
        /* 85 and 特困: max(500, 1500) = 1500 = price; 900 / 600. */
        {__LINE__, GL(1941, 1, 1, TEKUN), &card_any, &site_gl, NO_HISTORY, AT(2026, 3, 10, 12, 0),
         OK(LUNCH, 1500, 1500, 0, 900, 600, 0, "tekun", 18500)},
    };
    static const decide_case sum_cases[] = {
        /* 85 and 低保: 500 + 800 = 1300 <= 1500; pay 200; 780 / 520; the class of the
         * largest part, dibao. */
        {__LINE__, GL(1941, 1, 1, DIBAO), &card_any, &site_gl, NO_HISTORY, AT(2026, 3, 10, 12, 0),
         OK(LUNCH, 1500, 1300, 200, 780, 520, 0, "dibao", 18700)},
        /* 85 and 特困: 500 + 1500 = 2000, never above the price: 1500. */
        {__LINE__, GL(1941, 1, 1, TEKUN), &card_any, &site_gl, NO_HISTORY, AT(2026, 3, 10, 12, 0),
         OK(LUNCH, 1500, 1500, 0, 900, 600, 0, "tekun", 18500)},
        /* 85, 低保 and 失能 at dinner: 300 + 600 + 600 = 1500, clipped to 1200; 720 / 480;
         * parts 300, 600, 600: the first largest, dibao. */
        {__LINE__, GL(1941, 1, 1, DIBAO | DISABLED), &card_any, &site_gl, NO_HISTORY,
         AT(2026, 3, 10, 18, 0), OK(DINNER, 1200, 1200, 0, 720, 480, 0, "dibao", 18800)},
    };
    run_cases(highest, highest_cases, sizeof highest_cases / sizeof highest_cases[0]);
    run_cases(sum, sum_cases, sizeof sum_cases / sizeof sum_cases[0]);
    kiosk_policy_free(highest);
    kiosk_policy_free(sum);
}

static void test_policy_set(void)
{
    kiosk_policy_set *set = kiosk_policy_set_new();
    CHECK(set != NULL);
    CHECK(kiosk_policy_set_in_force(set, (kiosk_date){2026, 7, 1}) == NULL);
    CHECK_INT(kiosk_policy_set_take(set, load("fixed-by-class.json")), KIOSK_OK);
    /* From 1 July the age70 lunch is 400. */
    CHECK_INT(kiosk_policy_set_take(
                  set, variant("fixed-by-class.json",
                               "{\"version\":\"gl-2026.2\",\"effective_from\":\"2026-07-01\","
                               "\"rules\":[{\"class\":\"age70\",\"kind\":\"fixed\","
                               "\"amount_fen\":{\"lunch\":400}}]}")),
              KIOSK_OK);
    CHECK(kiosk_policy_set_in_force(set, (kiosk_date){2025, 12, 31}) == NULL);
    CHECK_STR(kiosk_policy_version(kiosk_policy_set_in_force(set, (kiosk_date){2026, 1, 1})),
              "gl-2026.1");
    CHECK_STR(kiosk_policy_version(kiosk_policy_set_in_force(set, (kiosk_date){2026, 6, 30})),
              "gl-2026.1");
    CHECK_STR(kiosk_policy_version(kiosk_policy_set_in_force(set, (kiosk_date){2026, 7, 1})),
              "gl-2026.2");

    /* A 75-year-old: 300 at lunch on 30 June, 400 on 1 July (the change took effect at
     * midnight, the local date decides). */
    kiosk_person p = GL(1951, 5, 1, 0);
    kiosk_local_time before = AT(2026, 6, 30, 12, 0), after = AT(2026, 7, 1, 12, 0);
    kiosk_decision d = kiosk_policy_decide(kiosk_policy_set_in_force(set, before.date), &p, NULL,
                                           &site_gl, NULL, before, NULL);
    CHECK_INT(d.subsidy_fen, 300);
    CHECK_STR(d.policy_version, "gl-2026.1");
    d = kiosk_policy_decide(kiosk_policy_set_in_force(set, after.date), &p, NULL, &site_gl, NULL,
                            after, NULL);
    CHECK_INT(d.subsidy_fen, 400);
    CHECK_STR(d.policy_version, "gl-2026.2");
    /* Before the first version: no policy. */
    kiosk_local_time early = AT(2025, 12, 31, 12, 0);
    d = kiosk_policy_decide(kiosk_policy_set_in_force(set, early.date), &p, NULL, &site_gl, NULL,
                            early, NULL);
    CHECK_STR(kiosk_reason_code(d.reason), "no_policy");
    CHECK(!d.approved);
    CHECK_INT(d.meal_type, KIOSK_MEAL_NONE);
    CHECK_INT(d.month_remaining_fen, -1);

    /* The same version again replaces it (now 450). */
    CHECK_INT(kiosk_policy_set_take(
                  set, variant("fixed-by-class.json",
                               "{\"version\":\"gl-2026.2\",\"effective_from\":\"2026-07-01\","
                               "\"rules\":[{\"class\":\"age70\",\"kind\":\"fixed\","
                               "\"amount_fen\":{\"lunch\":450}}]}")),
              KIOSK_OK);
    d = kiosk_policy_decide(kiosk_policy_set_in_force(set, after.date), &p, NULL, &site_gl, NULL,
                            after, NULL);
    CHECK_INT(d.subsidy_fen, 450);
    /* Two versions from the same day: the greater version string, whatever the order. */
    CHECK_INT(kiosk_policy_set_take(set, variant("fixed-by-class.json",
                                                 "{\"version\":\"gl-2026.2a\","
                                                 "\"effective_from\":\"2026-07-01\"}")),
              KIOSK_OK);
    CHECK_STR(kiosk_policy_version(kiosk_policy_set_in_force(set, after.date)), "gl-2026.2a");
    CHECK_INT(kiosk_policy_set_take(set, NULL), KIOSK_ERR_INVALID);
    CHECK_INT(kiosk_policy_set_take(NULL, load("fixed-by-class.json")), KIOSK_ERR_INVALID);
    kiosk_policy_set_free(set);
    kiosk_policy_set_free(NULL);
    CHECK(kiosk_policy_set_in_force(NULL, after.date) == NULL);
}

/* --- (b) per-day subsidy with a minimum spend, discounts stacking on it --------------------- */

/* Policy percent-daily.json: breakfast 06:30-09:00 600, lunch 10:30-13:30 1800, dinner
 * 16:30-19:00 1650. Base rules (highest): age60 (60-79) 300 once a day, age80 500 once a day,
 * both only for a meal of at least 1000; hardship 25 % of the price, at most 400. Stacking:
 * age60 10 %, age80 15 % of what is left to pay. Percentages round to the nearest fen, a half
 * fen up. One subsidised meal per type a day, no full price over the limit, no cap. Funding
 * 50 / 30 / 20 %, rounded down, fen left over to the city. 户籍 required. */

static const kiosk_meal_record b_breakfast[] = {REC(2026, 3, 10, 7, 0, BREAKFAST, 60)};
/* The records keep how much of each subsidy was the once-a-day part: 300 of the 72-year-old's
 * lunch, 500 of the 85-year-old's. */
static const kiosk_meal_record b_breakfast_lunch[] = {
    REC(2026, 3, 10, 7, 0, BREAKFAST, 60),
    REC_DAY(2026, 3, 10, 12, 0, LUNCH, 450, 300),
};
static const kiosk_meal_record b_lunch_695[] = {REC_DAY(2026, 3, 10, 12, 0, LUNCH, 695, 500)};
/* A breakfast of exactly 1000 that took the day's 300 (370 in all). */
static const kiosk_meal_record b_breakfast_1000[] = {
    REC_DAY(2026, 3, 10, 8, 0, BREAKFAST, 370, 300)};
static const kiosk_meal_record b_lunch_500_yesterday[] = {REC(2026, 3, 9, 12, 0, LUNCH, 500)};

static void test_percent_daily(void)
{
    kiosk_policy *pol = load("percent-daily.json");
    static const decide_case cases[] = {
        /* 72, lunch, first meal: per-day 300 (1800 >= 1000); 10 % of 1800-300 = 150; 450;
         * pay 1350; 450*50% = 225, *30% = 135, *20% = 90. */
        {__LINE__, GL(1954, 1, 1, 0), &card_any, &site_gl, NO_HISTORY, AT(2026, 3, 10, 12, 0),
         OK(LUNCH, 1800, 450, 1350, 225, 135, 90, "age60", -1)},
        /* 72, breakfast 600 < 1000: no per-day; 10 % of 600 = 60; pay 540; 30 / 18 / 12; the
         * stacking rule names the class. */
        {__LINE__, GL(1954, 1, 1, 0), &card_any, &site_gl, NO_HISTORY, AT(2026, 3, 10, 7, 0),
         OK(BREAKFAST, 600, 60, 540, 30, 18, 12, "age60", -1)},
        /* 72, lunch after that breakfast: the breakfast did not qualify for the per-day
         * subsidy, so lunch still gets it: 450 as above. */
        {__LINE__, GL(1954, 1, 1, 0), &card_any, &site_gl, HIST(b_breakfast),
         AT(2026, 3, 10, 12, 0), OK(LUNCH, 1800, 450, 1350, 225, 135, 90, "age60", -1)},
        /* 72, dinner after breakfast and lunch: the per-day subsidy went with lunch; 10 % of
         * 1650 = 165; pay 1485; 82.5 -> 82, 49.5 -> 49, 33; 164, 1 fen left -> city 83. */
        {__LINE__, GL(1954, 1, 1, 0), &card_any, &site_gl, HIST(b_breakfast_lunch),
         AT(2026, 3, 10, 17, 0), OK(DINNER, 1650, 165, 1485, 83, 49, 33, "age60", -1)},
        /* 85 and 低保, lunch: max(per-day 500, 25 % of 1800 = 450 capped at 400) = 500;
         * 15 % of 1800-500 = 1300 -> 195; 695; pay 1105; 347.5 -> 347, 208.5 -> 208,
         * 139; 694, 1 fen -> city 348. */
        {__LINE__, GL(1941, 1, 1, DIBAO), &card_any, &site_gl, NO_HISTORY, AT(2026, 3, 10, 12, 0),
         OK(LUNCH, 1800, 695, 1105, 348, 208, 139, "age80", -1)},
        /* ... dinner after that lunch: per-day used; 25 % of 1650 = 412.5 -> 413, capped
         * 400; 15 % of 1650-400 = 1250 -> 187.5 -> 188 (half up); 588; pay 1062; 294,
         * 176.4 -> 176, 117.6 -> 117; 587, 1 fen -> city 295. */
        {__LINE__, GL(1941, 1, 1, DIBAO), &card_any, &site_gl, HIST(b_lunch_695),
         AT(2026, 3, 10, 17, 0), OK(DINNER, 1650, 588, 1062, 295, 176, 117, "hardship", -1)},
        /* 65 and 低保, breakfast: no per-day (600 < 1000); 25 % of 600 = 150; 10 % of 450 =
         * 45; 195; pay 405; 97.5 -> 97, 58.5 -> 58, 39; 194, 1 fen -> city 98. */
        {__LINE__, GL(1961, 1, 1, DIBAO), &card_any, &site_gl, NO_HISTORY, AT(2026, 3, 10, 8, 0),
         OK(BREAKFAST, 600, 195, 405, 98, 58, 39, "hardship", -1)},
        /* 85, dinner after a subsidised lunch: 15 % of 1650 = 247.5 -> 248; pay 1402; 124,
         * 74.4 -> 74, 49.6 -> 49; 247, 1 fen -> city 125. */
        {__LINE__, GL(1941, 1, 1, 0), &card_any, &site_gl, HIST(b_lunch_695),
         AT(2026, 3, 10, 17, 0), OK(DINNER, 1650, 248, 1402, 125, 74, 49, "age80", -1)},
        /* 85, dinner as the first meal: per-day 500; 15 % of 1150 = 172.5 -> 173; 673; pay
         * 977; 336.5 -> 336, 201.9 -> 201, 134.6 -> 134; 671, 2 fen -> city 338. */
        {__LINE__, GL(1941, 1, 1, 0), &card_any, &site_gl, NO_HISTORY, AT(2026, 3, 10, 17, 0),
         OK(DINNER, 1650, 673, 977, 338, 201, 134, "age80", -1)},
        /* Yesterday's lunch does not use today's per-day subsidy: 673 again. */
        {__LINE__, GL(1941, 1, 1, 0), &card_any, &site_gl, HIST(b_lunch_500_yesterday),
         AT(2026, 3, 10, 17, 0), OK(DINNER, 1650, 673, 977, 338, 201, 134, "age80", -1)},
        /* A second lunch: refused, and this policy does not sell over the limit. */
        {__LINE__, GL(1954, 1, 1, 0), &card_any, &site_gl, HIST(b_breakfast_lunch),
         AT(2026, 3, 10, 12, 30), OVER(ALREADY_HAD_MEAL, LUNCH, 1800, "age60", false, -1, 1)},
        /* 户籍 required: a residence permit is not enough. */
        {__LINE__, PERSON(1954, 1, 1, 0, HOME_GL, false, true, true), &card_any, &site_gl,
         NO_HISTORY, AT(2026, 3, 10, 12, 0), NO(NOT_ELIGIBLE_RESIDENCE, LUNCH, -1)},
        {__LINE__, GL(1954, 1, 1, 0), &card_any, &site_gl, NO_HISTORY, AT(2026, 3, 10, 6, 29),
         NO(OUTSIDE_MEAL_HOURS, NONE, -1)},
        {__LINE__, GL(1954, 1, 1, 0), &card_any, &site_gl, NO_HISTORY, AT(2026, 3, 10, 6, 30),
         OK(BREAKFAST, 600, 60, 540, 30, 18, 12, "age60", -1)},
    };
    run_cases(pol, cases, sizeof cases / sizeof cases[0]);
    kiosk_policy_free(pol);

    /* The minimum spend is inclusive; rounding below a half goes down. */
    pol =
        variant("percent-daily.json",
                "{\"meals\":{\"breakfast\":{\"price_fen\":1000},\"dinner\":{\"price_fen\":1624}}}");
    static const decide_case spend_cases[] = {
        /* 72, breakfast at exactly 1000: per-day 300; 10 % of 700 = 70; 370; 185 / 111 / 74. */
        {__LINE__, GL(1954, 1, 1, 0), &card_any, &site_gl, NO_HISTORY, AT(2026, 3, 10, 8, 0),
         OK(BREAKFAST, 1000, 370, 630, 185, 111, 74, "age60", -1)},
        /* 72, dinner 1624 after a breakfast that took the day's subsidy: 10 % = 162.4 -> 162;
         * 81 / 48.6 -> 48 / 32.4 -> 32; 161, 1 fen -> city 82. */
        {__LINE__, GL(1954, 1, 1, 0), &card_any, &site_gl, HIST(b_breakfast_1000),
         AT(2026, 3, 10, 17, 0), OK(DINNER, 1624, 162, 1462, 82, 48, 32, "age60", -1)},
    };
    run_cases(pol, spend_cases, sizeof spend_cases / sizeof spend_cases[0]);
    kiosk_policy_free(pol);
    pol = variant("percent-daily.json", "{\"meals\":{\"breakfast\":{\"price_fen\":999}}}");
    static const decide_case below_cases[] = {
        /* 999 < 1000: no per-day; 10 % of 999 = 99.9 -> 100; 50 / 30 / 20. */
        {__LINE__, GL(1954, 1, 1, 0), &card_any, &site_gl, NO_HISTORY, AT(2026, 3, 10, 8, 0),
         OK(BREAKFAST, 999, 100, 899, 50, 30, 20, "age60", -1)},
    };
    run_cases(pol, below_cases, sizeof below_cases / sizeof below_cases[0]);
    kiosk_policy_free(pol);
}

/* --- (c) the diner's price by class, funding split by jurisdiction, canteen-only cards ------ */

/* Policy pay-by-class.json: lunch 10:45-13:15 at 2000 (elders 1800), dinner 16:30-18:30 at
 * 1600 (elders 1500). special (60+ with tekun, dibao, sanwu, family_planning or veteran) pays
 * 500; age80 pays 1000 at lunch, 800 at dinner; highest applies. Funding: city 500, district
 * 300 per meal, the street the rest; district and street shares follow the person; diners from
 * another city are refused; cards issued by a canteen work only there. Residence permit
 * enough; no minimum age. Site ja-jj-01 in 3101 / 310106 / 310106013. */

static void test_pay_by_class(void)
{
    kiosk_policy *pol = load("pay-by-class.json");
    static const decide_case cases[] = {
        /* 70 and 低保 from this street: elder price 1800, pays 500: 1300 = city 500 +
         * district 300 + street 500. */
        {__LINE__, JA(1956, 1, 1, DIBAO), &card_any, &site_ja, NO_HISTORY, AT(2026, 7, 10, 12, 0),
         OK(LUNCH, 1800, 1300, 500, 500, 300, 500, "special", -1)},
        /* ... from another street of this district: the street's 500 is dropped: 800;
         * pays 1000. */
        {__LINE__, PERSON(1956, 1, 1, DIBAO, HOME_JA_STREET2, true, true, true), &card_any,
         &site_ja, NO_HISTORY, AT(2026, 7, 10, 12, 0),
         OK(LUNCH, 1800, 800, 1000, 500, 300, 0, "special", -1)},
        /* ... from another district: district and street dropped: 500; pays 1300. */
        {__LINE__, PERSON(1956, 1, 1, DIBAO, HOME_JA_DISTRICT2, true, true, true), &card_any,
         &site_ja, NO_HISTORY, AT(2026, 7, 10, 12, 0),
         OK(LUNCH, 1800, 500, 1300, 500, 0, 0, "special", -1)},
        /* ... with an unknown home street: no street budget can be billed: 800. */
        {__LINE__, PERSON(1956, 1, 1, DIBAO, HOME_JA_NO_STREET, true, true, true), &card_any,
         &site_ja, NO_HISTORY, AT(2026, 7, 10, 12, 0),
         OK(LUNCH, 1800, 800, 1000, 500, 300, 0, "special", -1)},
        /* ... from another city: refused. */
        {__LINE__, PERSON(1956, 1, 1, DIBAO, HOME_GL, true, true, true), &card_any, &site_ja,
         NO_HISTORY, AT(2026, 7, 10, 12, 0), NO(NOT_ELIGIBLE_RESIDENCE, LUNCH, -1)},
        /* A kiosk that does not know its street checks only city and district: 1300. */
        {__LINE__, PERSON(1956, 1, 1, DIBAO, HOME_JA_STREET2, true, true, true), &card_any,
         &site_ja_nostreet, NO_HISTORY, AT(2026, 7, 10, 12, 0),
         OK(LUNCH, 1800, 1300, 500, 500, 300, 500, "special", -1)},
        /* 85: pays 1000 of 1800: 800 = city 500 + district 300 + street 0. */
        {__LINE__, JA(1941, 1, 1, 0), &card_any, &site_ja, NO_HISTORY, AT(2026, 7, 10, 12, 0),
         OK(LUNCH, 1800, 800, 1000, 500, 300, 0, "age80", -1)},
        /* 85 from another street: the street paid nothing anyway: 800. */
        {__LINE__, PERSON(1941, 1, 1, 0, HOME_JA_STREET2, true, true, true), &card_any, &site_ja,
         NO_HISTORY, AT(2026, 7, 10, 12, 0), OK(LUNCH, 1800, 800, 1000, 500, 300, 0, "age80", -1)},
        /* 85 at dinner: pays 800 of 1500: 700 = city 500 + district 200 (what is left). */
        {__LINE__, JA(1941, 1, 1, 0), &card_any, &site_ja, NO_HISTORY, AT(2026, 7, 10, 17, 0),
         OK(DINNER, 1500, 700, 800, 500, 200, 0, "age80", -1)},
        /* 85 and 优抚 at dinner: max(1500-500 = 1000, 700) = 1000 = 500 + 300 + 200. */
        {__LINE__, JA(1941, 1, 1, KIOSK_CAT(VETERAN)), &card_any, &site_ja, NO_HISTORY,
         AT(2026, 7, 10, 17, 0), OK(DINNER, 1500, 1000, 500, 500, 300, 200, "special", -1)},
        /* 65, ordinary elder: the elder price 1800, nothing off. */
        {__LINE__, JA(1961, 1, 1, 0), &card_any, &site_ja, NO_HISTORY, AT(2026, 7, 10, 12, 0),
         OK(LUNCH, 1800, 0, 1800, 0, 0, 0, "elder", -1)},
        /* 50, other resident: the list price 2000. */
        {__LINE__, JA(1976, 1, 1, 0), &card_any, &site_ja, NO_HISTORY, AT(2026, 7, 10, 12, 0),
         OK(LUNCH, 2000, 0, 2000, 0, 0, 0, "resident", -1)},
        /* 50 and 低保: "special" needs 60 too: other resident, 2000. */
        {__LINE__, JA(1976, 1, 1, DIBAO), &card_any, &site_ja, NO_HISTORY, AT(2026, 7, 10, 12, 0),
         OK(LUNCH, 2000, 0, 2000, 0, 0, 0, "resident", -1)},
        /* Cards: issued here works here; issued at ja-jj-02 does not. */
        {__LINE__, JA(1956, 1, 1, DIBAO), &card_ja01, &site_ja, NO_HISTORY, AT(2026, 7, 10, 12, 0),
         OK(LUNCH, 1800, 1300, 500, 500, 300, 500, "special", -1)},
        {__LINE__, JA(1956, 1, 1, DIBAO), &card_ja02, &site_ja, NO_HISTORY, AT(2026, 7, 10, 12, 0),
         NO(WRONG_CANTEEN, LUNCH, -1)},
        /* The wrong canteen comes before eligibility (not a resident either). */
        {__LINE__, PERSON(1956, 1, 1, DIBAO, HOME_JA, false, false, true), &card_ja02, &site_ja,
         NO_HISTORY, AT(2026, 7, 10, 12, 0), NO(WRONG_CANTEEN, LUNCH, -1)},
        {__LINE__, PERSON(1956, 1, 1, DIBAO, HOME_JA, false, false, true), &card_ja01, &site_ja,
         NO_HISTORY, AT(2026, 7, 10, 12, 0), NO(NOT_ELIGIBLE_RESIDENCE, LUNCH, -1)},
        /* An inactive person is told so before the card's canteen matters. */
        {__LINE__, PERSON(1956, 1, 1, DIBAO, HOME_JA, true, true, false), &card_ja02, &site_ja,
         NO_HISTORY, AT(2026, 7, 10, 12, 0), NO(PERSON_INACTIVE, LUNCH, -1)},
        /* Lunch 10:45 in, 13:15 out. */
        {__LINE__, JA(1961, 1, 1, 0), &card_any, &site_ja, NO_HISTORY, AT(2026, 7, 10, 10, 44),
         NO(OUTSIDE_MEAL_HOURS, NONE, -1)},
        {__LINE__, JA(1961, 1, 1, 0), &card_any, &site_ja, NO_HISTORY, AT(2026, 7, 10, 10, 45),
         OK(LUNCH, 1800, 0, 1800, 0, 0, 0, "elder", -1)},
        {__LINE__, JA(1961, 1, 1, 0), &card_any, &site_ja, NO_HISTORY, AT(2026, 7, 10, 13, 15),
         NO(OUTSIDE_MEAL_HOURS, NONE, -1)},
    };
    run_cases(pol, cases, sizeof cases / sizeof cases[0]);
    kiosk_policy_free(pol);

    /* Cards valid anywhere: the ja-jj-02 card is served here. */
    pol = variant("pay-by-class.json", "{\"jurisdiction\":{\"canteen_cards_anywhere\":true}}");
    static const decide_case anywhere[] = {
        {__LINE__, JA(1956, 1, 1, DIBAO), &card_ja02, &site_ja, NO_HISTORY, AT(2026, 7, 10, 12, 0),
         OK(LUNCH, 1800, 1300, 500, 500, 300, 500, "special", -1)},
    };
    run_cases(pol, anywhere, sizeof anywhere / sizeof anywhere[0]);
    kiosk_policy_free(pol);

    /* Diners from another city allowed, and every share follows the person: a diner from
     * Nanjing gets nothing here but may eat at the elder price. */
    pol = variant("pay-by-class.json", "{\"jurisdiction\":{\"outside_city\":\"allow\","
                                       "\"follows_person\":[\"city\",\"district\",\"street\"]}}");
    static const decide_case visitors[] = {
        {__LINE__, PERSON(1956, 1, 1, DIBAO, HOME_GL, true, true, true), &card_any, &site_ja,
         NO_HISTORY, AT(2026, 7, 10, 12, 0), OK(LUNCH, 1800, 0, 1800, 0, 0, 0, "special", -1)},
    };
    run_cases(pol, visitors, sizeof visitors / sizeof visitors[0]);
    kiosk_policy_free(pol);

    /* A class price may also be above the meal's price: other residents pay 2200, elders
     * 1800, and the meal's own price 1800 is then for nobody in particular. */
    pol = variant("pay-by-class.json", "{\"meals\":{\"lunch\":{\"price_fen\":1800,"
                                       "\"class_prices\":{\"resident\":2200}}}}");
    static const decide_case above[] = {
        /* 50: only "resident" matches: 2200. */
        {__LINE__, JA(1976, 1, 1, 0), &card_any, &site_ja, NO_HISTORY, AT(2026, 7, 10, 12, 0),
         OK(LUNCH, 2200, 0, 2200, 0, 0, 0, "resident", -1)},
        /* 65: elder 1800 and resident 2200 match: the lower, 1800. */
        {__LINE__, JA(1961, 1, 1, 0), &card_any, &site_ja, NO_HISTORY, AT(2026, 7, 10, 12, 0),
         OK(LUNCH, 1800, 0, 1800, 0, 0, 0, "elder", -1)},
        /* 70 and 低保: 1800, pays 500: 1300 = 500 + 300 + 500. */
        {__LINE__, JA(1956, 1, 1, DIBAO), &card_any, &site_ja, NO_HISTORY, AT(2026, 7, 10, 12, 0),
         OK(LUNCH, 1800, 1300, 500, 500, 300, 500, "special", -1)},
    };
    run_cases(pol, above, sizeof above / sizeof above[0]);
    kiosk_policy_free(pol);

    /* A percentage split instead of fixed amounts, district and street following the
     * person: 50 / 30 / 20 % of 1300 = 650 / 390 / 260; from another street the 260 is
     * dropped: 1040, pays 1800-1040 = 760. */
    pol =
        variant_without("pay-by-class.json", "funding",
                        "{\"funding\":{\"percent\":{\"city\":50,\"district\":30,\"street\":20}}}");
    static const decide_case split[] = {
        {__LINE__, JA(1956, 1, 1, DIBAO), &card_any, &site_ja, NO_HISTORY, AT(2026, 7, 10, 12, 0),
         OK(LUNCH, 1800, 1300, 500, 650, 390, 260, "special", -1)},
        {__LINE__, PERSON(1956, 1, 1, DIBAO, HOME_JA_STREET2, true, true, true), &card_any,
         &site_ja, NO_HISTORY, AT(2026, 7, 10, 12, 0),
         OK(LUNCH, 1800, 1040, 760, 650, 390, 0, "special", -1)},
        /* Another district: 650 only; pays 1150. */
        {__LINE__, PERSON(1956, 1, 1, DIBAO, HOME_JA_DISTRICT2, true, true, true), &card_any,
         &site_ja, NO_HISTORY, AT(2026, 7, 10, 12, 0),
         OK(LUNCH, 1800, 650, 1150, 650, 0, 0, "special", -1)},
    };
    run_cases(pol, split, sizeof split / sizeof split[0]);
    kiosk_policy_free(pol);
}

/* --- refusals that need no particular policy ------------------------------------------------ */

static void test_refusals(void)
{
    kiosk_policy *pol = load("fixed-by-class.json");
    kiosk_person p = GL(1951, 5, 1, 0);
    kiosk_decision d =
        kiosk_policy_decide(NULL, &p, NULL, &site_gl, NULL, AT(2026, 3, 10, 12, 0), NULL);
    CHECK_STR(kiosk_reason_code(d.reason), "no_policy");
    CHECK_STR(d.policy_version, "");
    d = kiosk_policy_decide(pol, NULL, NULL, &site_gl, NULL, AT(2026, 3, 10, 12, 0), NULL);
    CHECK_STR(kiosk_reason_code(d.reason), "no_policy");
    d = kiosk_policy_decide(pol, &p, NULL, NULL, NULL, AT(2026, 3, 10, 12, 0), NULL);
    CHECK_STR(kiosk_reason_code(d.reason), "no_policy");
    /* A blocked card beats everything else. */
    kiosk_person gone = PERSON(1990, 1, 1, 0, HOME_GL, false, false, false);
    d = kiosk_policy_decide(pol, &gone, &card_blocked, &site_gl, NULL, AT(2026, 3, 10, 3, 0), NULL);
    CHECK_STR(kiosk_reason_code(d.reason), "card_blocked");
    CHECK_INT(d.price_fen, 0);
    CHECK(!d.full_price_allowed);
    kiosk_policy_free(pol);
}

/* --- (d) one daily subsidy across classes, residence per rule, the canteen's share, bills ---- */

/* Policy canteen-share-bill.json: breakfast 06:30-09:00 500, lunch 10:30-13:30 1500, dinner
 * 16:30-19:00 1200. Base rules (highest), each once a day and once a day in all (a day's
 * subsidy from any class ends them all): dibao 800 for 户籍 only; age80 500 for 户籍 or 居住证,
 * only when the price is above it; age60 300 for 户籍 or 居住证, only for a price of at least
 * 1000. Stacking, paid by the canteen: 10 % of what is left to pay, at most 200, for age60 and
 * age80. Eligible: 60 and over, any residence; a diner whom no rule serves only for want of
 * residence pays the full price. One subsidised meal per type a day; the monthly cap 15000
 * counts the government's part only. Funding 70 / 30 % of the government's part. */

/* A record with the parts it was recorded with: the canteen's and the day's. */
#define REC_PARTS(y, mo, d, h, mi, type, fen, canteen_part, day_part)                             \
    {                                                                                             \
        .at = {{y, mo, d}, (h)*60 + (mi), 0}, .meal_type = KIOSK_MEAL_##type, .subsidy_fen = fen, \
        .canteen_id = "gl-hql", .canteen_fen = canteen_part, .day_subsidy_fen = day_part          \
    }
static const kiosk_meal_record d_breakfast_day[] = {
    REC_PARTS(2026, 9, 14, 7, 30, BREAKFAST, 500, 0, 500)};
static const kiosk_meal_record d_lunch_canteen_only[] = {
    REC_PARTS(2026, 9, 14, 12, 0, LUNCH, 80, 80, 0)};
/* 15000 of government subsidy this month (15100 recorded, 100 of it the canteen's). */
static const kiosk_meal_record d_cap_used[] = {REC_PARTS(2026, 9, 1, 12, 0, LUNCH, 15100, 100, 0)};
static const kiosk_meal_record d_cap_almost[] = {
    REC_PARTS(2026, 9, 1, 12, 0, LUNCH, 15000, 100, 0)};

#define LOCAL_PERMIT(y, mo, d, cats) PERSON(y, mo, d, cats, HOME_GL, false, true, true)
#define VISITOR(y, mo, d, cats)      PERSON(y, mo, d, cats, HOME_GL, false, false, true)

static void test_canteen_share_bill(void)
{
    kiosk_policy *pol = load("canteen-share-bill.json");
    static const decide_case cases[] = {
        /* 82, 低保, 户籍, breakfast first: dibao 800 -> at most the price 500; age80's 500 is
         * not above the price 500; the canteen's 10 % of nothing left is 0. 350 / 150. */
        {__LINE__, GL(1944, 5, 1, DIBAO), &card_any, &site_gl, NO_HISTORY, AT(2026, 9, 14, 7, 30),
         OK(BREAKFAST, 500, 500, 0, 350, 150, 0, "dibao", 14500)},
        /* ... lunch after it: the day's subsidy was given (with breakfast, by the dibao rule),
         * so neither dibao nor age80 gives one again; only the canteen's 10 % of 1500 = 150.
         * The government pays nothing; the cap counts only the 500 of breakfast. */
        {__LINE__, GL(1944, 5, 1, DIBAO), &card_any, &site_gl, HIST(d_breakfast_day),
         AT(2026, 9, 14, 12, 0), OK(LUNCH, 1500, 150, 1350, 0, 0, 0, "age80", 14500),
         .canteen = 150},
        /* ... lunch as the first meal: max(dibao 800, age80 500) = 800; the canteen's 10 % of
         * 700 = 70; 870, pays 630; 800 -> 560 / 240. */
        {__LINE__, GL(1944, 5, 1, DIBAO), &card_any, &site_gl, NO_HISTORY, AT(2026, 9, 14, 12, 0),
         OK(LUNCH, 1500, 870, 630, 560, 240, 0, "dibao", 14200), .canteen = 70},
        /* 70, 低保 with a residence permit (居住证) but no 户籍: dibao is for 户籍 only; age60's
         * 300 (1500 >= 1000); the canteen's 10 % of 1200 = 120; 420, pays 1080; 210 / 90. */
        {__LINE__, LOCAL_PERMIT(1956, 1, 1, DIBAO), &card_any, &site_gl, NO_HISTORY,
         AT(2026, 9, 14, 12, 0), OK(LUNCH, 1500, 420, 1080, 210, 90, 0, "age60", 14700),
         .canteen = 120},
        /* 70, neither 户籍 nor 居住证: no government rule is for them; the canteen's discount
         * is for every elder: 150, pays 1350. */
        {__LINE__, VISITOR(1956, 1, 1, 0), &card_any, &site_gl, NO_HISTORY, AT(2026, 9, 14, 12, 0),
         OK(LUNCH, 1500, 150, 1350, 0, 0, 0, "age60", 15000), .canteen = 150},
        /* Bills. 72, 户籍, lunch billed 800: below age60's minimum spend of 1000; the canteen's
         * 10 % = 80; pays 720. The day's subsidy is still to come. */
        {__LINE__, GL(1954, 1, 1, 0), &card_any, &site_gl, NO_HISTORY, AT(2026, 9, 14, 12, 0),
         OK(LUNCH, 800, 80, 720, 0, 0, 0, "age60", 15000), .bill = 800, .canteen = 80},
        /* ... dinner billed 2500 after it: the lunch gave no day's subsidy (its record says so),
         * so age60's 300 comes now; 10 % of 2200 = 220, at most 200; 500, pays 2000; 210 / 90.
         * The cap counts 300 (the lunch's 80 was the canteen's). */
        {__LINE__, GL(1954, 1, 1, 0), &card_any, &site_gl, HIST(d_lunch_canteen_only),
         AT(2026, 9, 14, 17, 30), OK(DINNER, 2500, 500, 2000, 210, 90, 0, "age60", 14700),
         .bill = 2500, .canteen = 200},
        /* 85, 户籍, lunch billed 500: age80's 500 only when the bill is above it: not; the
         * canteen's 10 % of 500 = 50. */
        {__LINE__, GL(1941, 1, 1, 0), &card_any, &site_gl, NO_HISTORY, AT(2026, 9, 14, 12, 0),
         OK(LUNCH, 500, 50, 450, 0, 0, 0, "age80", 15000), .bill = 500, .canteen = 50},
        /* ... billed 501: 500; 10 % of 1 = 0.1 -> 0; pays 1; 350 / 150. */
        {__LINE__, GL(1941, 1, 1, 0), &card_any, &site_gl, NO_HISTORY, AT(2026, 9, 14, 12, 0),
         OK(LUNCH, 501, 500, 1, 350, 150, 0, "age80", 14500), .bill = 501},
        /* The cap counts the government's part: 15000 used, a lunch that would get 800 from
         * the government is refused (full price allowed)... */
        {__LINE__, GL(1944, 5, 1, DIBAO), &card_any, &site_gl, HIST(d_cap_used),
         AT(2026, 9, 14, 12, 0), OVER(MONTHLY_CAP, LUNCH, 1500, "dibao", true, 0, -1)},
        /* ... 14900 used: the 800 is cut to 100 (560 : 240 -> 70 / 30); the canteen's 70
         * stays; 170, pays 1330. */
        {__LINE__, GL(1944, 5, 1, DIBAO), &card_any, &site_gl, HIST(d_cap_almost),
         AT(2026, 9, 14, 12, 0), OK(LUNCH, 1500, 170, 1330, 70, 30, 0, "dibao", 0), .canteen = 70},
    };
    run_cases(pol, cases, sizeof cases / sizeof cases[0]);

    /* What the records keep: the day's part and the canteen's. */
    kiosk_decision d = decide(pol, &(kiosk_person)GL(1944, 5, 1, DIBAO), &card_any, &site_gl, NULL,
                              0, AT(2026, 9, 14, 12, 0), 0);
    CHECK_INT(d.day_subsidy_fen, 800);
    CHECK_INT(d.canteen_fen, 70);
    d = decide(pol, &(kiosk_person)GL(1954, 1, 1, 0), &card_any, &site_gl, NULL, 0,
               AT(2026, 9, 14, 12, 0), 800);
    CHECK_INT(d.day_subsidy_fen, 0);
    kiosk_policy_free(pol);

    /* Without the canteen's discount: the visitor pays the full price and is told why; with
     * "outside_rule_residence": "refuse" the visitor is refused instead. */
    static const char gov_rules[] =
        "\"rules\":[{\"class\":\"dibao\",\"kind\":\"fixed\",\"per\":\"day\",\"amount_fen\":800,"
        "\"residence\":\"hukou\"},{\"class\":\"age60\",\"kind\":\"fixed\",\"per\":\"day\","
        "\"amount_fen\":300,\"residence\":\"resident\",\"min_spend_fen\":1000}]";
    char patch[512];
    snprintf(patch, sizeof patch, "{%s}", gov_rules);
    pol = variant("canteen-share-bill.json", patch);
    kiosk_person visitor = VISITOR(1956, 1, 1, 0);
    d = decide(pol, &visitor, &card_any, &site_gl, NULL, 0, AT(2026, 9, 14, 12, 0), 0);
    CHECK(d.approved);
    CHECK_INT(d.subsidy_fen, 0);
    CHECK_INT(d.pay_fen, 1500);
    CHECK_INT(d.no_subsidy, KIOSK_NO_SUBSIDY_RESIDENCE);
    /* 72, 户籍, breakfast billed at the set price 500: below the minimum spend, told so. */
    kiosk_person local = GL(1954, 1, 1, 0);
    d = decide(pol, &local, &card_any, &site_gl, NULL, 0, AT(2026, 9, 14, 7, 30), 0);
    CHECK_INT(d.subsidy_fen, 0);
    CHECK_INT(d.no_subsidy, KIOSK_NO_SUBSIDY_MIN_SPEND);
    /* 82, 低保: a second meal the same day gets nothing, and is told the day's was given. */
    kiosk_person dibao = GL(1944, 5, 1, DIBAO);
    d = decide(pol, &dibao, &card_any, &site_gl, HIST(d_breakfast_day), AT(2026, 9, 14, 12, 0), 0);
    CHECK(d.approved);
    CHECK_INT(d.subsidy_fen, 0);
    CHECK_INT(d.no_subsidy, KIOSK_NO_SUBSIDY_DAILY_GIVEN);
    kiosk_policy_free(pol);
    snprintf(patch, sizeof patch, "{\"eligibility\":{\"outside_rule_residence\":\"refuse\"},%s}",
             gov_rules);
    pol = variant("canteen-share-bill.json", patch);
    d = decide(pol, &visitor, &card_any, &site_gl, NULL, 0, AT(2026, 9, 14, 12, 0), 0);
    CHECK(!d.approved);
    CHECK_STR(kiosk_reason_code(d.reason), "not_eligible_residence");
    /* ... but a local diner is served as before: 300, no canteen share. */
    d = decide(pol, &local, &card_any, &site_gl, NULL, 0, AT(2026, 9, 14, 12, 0), 0);
    CHECK(d.approved);
    CHECK_INT(d.subsidy_fen, 300);
    kiosk_policy_free(pol);
}

/* --- parsing ------------------------------------------------------------------------------- */

#define HEAD "{\"version\":\"t1\",\"effective_from\":\"2026-01-01\","
#define LUNCH_ONLY \
    "\"meals\":{\"lunch\":{\"start\":\"11:00\",\"end\":\"13:00\",\"price_fen\":1500}}"
#define VALID   HEAD LUNCH_ONLY
#define CLASS_A ",\"classes\":[{\"id\":\"a\",\"label\":\"A\",\"min_age\":60}]"

typedef struct bad_case {
    int line;
    const char *json;
    const char *message; /* exact, or a prefix when it ends in '*' */
} bad_case;

static const bad_case bad_cases[] = {
    {__LINE__, "{\n\"version\": \"t\",\n\"effective_from\" \"2026-01-01\"}",
     "policy: line 3, column*"},
    {__LINE__, "", "policy: line 1, column*"},
    {__LINE__, VALID ",\"version\":\"t2\"}", "policy: line 1, column*"}, /* duplicate key */
    {__LINE__, VALID "} trailing", "policy: line 1, column*"},
    {__LINE__, "[]", "policy: must be a JSON object"},
    {__LINE__, "{\"effective_from\":\"2026-01-01\"," LUNCH_ONLY "}", "version: required"},
    {__LINE__, "{\"version\":3,\"effective_from\":\"2026-01-01\"," LUNCH_ONLY "}",
     "version: must be a string"},
    {__LINE__, "{\"version\":\"a b\",\"effective_from\":\"2026-01-01\"," LUNCH_ONLY "}",
     "version: must be 1..39 of A-Z a-z 0-9 . _ -"},
    {__LINE__, "{\"version\":\"t1\"," LUNCH_ONLY "}", "effective_from: required"},
    {__LINE__, "{\"version\":\"t1\",\"effective_from\":\"2026-02-30\"," LUNCH_ONLY "}",
     "effective_from: must be a date \"YYYY-MM-DD\""},
    {__LINE__, VALID ",\"colour\":1}", "colour: unknown key"},
    {__LINE__, VALID ",\"\xe9\xa2\x9c\xe8\x89\xb2\":1}", "??????: unknown key"},
    {__LINE__, HEAD "\"name\":\"x\"}", "meals: required"},
    {__LINE__, HEAD "\"meals\":[]}", "meals: must be an object"},
    {__LINE__, HEAD "\"meals\":{}}", "meals: must serve at least one meal"},
    {__LINE__, HEAD "\"meals\":{\"brunch\":{}}}",
     "meals.brunch: unknown meal type (breakfast, lunch or dinner)"},
    {__LINE__,
     HEAD "\"meals\":{\"lunch\":{\"start\":\"11:00\",\"end\":\"13:00\",\"price_fen\":-1}}}",
     "meals.lunch.price_fen: must not be negative"},
    {__LINE__,
     HEAD "\"meals\":{\"lunch\":{\"start\":\"11:00\",\"end\":\"13:00\",\"price_fen\":15.5}}}",
     "meals.lunch.price_fen: must be an integer number of fen"},
    {__LINE__,
     HEAD "\"meals\":{\"lunch\":{\"start\":\"11:00\",\"end\":\"13:00\",\"price_fen\":\"15\"}}}",
     "meals.lunch.price_fen: must be an integer number of fen"},
    {__LINE__, HEAD "\"meals\":{\"lunch\":{\"start\":\"11:00\",\"end\":\"13:00\"}}}",
     "meals.lunch.price_fen: required"},
    {__LINE__,
     HEAD "\"meals\":{\"lunch\":{\"start\":\"11:60\",\"end\":\"13:00\",\"price_fen\":1}}}",
     "meals.lunch.start: must be \"HH:MM\" (00:00..23:59)"},
    {__LINE__,
     HEAD "\"meals\":{\"lunch\":{\"start\":\"11:00\",\"end\":\"11:00\",\"price_fen\":1}}}",
     "meals.lunch.end: must be after start (a window does not cross midnight)"},
    {__LINE__,
     HEAD "\"meals\":{\"lunch\":{\"start\":\"11:00\",\"end\":\"13:00\",\"price_fen\":1,"
          "\"colour\":2}}}",
     "meals.lunch.colour: unknown key"},
    {__LINE__,
     HEAD "\"meals\":{\"breakfast\":{\"start\":\"07:00\",\"end\":\"11:01\",\"price_fen\":1},"
          "\"lunch\":{\"start\":\"11:00\",\"end\":\"13:00\",\"price_fen\":1}}}",
     "meals.lunch: window overlaps meals.breakfast"},
    {__LINE__,
     HEAD "\"meals\":{\"lunch\":{\"start\":\"11:00\",\"end\":\"13:00\",\"price_fen\":1,"
          "\"class_prices\":{\"vip\":1}}}}",
     "meals.lunch.class_prices.vip: unknown class"},
    {__LINE__,
     HEAD "\"classes\":[{\"id\":\"a\",\"label\":\"A\"}],"
          "\"meals\":{\"lunch\":{\"start\":\"11:00\",\"end\":\"13:00\",\"price_fen\":1,"
          "\"class_prices\":{\"a\":-5}}}}",
     "meals.lunch.class_prices.a: must not be negative"},
    {__LINE__, VALID ",\"classes\":{}}", "classes: must be an array"},
    {__LINE__,
     VALID ",\"classes\":[{\"id\":\"a\",\"label\":\"A\"},{\"id\":\"a\",\"label\":\"B\"}]}",
     "classes[1].id: duplicate class \"a\""},
    {__LINE__, VALID ",\"classes\":[{\"id\":\"a b\",\"label\":\"A\"}]}",
     "classes[0].id: must be 1..31 of A-Z a-z 0-9 _ -"},
    {__LINE__, VALID ",\"classes\":[{\"id\":\"a\"}]}", "classes[0].label: required"},
    {__LINE__, VALID ",\"classes\":[{\"id\":\"a\",\"label\":\"\"}]}",
     "classes[0].label: must be 1..63 bytes"},
    {__LINE__,
     VALID ",\"classes\":[{\"id\":\"a\",\"label\":\"0123456789012345678901234567890123"
           "456789012345678901234567890123\"}]}",
     "classes[0].label: must be 1..63 bytes"},
    {__LINE__, VALID ",\"classes\":[{\"id\":\"a\",\"label\":\"A\",\"min_age\":200}]}",
     "classes[0].min_age: must be 0..150"},
    {__LINE__, VALID ",\"classes\":[{\"id\":\"a\",\"label\":\"A\",\"min_age\":80,\"max_age\":79}]}",
     "classes[0].max_age: must not be below min_age"},
    {__LINE__,
     VALID ",\"classes\":[{\"id\":\"a\",\"label\":\"A\",\"categories\":[\"dibao\",\"rich\"]}]}",
     "classes[0].categories[1]: unknown category \"rich\""},
    {__LINE__,
     VALID ",\"classes\":[{\"id\":\"a\",\"label\":\"A\",\"categories\":[\"dibao\",\"dibao\"]}]}",
     "classes[0].categories[1]: listed twice"},
    {__LINE__, VALID ",\"classes\":[{\"id\":\"a\",\"label\":\"A\",\"categories\":[]}]}",
     "classes[0].categories: must not be empty (leave it out instead)"},
    {__LINE__,
     VALID CLASS_A ",\"rules\":[{\"class\":\"nobody\",\"kind\":\"fixed\",\"amount_fen\":1}]}",
     "rules[0].class: unknown class \"nobody\""},
    {__LINE__, VALID CLASS_A ",\"rules\":[{\"class\":\"a\",\"amount_fen\":1}]}",
     "rules[0].kind: required"},
    {__LINE__, VALID CLASS_A ",\"rules\":[{\"class\":\"a\",\"kind\":\"bonus\"}]}",
     "rules[0].kind: must be one of \"fixed\", \"percent\", \"pay\""},
    {__LINE__,
     VALID CLASS_A ",\"rules\":[{\"class\":\"a\",\"kind\":\"fixed\",\"amount_fen\":1},"
                   "{\"class\":\"a\",\"kind\":\"pay\",\"pay_fen\":1},"
                   "{\"class\":\"a\",\"kind\":\"percent\",\"percent\":101}]}",
     "rules[2].percent: must be 0..100"},
    {__LINE__, VALID CLASS_A ",\"rules\":[{\"class\":\"a\",\"kind\":\"percent\",\"percent\":-1}]}",
     "rules[0].percent: must be 0..100"},
    {__LINE__, VALID CLASS_A ",\"rules\":[{\"class\":\"a\",\"kind\":\"percent\"}]}",
     "rules[0].percent: required"},
    {__LINE__, VALID CLASS_A ",\"rules\":[{\"class\":\"a\",\"kind\":\"fixed\"}]}",
     "rules[0].amount_fen: required"},
    {__LINE__, VALID CLASS_A ",\"rules\":[{\"class\":\"a\",\"kind\":\"pay\"}]}",
     "rules[0].pay_fen: required"},
    {__LINE__,
     VALID CLASS_A ",\"rules\":[{\"class\":\"a\",\"kind\":\"fixed\",\"amount_fen\":-300}]}",
     "rules[0].amount_fen: must not be negative"},
    {__LINE__,
     VALID CLASS_A ",\"rules\":[{\"class\":\"a\",\"kind\":\"fixed\",\"amount_fen\":100000001}]}",
     "rules[0].amount_fen: must be at most 100000000 fen"},
    {__LINE__,
     VALID CLASS_A
     ",\"rules\":[{\"class\":\"a\",\"kind\":\"fixed\",\"amount_fen\":{\"lunch\":-1}}]}",
     "rules[0].amount_fen.lunch: must not be negative"},
    {__LINE__,
     VALID CLASS_A
     ",\"rules\":[{\"class\":\"a\",\"kind\":\"fixed\",\"amount_fen\":{\"brunch\":1}}]}",
     "rules[0].amount_fen.brunch: unknown meal type (breakfast, lunch or dinner)"},
    {__LINE__, VALID CLASS_A ",\"rules\":[{\"class\":\"a\",\"kind\":\"fixed\",\"amount_fen\":{}}]}",
     "rules[0].amount_fen: must name at least one meal"},
    {__LINE__,
     VALID CLASS_A ",\"rules\":[{\"class\":\"a\",\"kind\":\"fixed\",\"amount_fen\":\"3\"}]}",
     "rules[0].amount_fen: must be an integer number of fen or an object by meal type"},
    {__LINE__,
     VALID CLASS_A ",\"rules\":[{\"class\":\"a\",\"kind\":\"fixed\",\"amount_fen\":1,"
                   "\"cap_fen\":5}]}",
     "rules[0].cap_fen: only for kind \"percent\""},
    {__LINE__,
     VALID CLASS_A ",\"rules\":[{\"class\":\"a\",\"kind\":\"pay\",\"pay_fen\":1,"
                   "\"amount_fen\":5}]}",
     "rules[0].amount_fen: only for kind \"fixed\""},
    {__LINE__,
     VALID CLASS_A ",\"rules\":[{\"class\":\"a\",\"kind\":\"pay\",\"pay_fen\":1,"
                   "\"stack\":true}]}",
     "rules[0].stack: a \"pay\" rule sets the whole price and cannot stack"},
    {__LINE__,
     VALID CLASS_A ",\"rules\":[{\"class\":\"a\",\"kind\":\"percent\",\"percent\":5,"
                   "\"per\":\"day\"}]}",
     "rules[0].per: \"day\" is only for kind \"fixed\""},
    {__LINE__,
     VALID CLASS_A ",\"rules\":[{\"class\":\"a\",\"kind\":\"fixed\",\"amount_fen\":1,"
                   "\"per\":\"week\"}]}",
     "rules[0].per: must be one of \"meal\", \"day\""},
    {__LINE__,
     VALID CLASS_A ",\"rules\":[{\"class\":\"a\",\"kind\":\"percent\",\"percent\":5,"
                   "\"base\":\"remainder\"}]}",
     "rules[0].base: \"remainder\" needs \"stack\": true"},
    {__LINE__,
     VALID CLASS_A ",\"rules\":[{\"class\":\"a\",\"kind\":\"fixed\",\"amount_fen\":1,"
                   "\"meals\":[\"supper\"]}]}",
     "rules[0].meals[0]: must be \"breakfast\", \"lunch\" or \"dinner\""},
    {__LINE__,
     VALID CLASS_A ",\"rules\":[{\"class\":\"a\",\"kind\":\"fixed\",\"amount_fen\":1,"
                   "\"meals\":[\"lunch\",\"lunch\"]}]}",
     "rules[0].meals[1]: listed twice"},
    {__LINE__,
     VALID CLASS_A ",\"rules\":[{\"class\":\"a\",\"kind\":\"fixed\",\"amount_fen\":1,"
                   "\"meals\":[]}]}",
     "rules[0].meals: must not be empty (leave it out for every meal)"},
    {__LINE__,
     VALID CLASS_A ",\"rules\":[{\"class\":\"a\",\"kind\":\"fixed\",\"amount_fen\":1,"
                   "\"stack\":\"yes\"}]}",
     "rules[0].stack: must be true or false"},
    {__LINE__,
     VALID CLASS_A ",\"rules\":[{\"class\":\"a\",\"kind\":\"fixed\",\"amount_fen\":1,"
                   "\"min_spend_fen\":-1}]}",
     "rules[0].min_spend_fen: must not be negative"},
    {__LINE__,
     VALID CLASS_A ",\"rules\":[{\"class\":\"a\",\"kind\":\"fixed\",\"amount_fen\":1,"
                   "\"colour\":1}]}",
     "rules[0].colour: unknown key"},
    {__LINE__, VALID CLASS_A ",\"rules\":[3]}", "rules[0]: must be an object"},
    {__LINE__, VALID ",\"combine\":\"max\"}", "combine: must be one of \"highest\", \"sum\""},
    {__LINE__, VALID ",\"limits\":{\"per_day\":0}}", "limits.per_day: must be 1..20"},
    {__LINE__, VALID ",\"limits\":{\"per_meal_type_per_day\":1.0}}",
     "limits.per_meal_type_per_day: must be an integer"},
    {__LINE__, VALID ",\"limits\":{\"monthly_cap_fen\":-1}}",
     "limits.monthly_cap_fen: must not be negative"},
    {__LINE__, VALID ",\"limits\":{\"full_price_over_limit\":1}}",
     "limits.full_price_over_limit: must be true or false"},
    {__LINE__, VALID ",\"funding\":{\"percent\":{\"city\":60,\"district\":30}}}",
     "funding.percent: must add up to 100, not 90"},
    {__LINE__, VALID ",\"funding\":{\"percent\":{\"city\":120}}}",
     "funding.percent.city: must be 0..100"},
    {__LINE__, VALID ",\"funding\":{\"percent\":{\"town\":100}}}",
     "funding.percent.town: unknown key"},
    {__LINE__, VALID ",\"funding\":{}}",
     "funding: needs exactly one of \"percent\" and \"fixed_fen\""},
    {__LINE__, VALID ",\"funding\":{\"fixed_fen\":{\"city\":100}}}",
     "funding.remainder: required with \"fixed_fen\""},
    {__LINE__, VALID ",\"funding\":{\"fixed_fen\":{\"city\":-100},\"remainder\":\"street\"}}",
     "funding.fixed_fen.city: must not be negative"},
    {__LINE__, VALID ",\"funding\":{\"percent\":{\"city\":100},\"remainder\":\"street\"}}",
     "funding.remainder: only with \"fixed_fen\""},
    {__LINE__, VALID ",\"jurisdiction\":{\"follows_person\":[\"town\"]}}",
     "jurisdiction.follows_person[0]: must be \"city\", \"district\" or \"street\""},
    {__LINE__, VALID ",\"jurisdiction\":{\"follows_person\":[\"street\",\"street\"]}}",
     "jurisdiction.follows_person[1]: listed twice"},
    {__LINE__, VALID ",\"jurisdiction\":{\"outside_city\":\"maybe\"}}",
     "jurisdiction.outside_city: must be one of \"allow\", \"refuse\""},
    {__LINE__, VALID ",\"eligibility\":{\"residence\":\"everywhere\"}}",
     "eligibility.residence: must be one of \"any\", \"resident\", \"hukou\""},
    {__LINE__, VALID ",\"eligibility\":{\"min_age\":-5}}", "eligibility.min_age: must be 0..150"},
    {__LINE__, VALID ",\"eligibility\":{\"age\":60}}", "eligibility.age: unknown key"},
};

static void expect_parse_error(const bad_case *c)
{
    kiosk_policy *p = (kiosk_policy *)&p; /* must be reset to NULL */
    char err[256];
    kiosk_rc rc = kiosk_policy_parse(c->json, strlen(c->json), &p, err, sizeof err);
    int before = check_failures;
    CHECK_INT(rc, KIOSK_ERR_PARSE);
    CHECK(p == NULL);
    size_t n = strlen(c->message);
    if (n && c->message[n - 1] == '*') {
        if (strncmp(err, c->message, n - 1) != 0) {
            fprintf(stderr, "  message \"%s\" does not start with \"%.*s\"\n", err, (int)n - 1,
                    c->message);
            check_failures++;
        }
    } else {
        CHECK_STR(err, c->message);
    }
    if (check_failures != before)
        fprintf(stderr, "  ^ in the case at %s:%d\n", __FILE__, c->line);
}

static void test_parse_errors(void)
{
    for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++)
        expect_parse_error(&bad_cases[i]);

    /* Counts and sizes. */
    static char big[(1 << 20) + 2];
    memset(big, ' ', sizeof big);
    kiosk_policy *p = NULL;
    char err[256];
    CHECK_INT(kiosk_policy_parse(big, (1 << 20) + 1, &p, err, sizeof err), KIOSK_ERR_PARSE);
    CHECK_STR(err, "policy: 1048577 bytes, more than the 1 MiB limit");
    /* Exactly 1 MiB is allowed: a valid policy padded with spaces. */
    memcpy(big, VALID "}", strlen(VALID "}"));
    CHECK_INT(kiosk_policy_parse(big, 1 << 20, &p, err, sizeof err), KIOSK_OK);
    kiosk_policy_free(p);

    char text[16384];
    int n = snprintf(text, sizeof text, "%s,\"classes\":[", VALID);
    for (int i = 0; i < 33; i++)
        n += snprintf(text + n, sizeof text - (size_t)n, "%s{\"id\":\"c%d\",\"label\":\"C\"}",
                      i ? "," : "", i);
    snprintf(text + n, sizeof text - (size_t)n, "]}");
    CHECK_INT(kiosk_policy_parse(text, strlen(text), &p, err, sizeof err), KIOSK_ERR_PARSE);
    CHECK_STR(err, "classes: at most 32 items");

    n = snprintf(text, sizeof text, "%s%s,\"rules\":[", VALID, CLASS_A);
    for (int i = 0; i < 65; i++)
        n += snprintf(text + n, sizeof text - (size_t)n,
                      "%s{\"class\":\"a\",\"kind\":\"fixed\",\"amount_fen\":%d}", i ? "," : "", i);
    snprintf(text + n, sizeof text - (size_t)n, "]}");
    CHECK_INT(kiosk_policy_parse(text, strlen(text), &p, err, sizeof err), KIOSK_ERR_PARSE);
    CHECK_STR(err, "rules: at most 64 items");
    /* 64 rules and 32 classes are fine. */
    n = snprintf(text, sizeof text, "%s%s,\"rules\":[", VALID, CLASS_A);
    for (int i = 0; i < 64; i++)
        n += snprintf(text + n, sizeof text - (size_t)n,
                      "%s{\"class\":\"a\",\"kind\":\"fixed\",\"amount_fen\":%d}", i ? "," : "", i);
    snprintf(text + n, sizeof text - (size_t)n, "]}");
    CHECK_INT(kiosk_policy_parse(text, strlen(text), &p, err, sizeof err), KIOSK_OK);
    kiosk_policy_free(p);

    /* Adjacent windows do not overlap; 24:00 ends the day. */
    const char *adjacent =
        HEAD "\"meals\":{\"breakfast\":{\"start\":\"00:00\",\"end\":\"11:00\",\"price_fen\":0},"
             "\"lunch\":{\"start\":\"11:00\",\"end\":\"24:00\",\"price_fen\":1}}}";
    CHECK_INT(kiosk_policy_parse(adjacent, strlen(adjacent), &p, err, sizeof err), KIOSK_OK);
    CHECK_STR(err, "");
    CHECK_INT(kiosk_policy_meal_at(p, AT(2026, 1, 1, 10, 59)), KIOSK_MEAL_BREAKFAST);
    CHECK_INT(kiosk_policy_meal_at(p, AT(2026, 1, 1, 11, 0)), KIOSK_MEAL_LUNCH);
    CHECK_INT(kiosk_policy_meal_at(p, AT(2026, 1, 1, 23, 59)), KIOSK_MEAL_LUNCH);
    CHECK(!kiosk_policy_meal_window(p, KIOSK_MEAL_DINNER, NULL, NULL));
    CHECK(!kiosk_policy_meal_window(p, KIOSK_MEAL_NONE, NULL, NULL));
    CHECK(!kiosk_policy_meal_window(NULL, KIOSK_MEAL_LUNCH, NULL, NULL));
    CHECK_INT(kiosk_policy_meal_at(NULL, AT(2026, 1, 1, 12, 0)), KIOSK_MEAL_NONE);
    kiosk_policy_free(p);

    /* A message cut to a short buffer stays terminated; no buffer at all is fine. */
    char tiny[8];
    const char *bad = VALID ",\"colour\":1}";
    CHECK_INT(kiosk_policy_parse(bad, strlen(bad), &p, tiny, sizeof tiny), KIOSK_ERR_PARSE);
    CHECK_STR(tiny, "colour:");
    CHECK_INT(kiosk_policy_parse(bad, strlen(bad), &p, NULL, 0), KIOSK_ERR_PARSE);
    CHECK_INT(kiosk_policy_parse(VALID "}", strlen(VALID "}"), NULL, err, sizeof err),
              KIOSK_ERR_INVALID);
    CHECK_INT(kiosk_policy_parse(NULL, 0, &p, err, sizeof err), KIOSK_ERR_PARSE);
    /* Embedded NUL in the input. */
    const char nul[] = "{\"version\":\"t\0\"}";
    CHECK_INT(kiosk_policy_parse(nul, sizeof nul - 1, &p, err, sizeof err), KIOSK_ERR_PARSE);
    CHECK_STR(kiosk_policy_version(NULL), "");
    CHECK_INT(kiosk_policy_effective_from(NULL).year, 0);
}

/* --- names --------------------------------------------------------------------------------- */

static void test_names(void)
{
    CHECK_STR(kiosk_meal_type_code(KIOSK_MEAL_LUNCH), "lunch");
    CHECK_STR(kiosk_meal_type_code(KIOSK_MEAL_BREAKFAST), "breakfast");
    CHECK_STR(kiosk_meal_type_code(KIOSK_MEAL_NONE), "none");
    CHECK_STR(kiosk_meal_type_code(KIOSK_MEAL_COUNT), "none");
    CHECK_STR(kiosk_meal_type_label(KIOSK_MEAL_DINNER), "晚餐");
    CHECK_STR(kiosk_meal_type_label(KIOSK_MEAL_NONE), "");
    CHECK_STR(kiosk_reason_code(KIOSK_REASON_OK), "ok");
    CHECK_STR(kiosk_reason_code(KIOSK_REASON_MONTHLY_CAP), "monthly_cap");
    CHECK_STR(kiosk_reason_code(KIOSK_REASON_WRONG_CANTEEN), "wrong_canteen");
    CHECK_STR(kiosk_reason_code(KIOSK_REASON_COUNT), "unknown");
    for (int r = 0; r < KIOSK_REASON_COUNT; r++)
        CHECK(kiosk_reason_code((kiosk_reason)r)[0] != '\0');
    CHECK_INT(kiosk_category_from_code("dibao"), KIOSK_CAT(DIBAO));
    CHECK_INT(kiosk_category_from_code("sanwu"), KIOSK_CAT(SANWU));
    CHECK_INT(kiosk_category_from_code("低保"), 0);
    CHECK_INT(kiosk_category_from_code("DIBAO"), 0);
    CHECK_INT(kiosk_category_from_code(NULL), 0);
    CHECK_STR(kiosk_category_label(KIOSK_CAT_BIT_TEKUN), "特困供养");
    CHECK_STR(kiosk_category_label(KIOSK_CATEGORY_COUNT), "");
    CHECK_STR(kiosk_category_label(-1), "");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s POLICY_DIR (tests/policies)\n", argv[0]);
        return 2;
    }
    policy_dir = argv[1];
    test_names();
    test_fixed_by_class();
    test_monthly_cap();
    test_midnight();
    test_highest_vs_sum();
    test_policy_set();
    test_percent_daily();
    test_pay_by_class();
    test_canteen_share_bill();
    test_refusals();
    test_parse_errors();
    CHECK_DONE();
}
