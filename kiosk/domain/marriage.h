/* marriage.h - the rules of a marriage-registration hall's check-in, pure: the service types and
 * lanes, an appointment as the hall booked it, the decision whether a couple standing at the
 * kiosk may take a queue number now (slot window, cancellation, the cooling-off periods, who
 * must be present), the legal-age flag for the registrar, the queue numbering rule, and the
 * check-in record with its canonical JSON payload. The kiosk's store and flows and the central
 * server share these. Any thread. */
#ifndef KIOSK_MARRIAGE_H
#define KIOSK_MARRIAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "caltime.h"
#include "card_key.h"
#include "cooling.h"
#include "error.h"
#include "recid.h"
#include "types.h"
#include "workcal.h"

/* Service types: enum name, code (files, records), Chinese name, default queue prefix, parties
 * who must be present (2: both in person; 1: one of the booked parties suffices). */
#define KIOSK_SERVICE_MAP(X)                                            \
    X(MARRIAGE, "marriage", "结婚登记", 'J', 2)                         \
    X(DIVORCE_APPLY, "divorce_apply", "离婚登记申请", 'L', 2)           \
    X(DIVORCE_CERT, "divorce_cert", "离婚登记", 'L', 2)                 \
    X(DIVORCE_WITHDRAW, "divorce_withdraw", "撤回离婚登记申请", 'L', 1) \
    X(REISSUE_MARRIAGE, "reissue_marriage", "补领结婚证", 'B', 1)       \
    X(REISSUE_DIVORCE, "reissue_divorce", "补领离婚证", 'B', 1)

typedef enum kiosk_service {
#define KIOSK_SERVICE_ENUM(e, code, zh, prefix, parties) KIOSK_SERVICE_##e,
    KIOSK_SERVICE_MAP(KIOSK_SERVICE_ENUM)
#undef KIOSK_SERVICE_ENUM
        KIOSK_SERVICE_COUNT
} kiosk_service;

/* Lanes: enum name, code, Chinese name printed on the ticket, calling rank (lower first). Booked
 * and priority tickets are called ahead of walk-ins; the green channel (soldiers, pregnant women,
 * the elderly: the booking says so) ahead of both. */
#define KIOSK_LANE_MAP(X)              \
    X(PRIORITY, "priority", "优先", 0) \
    X(BOOKED, "booked", "预约", 1)     \
    X(WALKIN, "walkin", "现场", 2)

typedef enum kiosk_lane {
#define KIOSK_LANE_ENUM(e, code, zh, rank) KIOSK_LANE_##e,
    KIOSK_LANE_MAP(KIOSK_LANE_ENUM)
#undef KIOSK_LANE_ENUM
        KIOSK_LANE_COUNT
} kiosk_lane;

typedef enum kiosk_appt_status {
    KIOSK_APPT_BOOKED,
    KIOSK_APPT_CHECKED_IN,
    KIOSK_APPT_CANCELLED,
    KIOSK_APPT_STATUS_COUNT
} kiosk_appt_status;

const char *kiosk_service_code(kiosk_service s);  /* "marriage"; "" when out of range */
const char *kiosk_service_label(kiosk_service s); /* "结婚登记" */
char kiosk_service_default_prefix(kiosk_service s);
int kiosk_service_parties(kiosk_service s); /* 1 or 2 */
/* The service of a code or a Chinese name; false when neither. */
bool kiosk_service_parse(const char *text, kiosk_service *out);
const char *kiosk_lane_code(kiosk_lane l);
const char *kiosk_lane_label(kiosk_lane l);
int kiosk_lane_rank(kiosk_lane l);
bool kiosk_lane_parse(const char *code, kiosk_lane *out);
const char *kiosk_appt_status_code(kiosk_appt_status s); /* booked, checked_in, cancelled */
bool kiosk_appt_status_parse(const char *code, kiosk_appt_status *out);

#define KIOSK_BOOKING_NO_MAX   16 /* digits, at most 15 */
#define KIOSK_PARTY_NAME_MAX   64 /* masked */
#define KIOSK_QUEUE_NUMBER_MAX 8  /* "J012", "J1203" */

/* One party of an appointment, or a person at the kiosk: the keyed hash of the ID number
 * (card_key.h, the "id:" domain), never the number; the masked name; sex and birth date from the
 * number where it carries them. */
typedef struct kiosk_party {
    uint8_t key[KIOSK_CARD_KEY_BYTES];
    char name_masked[KIOSK_PARTY_NAME_MAX];
    char sex; /* 'M', 'F', 0 unknown */
    bool has_birth;
    kiosk_date birth;
} kiosk_party;

typedef struct kiosk_appointment {
    char id[KIOSK_ID_MAX];
    char booking_no[KIOSK_BOOKING_NO_MAX];
    kiosk_service service;
    kiosk_date date;
    int slot_start, slot_end; /* local minutes of the day: [start, end) */
    kiosk_lane lane;          /* booked or priority */
    kiosk_party party[2];
    size_t party_count; /* 1 or 2 */
    bool has_application;
    kiosk_date application_date; /* divorce certificate and withdrawal: the application's day */
    kiosk_appt_status status;
} kiosk_appointment;

/* Whether the party with this key is on the appointment: its index (0 or 1), or -1. */
int kiosk_appointment_party_index(const kiosk_appointment *a,
                                  const uint8_t key[KIOSK_CARD_KEY_BYTES]);

/* The hall's rules of the check-in ([marriage] settings). */
typedef struct kiosk_checkin_rules {
    int early_minutes; /* a couple may check in this long before the slot starts */
    int late_minutes;  /* and this long after it ended */
} kiosk_checkin_rules;

/* Why a check-in is refused: enum name, code (events, tests). The words are the flow's. */
#define KIOSK_CHECKIN_REASON_MAP(X)                                                   \
    X(OK, "ok")                                                                       \
    X(CANCELLED, "cancelled")             /* the booking was cancelled */             \
    X(OTHER_DAY, "other_day")             /* booked for another date */               \
    X(TOO_EARLY, "too_early")             /* before the slot's window */              \
    X(TOO_LATE, "too_late")               /* after the slot's window */               \
    X(PARTY_MISSING, "party_missing")     /* both must be present, one is */          \
    X(NO_APPLICATION, "no_application")   /* a divorce booking without its date */    \
    X(NO_CALENDAR, "no_calendar")         /* the working-day calendar lacks a year */ \
    X(COOLING_EARLY, "cooling_early")     /* certificate before the period ended */   \
    X(COOLING_EXPIRED, "cooling_expired") /* deemed withdrawn */                      \
    X(WITHDRAW_CLOSED, "withdraw_closed") /* withdrawal after the first period */

typedef enum kiosk_checkin_reason {
#define KIOSK_CHECKIN_REASON_ENUM(e, code) KIOSK_CHECKIN_##e,
    KIOSK_CHECKIN_REASON_MAP(KIOSK_CHECKIN_REASON_ENUM)
#undef KIOSK_CHECKIN_REASON_ENUM
        KIOSK_CHECKIN_REASON_COUNT
} kiosk_checkin_reason;

const char *kiosk_checkin_reason_code(kiosk_checkin_reason r);

typedef struct kiosk_checkin_decision {
    kiosk_checkin_reason reason;
    int window_start, window_end; /* the slot's window with the grace, local minutes */
    bool has_cooling;
    kiosk_cooling cooling; /* divorce certificate and withdrawal */
    bool under_age;        /* marriage: a party is below the legal age (男 22, 女 20) */
} kiosk_checkin_decision;

/* May the appointment be checked in at `now` by the parties present (present_count of them,
 * each on the appointment: the caller matched them)? Checks, in this order: cancelled, date,
 * who is present, the slot window with the grace, the cooling-off periods (calendar may be NULL
 * for other services), and sets the legal-age flag. An appointment already checked in is the
 * caller's to notice first (it shows the number it has). */
kiosk_checkin_decision kiosk_checkin_decide(const kiosk_appointment *a, size_t present_count,
                                            kiosk_local_time now, const kiosk_checkin_rules *rules,
                                            const kiosk_workcal *calendar);

/* Legal marriage age (Civil Code art. 1047): 22 for men, 20 for women. Whether a party with this
 * sex and birth date is below it on `on`; false when either is unknown (the registrar checks). */
bool kiosk_party_under_marriage_age(const kiosk_party *p, kiosk_date on);

/* --- queue numbers ----------------------------------------------------------------------- */

/* The numbering rule. Several kiosks of one hall hand out numbers while offline, so a number must
 * be unique without asking anyone: the hall has hall_kiosks kiosks, each with its own slot
 * 1..hall_kiosks; a kiosk's n-th number of a prefix on a day is
 *     slot + hall_kiosks * (n - 1)
 * so kiosk 1 of 3 issues 1, 4, 7, ..., kiosk 2 issues 2, 5, 8, ..., kiosk 3 issues 3, 6, 9, ...:
 * every number belongs to exactly one slot (its remainder), whatever each kiosk did while
 * offline, and numbers stay short and roughly in arrival order. The number is the service's
 * prefix and the value in at least three digits: "J001", "J012", "J1203". */
typedef struct kiosk_numbering {
    int hall_kiosks; /* 1..9 */
    int kiosk_slot;  /* 1..hall_kiosks */
} kiosk_numbering;

/* The value of this kiosk's n-th number (n >= 1). */
int kiosk_queue_value(const kiosk_numbering *rule, int n);
/* Which slot issued a value: 1..hall_kiosks. */
int kiosk_queue_value_slot(const kiosk_numbering *rule, int value);
/* "J012" into out. */
void kiosk_queue_number_format(char prefix, int value, char out[KIOSK_QUEUE_NUMBER_MAX]);

/* --- the check-in record ----------------------------------------------------------------- */

/* A queue ticket issued: for a booked appointment (appointment_id set) or a walk-in (""). */
typedef struct kiosk_checkin_entry {
    kiosk_recid record_id;
    char appointment_id[KIOSK_ID_MAX]; /* "" for a walk-in */
    kiosk_service service;
    kiosk_lane lane;
    char prefix;
    int seq;   /* this kiosk's n-th number of the prefix that day */
    int value; /* the number's value (kiosk_queue_value) */
    char number[KIOSK_QUEUE_NUMBER_MAX];
    char kiosk_id[KIOSK_ID_MAX];
    int64_t created_utc_ms;
    kiosk_local_time at;
    bool under_age; /* the legal-age flag for the registrar */
} kiosk_checkin_entry;

/* The canonical JSON of a check-in (compact, keys sorted), malloc'd; NULL when out of memory.
 * No names and no ID numbers: the server knows the parties by the appointment id. */
char *kiosk_checkin_payload(const kiosk_checkin_entry *e);
/* Reads a check-in payload back (another kiosk's record, brought by sync). KIOSK_ERR_PARSE with
 * the field in err for anything missing or malformed. */
KIOSK_MUST_CHECK kiosk_rc kiosk_checkin_from_payload(const char *json, kiosk_checkin_entry *out,
                                                     char *err, size_t err_size);

#endif
