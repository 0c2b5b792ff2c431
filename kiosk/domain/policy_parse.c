/* policy_parse.c - strict parsing of one policy version (JSON, docs/policy.md) into the fixed
 * structs of policy_internal.h. Every error names the field path and what is wrong. */
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy_internal.h"

/* --- parsing helpers ------------------------------------------------------------------------ */

typedef struct parser {
    char *err;
    size_t err_size;
} parser;

/* "path: message" through the one fail helper; the path names the field ("rules[2].percent"). */
#define fail(p, path, ...) kiosk_fail_at(KIOSK_ERR_PARSE, (p)->err, (p)->err_size, path, __VA_ARGS__)

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
KIOSK_PRINTF_LIKE(2, 3) static void make_path(char *out, const char *fmt, ...)
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
        if (strcmp(code, kiosk_meal_type_code((kiosk_meal_type)i)) == 0)
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
    static const char *const keys[] = {"min_age", "residence", "outside_rule_residence", "note",
                                       NULL};
    static const char *const residences[] = {"any", "resident", "hukou", NULL};
    static const char *const outside_rule[] = {"full_price", "refuse", NULL};
    json_t *o;
    kiosk_rc rc = get_object(p, root, "eligibility", "", false, &o);
    if (rc != KIOSK_OK || !o)
        return rc;
    int64_t min_age = -1;
    int residence = RESIDENCE_ANY, refuse = 0;
    rc = check_keys(p, o, "eligibility", keys);
    if (rc == KIOSK_OK)
        rc = get_int(p, o, "min_age", "eligibility", 0, POLICY_AGE_MAX, &min_age);
    if (rc == KIOSK_OK)
        rc = get_enum(p, o, "residence", "eligibility", residences, &residence);
    if (rc == KIOSK_OK)
        rc = get_enum(p, o, "outside_rule_residence", "eligibility", outside_rule, &refuse);
    pol->min_age = (int)min_age;
    pol->residence = (residence_rule)residence;
    pol->refuse_outside_rule_residence = refuse == 1;
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
            if (strcmp(json_string_value(v), kiosk_funding_level_code((kiosk_funding_level)l)) == 0)
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
    if (kiosk_policy_class_index(pol, id) >= 0)
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
        int c = kiosk_policy_class_index(pol, key);
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
                make_path(sub, "meals.%s", kiosk_meal_type_code((kiosk_meal_type)b));
                return fail(p, sub, "window overlaps meals.%s", kiosk_meal_type_code((kiosk_meal_type)a));
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
                                       "residence",
                                       "paid_by",
                                       "note",
                                       NULL};
    static const char *const kinds[] = {"fixed", "percent", "pay", NULL};
    static const char *const residences[] = {"any", "resident", "hukou", NULL};
    static const char *const payers[] = {"government", "canteen", NULL};
    static const char *const pers[] = {"meal", "day", NULL};
    static const char *const bases[] = {"price", "remainder", NULL};
    char sub[PATH_MAX_LEN], q[48];
    if (!json_is_object(o))
        return fail(p, path, "must be an object");
    const char *class_id;
    int kind = -1, per = 0, base = 0, residence = RESIDENCE_ANY, payer = 0;
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
    r->class_index = kiosk_policy_class_index(pol, class_id);
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
    if (rc == KIOSK_OK)
        rc = get_enum(p, o, "residence", path, residences, &residence);
    if (rc == KIOSK_OK)
        rc = get_enum(p, o, "paid_by", path, payers, &payer);
    if (rc != KIOSK_OK)
        return rc;
    r->residence = (residence_rule)residence;
    r->paid_by_canteen = payer == 1;
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
        rc = money ? get_money(p, o, kiosk_funding_level_code((kiosk_funding_level)l), path, false, &out[l])
                   : get_int(p, o, kiosk_funding_level_code((kiosk_funding_level)l), path, 0, 100, &out[l]);
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
        return fail(p, "policy", "must be a JSON object");
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
        return fail(&p, "policy", "%zu bytes, more than the 1 MiB limit", len);
    if (!json)
        return fail(&p, "policy", "empty input");
    json_error_t jerr;
    json_t *root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root) {
        char q[JSON_ERROR_TEXT_LENGTH];
        return fail(&p, "policy", "line %d, column %d: %s", jerr.line, jerr.column,
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

