/* policy.c - the meal-subsidy policy: strict parsing of one JSON version into fixed structs, the
 * set of versions by effective date, and the decision. The format and every rule of the decision
 * are documented with worked examples in docs/policy.md; the comments here say why. */
#include "policy.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define POLICY_INPUT_MAX   (1024 * 1024)
#define POLICY_CLASSES_MAX 32 /* a class set is a uint32_t bit mask */
#define POLICY_RULES_MAX   64
#define POLICY_MONEY_MAX   INT64_C(100000000) /* 1,000,000 yuan: keeps every product in int64 */
#define POLICY_AGE_MAX     150
#define POLICY_LIMIT_MAX   20
#define POLICY_NAME_MAX    256
#define POLICY_SET_MAX     4096 /* versions; years of monthly changes fit many times over */
#define PATH_MAX_LEN       128

typedef enum rule_kind { RULE_FIXED, RULE_PERCENT, RULE_PAY } rule_kind;
typedef enum residence_rule { RESIDENCE_ANY, RESIDENCE_RESIDENT, RESIDENCE_HUKOU } residence_rule;

typedef struct policy_class {
    char id[KIOSK_CLASS_ID_MAX];
    char label[KIOSK_CLASS_LABEL_MAX];
    int min_age;         /* -1 = no lower bound */
    int max_age;         /* -1 = no upper bound */
    uint32_t categories; /* the diner holds any of these; 0 = not a condition */
} policy_class;

typedef struct policy_meal {
    bool served;
    int start_min, end_min; /* [start, end) in minutes since local midnight */
    int64_t price_fen;
    int64_t class_price_fen[POLICY_CLASSES_MAX]; /* -1 = this class pays the list price */
} policy_meal;

typedef struct policy_rule {
    rule_kind kind;
    int class_index;
    bool for_meal[KIOSK_MEAL_COUNT];
    int64_t value_fen[KIOSK_MEAL_COUNT]; /* fixed: the subsidy; pay: what the diner pays */
    int percent;
    int64_t cap_fen; /* -1 = no cap */
    int64_t min_spend_fen;
    bool per_day;
    bool stack;
    bool of_remainder; /* a stacking percent taken of what is left to pay, not of the price */
    bool must_exceed;  /* applies only when the price is above the rule's amount */
} policy_rule;

struct kiosk_policy {
    char version[KIOSK_ID_MAX];
    kiosk_date effective_from;
    int min_age; /* -1 = none */
    residence_rule residence;
    bool cards_anywhere;
    bool refuse_outside_city;
    bool follows[KIOSK_LEVEL_COUNT];
    policy_meal meals[KIOSK_MEAL_COUNT];
    int class_count;
    policy_class classes[POLICY_CLASSES_MAX];
    int rule_count;
    policy_rule rules[POLICY_RULES_MAX];
    bool combine_sum;
    int per_type_limit;      /* subsidised meals of one type a day; 0 = no limit */
    int per_day_limit;       /* subsidised meals a day; 0 = no limit */
    int64_t monthly_cap_fen; /* -1 = no cap */
    bool full_price_over_limit;
    bool funding_fixed;
    int64_t funding_weight[KIOSK_LEVEL_COUNT]; /* percent, or fixed fen per meal */
    kiosk_funding_level remainder_level;       /* fixed mode: who pays what is left */
};

struct kiosk_policy_set {
    kiosk_policy **items;
    size_t count, cap;
};

/* --- names from the X-macros ------------------------------------------------------------- */

static const char *const meal_codes[] = {
#define MEAL_CODE(e, code, zh) code,
    KIOSK_MEAL_TYPE_MAP(MEAL_CODE)
#undef MEAL_CODE
};
static const char *const meal_labels[] = {
#define MEAL_LABEL(e, code, zh) zh,
    KIOSK_MEAL_TYPE_MAP(MEAL_LABEL)
#undef MEAL_LABEL
};
static const char *const reason_codes[] = {
#define REASON_CODE(e, code, zh) code,
    KIOSK_REASON_MAP(REASON_CODE)
#undef REASON_CODE
};
static const char *const reason_texts[] = {
#define REASON_TEXT(e, code, zh) zh,
    KIOSK_REASON_MAP(REASON_TEXT)
#undef REASON_TEXT
};
static const char *const category_codes[] = {
#define CAT_CODE(e, code, zh) code,
    KIOSK_CATEGORY_MAP(CAT_CODE)
#undef CAT_CODE
};
static const char *const category_labels[] = {
#define CAT_LABEL(e, code, zh) zh,
    KIOSK_CATEGORY_MAP(CAT_LABEL)
#undef CAT_LABEL
};
static const char *const level_codes[] = {
#define LEVEL_CODE(e, code, zh) code,
    KIOSK_FUNDING_LEVEL_MAP(LEVEL_CODE)
#undef LEVEL_CODE
};

const char *kiosk_meal_type_code(kiosk_meal_type t)
{
    return t >= 0 && t < KIOSK_MEAL_COUNT ? meal_codes[t] : "none";
}

const char *kiosk_meal_type_label(kiosk_meal_type t)
{
    return t >= 0 && t < KIOSK_MEAL_COUNT ? meal_labels[t] : "";
}

const char *kiosk_reason_code(kiosk_reason r)
{
    return r >= 0 && r < KIOSK_REASON_COUNT ? reason_codes[r] : "unknown";
}

const char *kiosk_reason_text(kiosk_reason r)
{
    return r >= 0 && r < KIOSK_REASON_COUNT ? reason_texts[r] : "";
}

uint32_t kiosk_category_from_code(const char *code)
{
    for (int i = 0; code && i < KIOSK_CATEGORY_COUNT; i++)
        if (strcmp(code, category_codes[i]) == 0)
            return 1u << i;
    return 0;
}

const char *kiosk_category_label(int bit_index)
{
    return bit_index >= 0 && bit_index < KIOSK_CATEGORY_COUNT ? category_labels[bit_index] : "";
}

/* --- parsing helpers ------------------------------------------------------------------------ */

#if defined(__GNUC__)
#define PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))
#else
#define PRINTF_LIKE(f, a)
#endif

typedef struct parser {
    char *err;
    size_t err_size;
} parser;

/* Writes "path: message" and returns KIOSK_ERR_PARSE, so callers can `return fail(...)`. */
PRINTF_LIKE(3, 4) static kiosk_rc fail(parser *p, const char *path, const char *fmt, ...)
{
    if (!p->err || !p->err_size)
        return KIOSK_ERR_PARSE;
    int n = snprintf(p->err, p->err_size, "%s: ", path[0] ? path : "policy");
    if (n >= 0 && (size_t)n < p->err_size) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(p->err + n, p->err_size - (size_t)n, fmt, ap);
        va_end(ap);
    }
    return KIOSK_ERR_PARSE;
}

/* Copies text that came from the input into a message as short printable ASCII, so a message
 * is always one clean log line whatever the bytes were. */
static const char *quote(const char *text, char *buf, size_t size)
{
    size_t i = 0;
    for (; text[i] && i + 1 < size; i++) {
        unsigned char c = (unsigned char)text[i];
        buf[i] = c >= 0x20 && c < 0x7f ? (char)c : '?';
    }
    buf[i] = '\0';
    if (text[i] && size > 4)
        memcpy(buf + size - 4, "...", 4);
    return buf;
}

/* Field paths ("rules[2].percent") are built into PATH_MAX_LEN buffers; paths are short by
 * construction (keys in them are quoted to at most 47 bytes), and a cut path still names the
 * field well enough. */
PRINTF_LIKE(2, 3) static void make_path(char *out, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out, PATH_MAX_LEN, fmt, ap);
    va_end(ap);
}

static void join(char *out, const char *path, const char *key)
{
    make_path(out, "%s%s%s", path, path[0] ? "." : "", key);
}

static void join_index(char *out, const char *path, const char *key, size_t index)
{
    make_path(out, "%s%s%s[%zu]", path, path[0] ? "." : "", key, index);
}

static kiosk_rc check_keys(parser *p, json_t *obj, const char *path, const char *const *allowed)
{
    const char *key;
    json_t *value;
    json_object_foreach(obj, key, value)
    {
        bool known = false;
        for (size_t i = 0; allowed[i] && !known; i++)
            known = strcmp(key, allowed[i]) == 0;
        if (!known) {
            char sub[PATH_MAX_LEN], q[48];
            join(sub, path, quote(key, q, sizeof q));
            return fail(p, sub, "unknown key");
        }
    }
    return KIOSK_OK;
}

/* An object member that must be an object; absent is fine when !required (*out = NULL). */
static kiosk_rc get_object(parser *p, json_t *obj, const char *key, const char *path, bool required,
                           json_t **out)
{
    char sub[PATH_MAX_LEN];
    join(sub, path, key);
    *out = json_object_get(obj, key);
    if (!*out)
        return required ? fail(p, sub, "required") : KIOSK_OK;
    if (!json_is_object(*out))
        return fail(p, sub, "must be an object");
    return KIOSK_OK;
}

static kiosk_rc get_array(parser *p, json_t *obj, const char *key, const char *path, size_t max,
                          json_t **out)
{
    char sub[PATH_MAX_LEN];
    join(sub, path, key);
    *out = json_object_get(obj, key);
    if (!*out)
        return KIOSK_OK;
    if (!json_is_array(*out))
        return fail(p, sub, "must be an array");
    if (json_array_size(*out) > max)
        return fail(p, sub, "at most %zu items", max);
    return KIOSK_OK;
}

static kiosk_rc get_string(parser *p, json_t *obj, const char *key, const char *path, bool required,
                           const char **out)
{
    char sub[PATH_MAX_LEN];
    join(sub, path, key);
    json_t *v = json_object_get(obj, key);
    *out = NULL;
    if (!v)
        return required ? fail(p, sub, "required") : KIOSK_OK;
    if (!json_is_string(v))
        return fail(p, sub, "must be a string");
    *out = json_string_value(v);
    return KIOSK_OK;
}

static kiosk_rc get_bool(parser *p, json_t *obj, const char *key, const char *path, bool *out)
{
    char sub[PATH_MAX_LEN];
    join(sub, path, key);
    json_t *v = json_object_get(obj, key);
    if (!v)
        return KIOSK_OK;
    if (!json_is_boolean(v))
        return fail(p, sub, "must be true or false");
    *out = json_is_true(v);
    return KIOSK_OK;
}

static kiosk_rc check_int(parser *p, json_t *v, const char *path, int64_t min, int64_t max,
                          int64_t *out)
{
    if (!json_is_integer(v))
        return fail(p, path, "must be an integer");
    json_int_t n = json_integer_value(v);
    if (n < min || n > max)
        return fail(p, path, "must be %lld..%lld", (long long)min, (long long)max);
    *out = n;
    return KIOSK_OK;
}

/* Money is a whole number of fen; a negative amount gets its own message because it is the
 * likeliest mistake (a discount written as a negative price). */
static kiosk_rc check_money(parser *p, json_t *v, const char *path, int64_t *out)
{
    if (!json_is_integer(v))
        return fail(p, path, "must be an integer number of fen");
    json_int_t n = json_integer_value(v);
    if (n < 0)
        return fail(p, path, "must not be negative");
    if (n > POLICY_MONEY_MAX)
        return fail(p, path, "must be at most %lld fen", (long long)POLICY_MONEY_MAX);
    *out = n;
    return KIOSK_OK;
}

/* An optional integer member; *out keeps its default when absent. */
static kiosk_rc get_int(parser *p, json_t *obj, const char *key, const char *path, int64_t min,
                        int64_t max, int64_t *out)
{
    char sub[PATH_MAX_LEN];
    join(sub, path, key);
    json_t *v = json_object_get(obj, key);
    return v ? check_int(p, v, sub, min, max, out) : KIOSK_OK;
}

static kiosk_rc get_money(parser *p, json_t *obj, const char *key, const char *path, bool required,
                          int64_t *out)
{
    char sub[PATH_MAX_LEN];
    join(sub, path, key);
    json_t *v = json_object_get(obj, key);
    if (!v)
        return required ? fail(p, sub, "required") : KIOSK_OK;
    return check_money(p, v, sub, out);
}

/* A string member that must be one of names[] (NULL-terminated); *out keeps its default when
 * absent. */
static kiosk_rc get_enum(parser *p, json_t *obj, const char *key, const char *path,
                         const char *const *names, int *out)
{
    char sub[PATH_MAX_LEN];
    join(sub, path, key);
    const char *s;
    kiosk_rc rc = get_string(p, obj, key, path, false, &s);
    if (rc != KIOSK_OK || !s)
        return rc;
    for (int i = 0; names[i]; i++)
        if (strcmp(s, names[i]) == 0) {
            *out = i;
            return KIOSK_OK;
        }
    char list[128] = "";
    for (int i = 0; names[i]; i++) {
        size_t n = strlen(list);
        snprintf(list + n, sizeof list - n, "%s\"%s\"", i ? ", " : "", names[i]);
    }
    return fail(p, sub, "must be one of %s", list);
}

static int meal_from_code(const char *code)
{
    for (int i = 0; i < KIOSK_MEAL_COUNT; i++)
        if (strcmp(code, meal_codes[i]) == 0)
            return i;
    return -1;
}

static int class_from_id(const kiosk_policy *pol, const char *id)
{
    for (int i = 0; i < pol->class_count; i++)
        if (strcmp(id, pol->classes[i].id) == 0)
            return i;
    return -1;
}

/* Identifiers end up in logs, the database and settlement files: keep them plain. */
static bool is_identifier(const char *s, size_t max_len, bool allow_dot)
{
    size_t n = strlen(s);
    if (n == 0 || n > max_len)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-' || (allow_dot && c == '.')))
            return false;
    }
    return true;
}

/* --- parsing sections ------------------------------------------------------------------------ */

static kiosk_rc parse_eligibility(parser *p, json_t *root, kiosk_policy *pol)
{
    static const char *const keys[] = {"min_age", "residence", "note", NULL};
    static const char *const residences[] = {"any", "resident", "hukou", NULL};
    json_t *o;
    kiosk_rc rc = get_object(p, root, "eligibility", "", false, &o);
    if (rc != KIOSK_OK || !o)
        return rc;
    int64_t min_age = -1;
    int residence = RESIDENCE_ANY;
    rc = check_keys(p, o, "eligibility", keys);
    if (rc == KIOSK_OK)
        rc = get_int(p, o, "min_age", "eligibility", 0, POLICY_AGE_MAX, &min_age);
    if (rc == KIOSK_OK)
        rc = get_enum(p, o, "residence", "eligibility", residences, &residence);
    pol->min_age = (int)min_age;
    pol->residence = (residence_rule)residence;
    return rc;
}

static kiosk_rc parse_jurisdiction(parser *p, json_t *root, kiosk_policy *pol)
{
    static const char *const keys[] = {"canteen_cards_anywhere", "follows_person", "outside_city",
                                       "note", NULL};
    static const char *const outside[] = {"allow", "refuse", NULL};
    const char *path = "jurisdiction";
    json_t *o, *levels;
    kiosk_rc rc = get_object(p, root, path, "", false, &o);
    if (rc != KIOSK_OK || !o)
        return rc;
    int refuse = 0;
    rc = check_keys(p, o, path, keys);
    if (rc == KIOSK_OK)
        rc = get_bool(p, o, "canteen_cards_anywhere", path, &pol->cards_anywhere);
    if (rc == KIOSK_OK)
        rc = get_enum(p, o, "outside_city", path, outside, &refuse);
    if (rc == KIOSK_OK)
        rc = get_array(p, o, "follows_person", path, KIOSK_LEVEL_COUNT, &levels);
    if (rc != KIOSK_OK)
        return rc;
    pol->refuse_outside_city = refuse == 1;
    size_t i;
    json_t *v;
    json_array_foreach(levels, i, v)
    {
        char sub[PATH_MAX_LEN];
        make_path(sub, "%s.follows_person[%zu]", path, i);
        int level = -1;
        for (int l = 0; json_is_string(v) && l < KIOSK_LEVEL_COUNT; l++)
            if (strcmp(json_string_value(v), level_codes[l]) == 0)
                level = l;
        if (level < 0)
            return fail(p, sub, "must be \"city\", \"district\" or \"street\"");
        if (pol->follows[level])
            return fail(p, sub, "listed twice");
        pol->follows[level] = true;
    }
    return KIOSK_OK;
}

static kiosk_rc parse_class(parser *p, json_t *o, const char *path, kiosk_policy *pol, int index)
{
    static const char *const keys[] = {"id",         "label", "min_age", "max_age",
                                       "categories", "note",  NULL};
    policy_class *c = &pol->classes[index];
    if (!json_is_object(o))
        return fail(p, path, "must be an object");
    const char *id, *label;
    char sub[PATH_MAX_LEN], q[48];
    kiosk_rc rc = check_keys(p, o, path, keys);
    if (rc == KIOSK_OK)
        rc = get_string(p, o, "id", path, true, &id);
    if (rc == KIOSK_OK)
        rc = get_string(p, o, "label", path, true, &label);
    if (rc != KIOSK_OK)
        return rc;
    join(sub, path, "id");
    if (!is_identifier(id, KIOSK_CLASS_ID_MAX - 1, false))
        return fail(p, sub, "must be 1..%d of A-Z a-z 0-9 _ -", KIOSK_CLASS_ID_MAX - 1);
    if (class_from_id(pol, id) >= 0)
        return fail(p, sub, "duplicate class \"%s\"", quote(id, q, sizeof q));
    join(sub, path, "label");
    size_t label_len = strlen(label);
    if (label_len == 0 || label_len >= KIOSK_CLASS_LABEL_MAX)
        return fail(p, sub, "must be 1..%d bytes", KIOSK_CLASS_LABEL_MAX - 1);
    int64_t min_age = -1, max_age = -1;
    rc = get_int(p, o, "min_age", path, 0, POLICY_AGE_MAX, &min_age);
    if (rc == KIOSK_OK)
        rc = get_int(p, o, "max_age", path, 0, POLICY_AGE_MAX, &max_age);
    if (rc != KIOSK_OK)
        return rc;
    if (min_age >= 0 && max_age >= 0 && max_age < min_age) {
        join(sub, path, "max_age");
        return fail(p, sub, "must not be below min_age");
    }
    json_t *cats;
    rc = get_array(p, o, "categories", path, KIOSK_CATEGORY_COUNT, &cats);
    if (rc != KIOSK_OK)
        return rc;
    if (cats && json_array_size(cats) == 0) {
        join(sub, path, "categories");
        return fail(p, sub, "must not be empty (leave it out instead)");
    }
    size_t i;
    json_t *v;
    json_array_foreach(cats, i, v)
    {
        join_index(sub, path, "categories", i);
        if (!json_is_string(v))
            return fail(p, sub, "must be a string");
        uint32_t bit = kiosk_category_from_code(json_string_value(v));
        if (!bit)
            return fail(p, sub, "unknown category \"%s\"",
                        quote(json_string_value(v), q, sizeof q));
        if (c->categories & bit)
            return fail(p, sub, "listed twice");
        c->categories |= bit;
    }
    memcpy(c->id, id, strlen(id) + 1);
    memcpy(c->label, label, label_len + 1);
    c->min_age = (int)min_age;
    c->max_age = (int)max_age;
    pol->class_count = index + 1;
    return KIOSK_OK;
}

static kiosk_rc parse_classes(parser *p, json_t *root, kiosk_policy *pol)
{
    json_t *arr;
    kiosk_rc rc = get_array(p, root, "classes", "", POLICY_CLASSES_MAX, &arr);
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v)
    {
        if (rc != KIOSK_OK)
            break;
        char sub[PATH_MAX_LEN];
        join_index(sub, "", "classes", i);
        rc = parse_class(p, v, sub, pol, (int)i);
    }
    return rc;
}

static kiosk_rc parse_meal(parser *p, json_t *o, const char *path, kiosk_policy *pol,
                           policy_meal *m)
{
    static const char *const keys[] = {"start", "end", "price_fen", "class_prices", "note", NULL};
    char sub[PATH_MAX_LEN], q[48];
    const char *start, *end;
    json_t *prices;
    if (!json_is_object(o))
        return fail(p, path, "must be an object");
    kiosk_rc rc = check_keys(p, o, path, keys);
    if (rc == KIOSK_OK)
        rc = get_string(p, o, "start", path, true, &start);
    if (rc == KIOSK_OK)
        rc = get_string(p, o, "end", path, true, &end);
    if (rc == KIOSK_OK)
        rc = get_money(p, o, "price_fen", path, true, &m->price_fen);
    if (rc == KIOSK_OK)
        rc = get_object(p, o, "class_prices", path, false, &prices);
    if (rc != KIOSK_OK)
        return rc;
    join(sub, path, "start");
    if (!kiosk_minutes_parse(start, false, &m->start_min))
        return fail(p, sub, "must be \"HH:MM\" (00:00..23:59)");
    join(sub, path, "end");
    if (!kiosk_minutes_parse(end, true, &m->end_min))
        return fail(p, sub, "must be \"HH:MM\" (00:01..24:00)");
    if (m->end_min <= m->start_min)
        return fail(p, sub, "must be after start (a window does not cross midnight)");
    for (int i = 0; i < POLICY_CLASSES_MAX; i++)
        m->class_price_fen[i] = -1;
    const char *key;
    json_t *v;
    json_object_foreach(prices, key, v)
    {
        make_path(sub, "%s.class_prices.%s", path, quote(key, q, sizeof q));
        int c = class_from_id(pol, key);
        if (c < 0)
            return fail(p, sub, "unknown class");
        rc = check_money(p, v, sub, &m->class_price_fen[c]);
        if (rc != KIOSK_OK)
            return rc;
    }
    m->served = true;
    return KIOSK_OK;
}

static kiosk_rc parse_meals(parser *p, json_t *root, kiosk_policy *pol)
{
    json_t *o;
    kiosk_rc rc = get_object(p, root, "meals", "", true, &o);
    if (rc != KIOSK_OK)
        return rc;
    if (json_object_size(o) == 0)
        return fail(p, "meals", "must serve at least one meal");
    const char *key;
    json_t *v;
    json_object_foreach(o, key, v)
    {
        char sub[PATH_MAX_LEN], q[48];
        make_path(sub, "meals.%s", quote(key, q, sizeof q));
        int t = meal_from_code(key);
        if (t < 0)
            return fail(p, sub, "unknown meal type (breakfast, lunch or dinner)");
        rc = parse_meal(p, v, sub, pol, &pol->meals[t]);
        if (rc != KIOSK_OK)
            return rc;
    }
    /* Overlapping windows would make "which meal is it" ambiguous. */
    for (int a = 0; a < KIOSK_MEAL_COUNT; a++)
        for (int b = a + 1; b < KIOSK_MEAL_COUNT; b++) {
            const policy_meal *x = &pol->meals[a], *y = &pol->meals[b];
            if (x->served && y->served && x->start_min < y->end_min && y->start_min < x->end_min) {
                char sub[PATH_MAX_LEN];
                make_path(sub, "meals.%s", meal_codes[b]);
                return fail(p, sub, "window overlaps meals.%s", meal_codes[a]);
            }
        }
    return KIOSK_OK;
}

/* amount_fen / pay_fen: one amount for every meal, or an object by meal type (a meal left out
 * is not covered by the rule). */
static kiosk_rc parse_meal_values(parser *p, json_t *v, const char *path,
                                  int64_t out[KIOSK_MEAL_COUNT])
{
    for (int t = 0; t < KIOSK_MEAL_COUNT; t++)
        out[t] = -1;
    if (json_is_integer(v)) {
        int64_t amount = 0;
        kiosk_rc rc = check_money(p, v, path, &amount);
        for (int t = 0; rc == KIOSK_OK && t < KIOSK_MEAL_COUNT; t++)
            out[t] = amount;
        return rc;
    }
    if (!json_is_object(v))
        return fail(p, path, "must be an integer number of fen or an object by meal type");
    if (json_object_size(v) == 0)
        return fail(p, path, "must name at least one meal");
    const char *key;
    json_t *item;
    json_object_foreach(v, key, item)
    {
        char sub[PATH_MAX_LEN], q[48];
        make_path(sub, "%s.%s", path, quote(key, q, sizeof q));
        int t = meal_from_code(key);
        if (t < 0)
            return fail(p, sub, "unknown meal type (breakfast, lunch or dinner)");
        kiosk_rc rc = check_money(p, item, sub, &out[t]);
        if (rc != KIOSK_OK)
            return rc;
    }
    return KIOSK_OK;
}

/* A key that only some kinds of rule may have. */
static kiosk_rc only_for(parser *p, json_t *o, const char *path, const char *key, bool allowed,
                         const char *why)
{
    if (allowed || !json_object_get(o, key))
        return KIOSK_OK;
    char sub[PATH_MAX_LEN];
    join(sub, path, key);
    return fail(p, sub, "%s", why);
}

static kiosk_rc parse_rule(parser *p, json_t *o, const char *path, kiosk_policy *pol,
                           policy_rule *r)
{
    static const char *const keys[] = {"class",
                                       "kind",
                                       "amount_fen",
                                       "pay_fen",
                                       "percent",
                                       "cap_fen",
                                       "base",
                                       "per",
                                       "meals",
                                       "min_spend_fen",
                                       "price_must_exceed_subsidy",
                                       "stack",
                                       "note",
                                       NULL};
    static const char *const kinds[] = {"fixed", "percent", "pay", NULL};
    static const char *const pers[] = {"meal", "day", NULL};
    static const char *const bases[] = {"price", "remainder", NULL};
    char sub[PATH_MAX_LEN], q[48];
    if (!json_is_object(o))
        return fail(p, path, "must be an object");
    const char *class_id;
    int kind = -1, per = 0, base = 0;
    kiosk_rc rc = check_keys(p, o, path, keys);
    if (rc == KIOSK_OK)
        rc = get_string(p, o, "class", path, true, &class_id);
    if (rc == KIOSK_OK && !json_object_get(o, "kind")) {
        join(sub, path, "kind");
        rc = fail(p, sub, "required");
    }
    if (rc == KIOSK_OK)
        rc = get_enum(p, o, "kind", path, kinds, &kind);
    if (rc != KIOSK_OK)
        return rc;
    join(sub, path, "class");
    r->class_index = class_from_id(pol, class_id);
    if (r->class_index < 0)
        return fail(p, sub, "unknown class \"%s\"", quote(class_id, q, sizeof q));
    r->kind = (rule_kind)kind;

    rc = only_for(p, o, path, "amount_fen", kind == RULE_FIXED, "only for kind \"fixed\"");
    if (rc == KIOSK_OK)
        rc = only_for(p, o, path, "pay_fen", kind == RULE_PAY, "only for kind \"pay\"");
    if (rc == KIOSK_OK)
        rc = only_for(p, o, path, "percent", kind == RULE_PERCENT, "only for kind \"percent\"");
    if (rc == KIOSK_OK)
        rc = only_for(p, o, path, "cap_fen", kind == RULE_PERCENT, "only for kind \"percent\"");
    if (rc == KIOSK_OK)
        rc = only_for(p, o, path, "base", kind == RULE_PERCENT, "only for kind \"percent\"");
    if (rc == KIOSK_OK)
        rc = only_for(p, o, path, "stack", kind != RULE_PAY,
                      "a \"pay\" rule sets the whole price and cannot stack");
    if (rc != KIOSK_OK)
        return rc;

    const char *value_key = kind == RULE_FIXED ? "amount_fen" : "pay_fen";
    json_t *value = json_object_get(o, value_key);
    join(sub, path, value_key);
    if (kind != RULE_PERCENT) {
        if (!value)
            return fail(p, sub, "required");
        rc = parse_meal_values(p, value, sub, r->value_fen);
    } else {
        int64_t percent = -1;
        r->cap_fen = -1;
        rc = get_int(p, o, "percent", path, 0, 100, &percent);
        if (rc == KIOSK_OK && percent < 0) {
            join(sub, path, "percent");
            rc = fail(p, sub, "required");
        }
        r->percent = (int)percent;
        if (rc == KIOSK_OK)
            rc = get_money(p, o, "cap_fen", path, false, &r->cap_fen);
        if (rc == KIOSK_OK)
            rc = get_enum(p, o, "base", path, bases, &base);
    }
    if (rc == KIOSK_OK)
        rc = get_enum(p, o, "per", path, pers, &per);
    if (rc == KIOSK_OK)
        rc = get_money(p, o, "min_spend_fen", path, false, &r->min_spend_fen);
    if (rc == KIOSK_OK)
        rc = get_bool(p, o, "price_must_exceed_subsidy", path, &r->must_exceed);
    if (rc == KIOSK_OK)
        rc = get_bool(p, o, "stack", path, &r->stack);
    if (rc != KIOSK_OK)
        return rc;
    r->per_day = per == 1;
    r->of_remainder = base == 1;
    if (r->per_day && kind != RULE_FIXED) {
        join(sub, path, "per");
        return fail(p, sub, "\"day\" is only for kind \"fixed\"");
    }
    if (r->of_remainder && !r->stack) {
        join(sub, path, "base");
        return fail(p, sub, "\"remainder\" needs \"stack\": true");
    }

    json_t *meals;
    rc = get_array(p, o, "meals", path, KIOSK_MEAL_COUNT, &meals);
    if (rc != KIOSK_OK)
        return rc;
    if (meals && json_array_size(meals) == 0) {
        join(sub, path, "meals");
        return fail(p, sub, "must not be empty (leave it out for every meal)");
    }
    for (int t = 0; t < KIOSK_MEAL_COUNT; t++)
        r->for_meal[t] = !meals;
    size_t i;
    json_t *v;
    json_array_foreach(meals, i, v)
    {
        join_index(sub, path, "meals", i);
        int t = json_is_string(v) ? meal_from_code(json_string_value(v)) : -1;
        if (t < 0)
            return fail(p, sub, "must be \"breakfast\", \"lunch\" or \"dinner\"");
        if (r->for_meal[t])
            return fail(p, sub, "listed twice");
        r->for_meal[t] = true;
    }
    return KIOSK_OK;
}

static kiosk_rc parse_rules(parser *p, json_t *root, kiosk_policy *pol)
{
    json_t *arr;
    kiosk_rc rc = get_array(p, root, "rules", "", POLICY_RULES_MAX, &arr);
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v)
    {
        if (rc != KIOSK_OK)
            break;
        char sub[PATH_MAX_LEN];
        join_index(sub, "", "rules", i);
        rc = parse_rule(p, v, sub, pol, &pol->rules[i]);
        pol->rule_count = (int)i + 1;
    }
    return rc;
}

static kiosk_rc parse_limits(parser *p, json_t *root, kiosk_policy *pol)
{
    static const char *const keys[] = {"per_meal_type_per_day", "per_day", "monthly_cap_fen",
                                       "full_price_over_limit", "note",    NULL};
    const char *path = "limits";
    json_t *o;
    pol->monthly_cap_fen = -1;
    pol->full_price_over_limit = true;
    kiosk_rc rc = get_object(p, root, path, "", false, &o);
    if (rc != KIOSK_OK || !o)
        return rc;
    int64_t per_type = 0, per_day = 0, cap = -1;
    rc = check_keys(p, o, path, keys);
    if (rc == KIOSK_OK)
        rc = get_int(p, o, "per_meal_type_per_day", path, 1, POLICY_LIMIT_MAX, &per_type);
    if (rc == KIOSK_OK)
        rc = get_int(p, o, "per_day", path, 1, POLICY_LIMIT_MAX, &per_day);
    if (rc == KIOSK_OK)
        rc = get_money(p, o, "monthly_cap_fen", path, false, &cap);
    if (rc == KIOSK_OK)
        rc = get_bool(p, o, "full_price_over_limit", path, &pol->full_price_over_limit);
    pol->per_type_limit = (int)per_type;
    pol->per_day_limit = (int)per_day;
    pol->monthly_cap_fen = cap;
    return rc;
}

/* {"city": n, "district": n, "street": n}, a missing level is 0. */
static kiosk_rc parse_levels(parser *p, json_t *o, const char *path, bool money,
                             int64_t out[KIOSK_LEVEL_COUNT])
{
    static const char *const keys[] = {"city", "district", "street", NULL};
    kiosk_rc rc = check_keys(p, o, path, keys);
    for (int l = 0; rc == KIOSK_OK && l < KIOSK_LEVEL_COUNT; l++)
        rc = money ? get_money(p, o, level_codes[l], path, false, &out[l])
                   : get_int(p, o, level_codes[l], path, 0, 100, &out[l]);
    return rc;
}

static kiosk_rc parse_funding(parser *p, json_t *root, kiosk_policy *pol)
{
    static const char *const keys[] = {"percent", "fixed_fen", "remainder", "note", NULL};
    static const char *const levels[] = {"city", "district", "street", NULL};
    const char *path = "funding";
    json_t *o, *percent, *fixed;
    /* Without a funding section the city pays every subsidy. */
    pol->funding_weight[KIOSK_LEVEL_CITY] = 100;
    kiosk_rc rc = get_object(p, root, path, "", false, &o);
    if (rc != KIOSK_OK || !o)
        return rc;
    rc = check_keys(p, o, path, keys);
    if (rc == KIOSK_OK)
        rc = get_object(p, o, "percent", path, false, &percent);
    if (rc == KIOSK_OK)
        rc = get_object(p, o, "fixed_fen", path, false, &fixed);
    if (rc != KIOSK_OK)
        return rc;
    if (!percent == !fixed)
        return fail(p, path, "needs exactly one of \"percent\" and \"fixed_fen\"");
    pol->funding_weight[KIOSK_LEVEL_CITY] = 0;
    if (percent) {
        if (json_object_get(o, "remainder"))
            return fail(p, "funding.remainder", "only with \"fixed_fen\"");
        rc = parse_levels(p, percent, "funding.percent", false, pol->funding_weight);
        if (rc != KIOSK_OK)
            return rc;
        int64_t sum = 0;
        for (int l = 0; l < KIOSK_LEVEL_COUNT; l++)
            sum += pol->funding_weight[l];
        if (sum != 100)
            return fail(p, "funding.percent", "must add up to 100, not %lld", (long long)sum);
        return KIOSK_OK;
    }
    pol->funding_fixed = true;
    if (!json_object_get(o, "remainder"))
        return fail(p, "funding.remainder", "required with \"fixed_fen\"");
    int remainder = 0;
    rc = get_enum(p, o, "remainder", path, levels, &remainder);
    pol->remainder_level = (kiosk_funding_level)remainder;
    if (rc == KIOSK_OK)
        rc = parse_levels(p, fixed, "funding.fixed_fen", true, pol->funding_weight);
    return rc;
}

static kiosk_rc parse_root(parser *p, json_t *root, kiosk_policy *pol)
{
    static const char *const keys[] = {"version",     "effective_from", "name",   "note",
                                       "eligibility", "jurisdiction",   "meals",  "classes",
                                       "combine",     "rules",          "limits", "funding",
                                       NULL};
    static const char *const combines[] = {"highest", "sum", NULL};
    if (!json_is_object(root))
        return fail(p, "", "must be a JSON object");
    const char *version, *from, *name;
    kiosk_rc rc = check_keys(p, root, "", keys);
    if (rc == KIOSK_OK)
        rc = get_string(p, root, "version", "", true, &version);
    if (rc == KIOSK_OK && !is_identifier(version, KIOSK_ID_MAX - 1, true))
        rc = fail(p, "version", "must be 1..%d of A-Z a-z 0-9 . _ -", KIOSK_ID_MAX - 1);
    if (rc == KIOSK_OK)
        rc = get_string(p, root, "effective_from", "", true, &from);
    if (rc == KIOSK_OK && !kiosk_date_parse(from, &pol->effective_from))
        rc = fail(p, "effective_from", "must be a date \"YYYY-MM-DD\"");
    if (rc == KIOSK_OK)
        rc = get_string(p, root, "name", "", false, &name);
    if (rc == KIOSK_OK && name && strlen(name) > POLICY_NAME_MAX)
        rc = fail(p, "name", "at most %d bytes", POLICY_NAME_MAX);
    if (rc != KIOSK_OK)
        return rc;
    memcpy(pol->version, version, strlen(version) + 1);
    int combine = 0;
    rc = get_enum(p, root, "combine", "", combines, &combine);
    pol->combine_sum = combine == 1;
    if (rc == KIOSK_OK)
        rc = parse_eligibility(p, root, pol);
    if (rc == KIOSK_OK)
        rc = parse_jurisdiction(p, root, pol);
    if (rc == KIOSK_OK)
        rc = parse_classes(p, root, pol);
    if (rc == KIOSK_OK)
        rc = parse_meals(p, root, pol);
    if (rc == KIOSK_OK)
        rc = parse_rules(p, root, pol);
    if (rc == KIOSK_OK)
        rc = parse_limits(p, root, pol);
    if (rc == KIOSK_OK)
        rc = parse_funding(p, root, pol);
    return rc;
}

kiosk_rc kiosk_policy_parse(const char *json, size_t len, kiosk_policy **out, char *err,
                            size_t err_size)
{
    parser p = {err, err_size};
    if (err && err_size)
        err[0] = '\0';
    if (!out)
        return KIOSK_ERR_INVALID;
    *out = NULL;
    if (len > POLICY_INPUT_MAX)
        return fail(&p, "", "%zu bytes, more than the 1 MiB limit", len);
    if (!json)
        return fail(&p, "", "empty input");
    json_error_t jerr;
    json_t *root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root) {
        char q[JSON_ERROR_TEXT_LENGTH];
        return fail(&p, "", "line %d, column %d: %s", jerr.line, jerr.column,
                    quote(jerr.text, q, sizeof q));
    }
    kiosk_policy *pol = calloc(1, sizeof *pol);
    kiosk_rc rc = pol ? parse_root(&p, root, pol) : KIOSK_ERR_NOMEM;
    if (!pol && err && err_size)
        snprintf(err, err_size, "out of memory");
    json_decref(root);
    if (rc != KIOSK_OK) {
        free(pol);
        return rc;
    }
    *out = pol;
    return KIOSK_OK;
}

void kiosk_policy_free(kiosk_policy *policy)
{
    free(policy);
}

const char *kiosk_policy_version(const kiosk_policy *policy)
{
    return policy ? policy->version : "";
}

kiosk_date kiosk_policy_effective_from(const kiosk_policy *policy)
{
    return policy ? policy->effective_from : (kiosk_date){0, 0, 0};
}

/* --- the set of versions ------------------------------------------------------------------- */

kiosk_policy_set *kiosk_policy_set_new(void)
{
    return calloc(1, sizeof(kiosk_policy_set));
}

void kiosk_policy_set_free(kiosk_policy_set *set)
{
    if (!set)
        return;
    for (size_t i = 0; i < set->count; i++)
        kiosk_policy_free(set->items[i]);
    free(set->items);
    free(set);
}

/* The policy is owned by the set even on failure (freed then), so a caller never leaks it. */
kiosk_rc kiosk_policy_set_take(kiosk_policy_set *set, kiosk_policy *policy)
{
    if (!set || !policy) {
        kiosk_policy_free(policy);
        return KIOSK_ERR_INVALID;
    }
    for (size_t i = 0; i < set->count; i++)
        if (strcmp(set->items[i]->version, policy->version) == 0) {
            kiosk_policy_free(set->items[i]);
            set->items[i] = policy;
            return KIOSK_OK;
        }
    if (set->count == set->cap) {
        size_t cap = set->cap ? set->cap * 2 : 8;
        kiosk_policy **items =
            cap <= POLICY_SET_MAX ? realloc(set->items, cap * sizeof *items) : NULL;
        if (!items) {
            kiosk_policy_free(policy);
            return cap <= POLICY_SET_MAX ? KIOSK_ERR_NOMEM : KIOSK_ERR_TOO_BIG;
        }
        set->items = items;
        set->cap = cap;
    }
    set->items[set->count++] = policy;
    return KIOSK_OK;
}

/* Two versions with the same effective date: the greater version string wins, so the choice
 * does not depend on the order the versions were loaded in. */
const kiosk_policy *kiosk_policy_set_in_force(const kiosk_policy_set *set, kiosk_date on)
{
    const kiosk_policy *best = NULL;
    for (size_t i = 0; set && i < set->count; i++) {
        const kiosk_policy *p = set->items[i];
        if (kiosk_date_cmp(p->effective_from, on) > 0)
            continue;
        int c = best ? kiosk_date_cmp(p->effective_from, best->effective_from) : 1;
        if (c > 0 || (c == 0 && strcmp(p->version, best->version) > 0))
            best = p;
    }
    return best;
}

/* --- meals and windows ------------------------------------------------------------------------ */

kiosk_meal_type kiosk_policy_meal_at(const kiosk_policy *policy, kiosk_local_time at)
{
    for (int t = 0; policy && t < KIOSK_MEAL_COUNT; t++) {
        const policy_meal *m = &policy->meals[t];
        if (m->served && at.minute_of_day >= m->start_min && at.minute_of_day < m->end_min)
            return (kiosk_meal_type)t;
    }
    return KIOSK_MEAL_NONE;
}

bool kiosk_policy_meal_window(const kiosk_policy *policy, kiosk_meal_type type, int *start_min,
                              int *end_min)
{
    if (!policy || type < 0 || type >= KIOSK_MEAL_COUNT || !policy->meals[type].served)
        return false;
    if (start_min)
        *start_min = policy->meals[type].start_min;
    if (end_min)
        *end_min = policy->meals[type].end_min;
    return true;
}

const char *kiosk_policy_class_label(const kiosk_policy *policy, const char *class_id)
{
    int i = policy ? class_from_id(policy, class_id) : -1;
    return i >= 0 && policy->classes[i].label[0] ? policy->classes[i].label : class_id;
}

/* --- the decision ----------------------------------------------------------------------------- */

/* The classes a diner belongs to on a date, as a bit mask over policy->classes. */
static uint32_t classes_of(const kiosk_policy *pol, const kiosk_person *person, int age)
{
    uint32_t mask = 0;
    for (int i = 0; i < pol->class_count; i++) {
        const policy_class *c = &pol->classes[i];
        if ((c->min_age >= 0 && age < c->min_age) || (c->max_age >= 0 && age > c->max_age))
            continue;
        if (c->categories && !(person->categories & c->categories))
            continue;
        mask |= 1u << i;
    }
    return mask;
}

/* The list price for this diner: a class price replaces the meal's price; a diner in several
 * classes with prices gets the lowest of them (the kindest, as with 就高). */
static int64_t price_for(const kiosk_policy *pol, kiosk_meal_type t, uint32_t classes)
{
    const policy_meal *m = &pol->meals[t];
    int64_t price = -1;
    for (int i = 0; i < pol->class_count; i++)
        if ((classes >> i & 1u) && m->class_price_fen[i] >= 0 &&
            (price < 0 || m->class_price_fen[i] < price))
            price = m->class_price_fen[i];
    return price >= 0 ? price : m->price_fen;
}

/* Percent of an amount to the nearest fen, a half fen up: the diner gets the half fen. */
static int64_t percent_of(int64_t amount, int percent)
{
    return (amount * percent + 50) / 100;
}

/* Whether a rule applies to this diner and meal, and its raw amount (before clipping to the
 * price). `base` is what a percentage is taken of. */
static bool rule_amount(const policy_rule *r, uint32_t classes, kiosk_meal_type t, int64_t price,
                        int64_t base, int64_t *amount)
{
    *amount = 0;
    if (!(classes >> r->class_index & 1u) || !r->for_meal[t] || price < r->min_spend_fen)
        return false;
    switch (r->kind) {
    case RULE_FIXED:
        if (r->value_fen[t] < 0)
            return false;
        *amount = r->value_fen[t];
        break;
    case RULE_PAY:
        if (r->value_fen[t] < 0)
            return false;
        *amount = price > r->value_fen[t] ? price - r->value_fen[t] : 0;
        break;
    case RULE_PERCENT:
        *amount = percent_of(base, r->percent);
        if (r->cap_fen >= 0 && *amount > r->cap_fen)
            *amount = r->cap_fen;
        break;
    }
    return !r->must_exceed || price > *amount;
}

static bool same_date(kiosk_date a, kiosk_date b)
{
    return kiosk_date_cmp(a, b) == 0;
}

static bool valid_meal_type(kiosk_meal_type t)
{
    return t >= 0 && t < KIOSK_MEAL_COUNT;
}

/* A per-day subsidy goes with the first subsidised meal of the day that qualifies for it. The
 * record does not say which rules paid, but whether a meal qualified follows from the policy,
 * the diner's classes and the meal type alone, so it is worked out again here. */
static bool day_rule_used(const kiosk_policy *pol, const policy_rule *r, uint32_t classes,
                          const kiosk_meal_history *h, kiosk_date today)
{
    for (size_t i = 0; i < h->count; i++) {
        const kiosk_meal_record *m = &h->items[i];
        if (m->subsidy_fen <= 0 || !same_date(m->at.date, today) || !valid_meal_type(m->meal_type))
            continue;
        if (!pol->meals[m->meal_type].served)
            continue;
        int64_t price = price_for(pol, m->meal_type, classes), amount;
        if (rule_amount(r, classes, m->meal_type, price, price, &amount))
            return true;
    }
    return false;
}

typedef struct subsidy {
    int64_t amount;  /* 0..price */
    int class_index; /* whose rule gave most; -1 = none */
} subsidy;

/* Base rules combine by "highest" or "sum"; stacking rules are then added one after the other
 * in document order, each limited to what is left to pay. The class reported is the one whose
 * base rule gave the most (the first such rule on a tie); a stacking rule names the class only
 * when no base rule gave anything. */
static subsidy compute_subsidy(const kiosk_policy *pol, uint32_t classes, kiosk_meal_type t,
                               int64_t price, const kiosk_meal_history *h, kiosk_date today)
{
    subsidy s = {0, -1};
    int64_t combined = 0, best_part = 0;
    for (int i = 0; i < pol->rule_count; i++) {
        const policy_rule *r = &pol->rules[i];
        int64_t amount;
        if (r->stack || !rule_amount(r, classes, t, price, price, &amount))
            continue;
        if (r->per_day && day_rule_used(pol, r, classes, h, today))
            continue;
        amount = amount < price ? amount : price;
        combined = pol->combine_sum ? combined + amount : (amount > combined ? amount : combined);
        if (amount > best_part) {
            best_part = amount;
            s.class_index = r->class_index;
        }
    }
    s.amount = combined < price ? combined : price;
    for (int i = 0; i < pol->rule_count; i++) {
        const policy_rule *r = &pol->rules[i];
        int64_t left = price - s.amount, amount;
        if (!r->stack ||
            !rule_amount(r, classes, t, price, r->of_remainder ? left : price, &amount))
            continue;
        if (r->per_day && day_rule_used(pol, r, classes, h, today))
            continue;
        amount = amount < left ? amount : left;
        s.amount += amount;
        if (combined == 0 && amount > best_part) {
            best_part = amount;
            s.class_index = r->class_index;
        }
    }
    return s;
}

/* Splits amount in proportion to weights, each share rounded down; the fen left over go to the
 * first level with a weight, in the order city, district, street. */
static void split(int64_t amount, const int64_t weights[KIOSK_LEVEL_COUNT],
                  int64_t out[KIOSK_LEVEL_COUNT])
{
    int64_t total = 0, given = 0;
    int first = -1;
    for (int l = 0; l < KIOSK_LEVEL_COUNT; l++) {
        total += weights[l];
        if (first < 0 && weights[l] > 0)
            first = l;
    }
    for (int l = 0; l < KIOSK_LEVEL_COUNT; l++) {
        out[l] = total > 0 ? amount * weights[l] / total : 0;
        given += out[l];
    }
    out[first >= 0 ? first : KIOSK_LEVEL_CITY] += amount - given;
}

/* The shares of each level for a subsidy, before jurisdiction. */
static void fund(const kiosk_policy *pol, int64_t amount, int64_t out[KIOSK_LEVEL_COUNT])
{
    if (!pol->funding_fixed) {
        split(amount, pol->funding_weight, out);
        return;
    }
    int64_t left = amount;
    for (int l = 0; l < KIOSK_LEVEL_COUNT; l++) {
        out[l] = pol->funding_weight[l] < left ? pol->funding_weight[l] : left;
        left -= out[l];
    }
    out[pol->remainder_level] += left;
}

/* Area codes are fixed arrays that callers fill; never read past them. */
static bool same_code(const char *a, const char *b)
{
    return strncmp(a, b, KIOSK_AREA_CODE_MAX) == 0;
}

/* Whether the diner is outside the canteen's area at each level. A level the kiosk does not
 * know its own code for is not checked; a diner whose code is unknown is outside, because no
 * budget of that level can be billed for them. Outside a wider area means outside the narrower
 * ones too. */
static void outside_areas(const kiosk_area *home, const kiosk_area *site,
                          bool out[KIOSK_LEVEL_COUNT])
{
    out[KIOSK_LEVEL_CITY] = site->city[0] && !same_code(home->city, site->city);
    out[KIOSK_LEVEL_DISTRICT] =
        out[KIOSK_LEVEL_CITY] || (site->district[0] && !same_code(home->district, site->district));
    out[KIOSK_LEVEL_STREET] =
        out[KIOSK_LEVEL_DISTRICT] || (site->street[0] && !same_code(home->street, site->street));
}

static int64_t saturating_add(int64_t a, int64_t b)
{
    return a > INT64_MAX - b ? INT64_MAX : a + b;
}

/* Time of day order of two records of the same date. Records come from the store, but the
 * arithmetic stays in int64_t so that no value of theirs can overflow it. */
static bool earlier(const kiosk_meal_record *a, const kiosk_meal_record *b)
{
    int64_t x = (int64_t)a->at.minute_of_day * 60 + a->at.second;
    int64_t y = (int64_t)b->at.minute_of_day * 60 + b->at.second;
    return x < y;
}

static kiosk_decision refuse(kiosk_decision d, kiosk_reason reason)
{
    d.approved = false;
    d.reason = reason;
    return d;
}

static void set_class(kiosk_decision *d, const kiosk_policy *pol, int index)
{
    if (index < 0)
        return;
    snprintf(d->class_id, sizeof d->class_id, "%s", pol->classes[index].id);
    snprintf(d->class_label, sizeof d->class_label, "%s", pol->classes[index].label);
}

kiosk_decision kiosk_policy_decide(const kiosk_policy *policy, const kiosk_person *person,
                                   const kiosk_card_info *card, const kiosk_site *site,
                                   const kiosk_meal_history *history, kiosk_local_time at)
{
    kiosk_decision d;
    memset(&d, 0, sizeof d);
    d.meal_type = KIOSK_MEAL_NONE;
    d.month_remaining_fen = -1;
    if (!policy || !person || !site)
        return refuse(d, KIOSK_REASON_NO_POLICY);
    kiosk_meal_history none = {NULL, 0};
    const kiosk_meal_history *h = history && history->items ? history : &none;
    snprintf(d.policy_version, sizeof d.policy_version, "%s", policy->version);
    d.meal_type = kiosk_policy_meal_at(policy, at);

    int64_t month_used = 0, remaining = -1;
    const kiosk_meal_record *last_of_type = NULL, *last_of_day = NULL;
    size_t of_type = 0, of_day = 0;
    for (size_t i = 0; i < h->count; i++) {
        const kiosk_meal_record *m = &h->items[i];
        if (m->subsidy_fen <= 0 || m->at.date.year != at.date.year ||
            m->at.date.month != at.date.month)
            continue;
        month_used = saturating_add(month_used, m->subsidy_fen);
        if (!same_date(m->at.date, at.date))
            continue;
        if (!last_of_day || !earlier(m, last_of_day))
            last_of_day = m;
        of_day++;
        if (m->meal_type != d.meal_type)
            continue;
        if (!last_of_type || !earlier(m, last_of_type))
            last_of_type = m;
        of_type++;
    }
    if (policy->monthly_cap_fen >= 0) {
        remaining = policy->monthly_cap_fen > month_used ? policy->monthly_cap_fen - month_used : 0;
        d.month_remaining_fen = remaining;
    }

    if (card && card->blocked)
        return refuse(d, KIOSK_REASON_CARD_BLOCKED);
    if (!person->active)
        return refuse(d, KIOSK_REASON_PERSON_INACTIVE);
    if (card && card->issuing_canteen[0] && !policy->cards_anywhere &&
        strncmp(card->issuing_canteen, site->canteen_id, KIOSK_ID_MAX) != 0)
        return refuse(d, KIOSK_REASON_WRONG_CANTEEN);
    int age = kiosk_age_on(person->birth, at.date);
    if (policy->min_age >= 0 && age < policy->min_age)
        return refuse(d, KIOSK_REASON_NOT_ELIGIBLE_AGE);
    bool outside[KIOSK_LEVEL_COUNT];
    outside_areas(&person->home, &site->area, outside);
    if ((policy->residence == RESIDENCE_HUKOU && !person->local_hukou) ||
        (policy->residence == RESIDENCE_RESIDENT && !person->local_hukou &&
         !person->local_resident) ||
        (policy->refuse_outside_city && outside[KIOSK_LEVEL_CITY]))
        return refuse(d, KIOSK_REASON_NOT_ELIGIBLE_RESIDENCE);
    if (d.meal_type == KIOSK_MEAL_NONE)
        return refuse(d, KIOSK_REASON_OUTSIDE_MEAL_HOURS);

    uint32_t classes = classes_of(policy, person, age);
    d.price_fen = price_for(policy, d.meal_type, classes);
    d.pay_fen = d.price_fen;
    subsidy s = compute_subsidy(policy, classes, d.meal_type, d.price_fen, h, at.date);
    if (s.class_index < 0)
        for (int i = 0; i < policy->class_count && s.class_index < 0; i++)
            if (classes >> i & 1u)
                s.class_index = i;
    set_class(&d, policy, s.class_index);

    /* Funding follows the person: a level listed in follows_person whose area the diner is
     * outside pays nothing, and the diner pays that part. */
    int64_t shares[KIOSK_LEVEL_COUNT], kept = 0;
    fund(policy, s.amount, shares);
    for (int l = 0; l < KIOSK_LEVEL_COUNT; l++) {
        if (policy->follows[l] && outside[l])
            shares[l] = 0;
        kept += shares[l];
    }

    /* Limits and the cap are about subsidised meals: a meal that would get nothing is simply
     * sold at its price. */
    if (kept > 0) {
        d.full_price_allowed = policy->full_price_over_limit;
        if (policy->per_type_limit && of_type >= (size_t)policy->per_type_limit) {
            d.previous = last_of_type;
            return refuse(d, KIOSK_REASON_ALREADY_HAD_MEAL);
        }
        if (policy->per_day_limit && of_day >= (size_t)policy->per_day_limit) {
            d.previous = last_of_day;
            return refuse(d, KIOSK_REASON_DAILY_LIMIT);
        }
        if (remaining == 0)
            return refuse(d, KIOSK_REASON_MONTHLY_CAP);
        d.full_price_allowed = false;
        if (remaining > 0 && remaining < kept) {
            int64_t weights[KIOSK_LEVEL_COUNT];
            memcpy(weights, shares, sizeof weights);
            split(remaining, weights, shares);
            kept = remaining;
        }
    }
    d.approved = true;
    d.reason = KIOSK_REASON_OK;
    d.subsidy_fen = kept;
    d.pay_fen = d.price_fen - kept;
    memcpy(d.funding_fen, shares, sizeof shares);
    if (remaining >= 0)
        d.month_remaining_fen = remaining - kept;
    return d;
}
