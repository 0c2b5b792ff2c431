/* event.h - the plain values that drivers, the sim reader and the app hand to the main loop
 * through the inbox: a card, an ID card, a touch, a device's state. No pointers inside, so an
 * event is copied by value across threads. */
#ifndef KIOSK_EVENT_H
#define KIOSK_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KIOSK_UID_MAX       10 /* NFC UIDs are 4, 7 or 10 bytes; an ID card's card UID 8 */
#define KIOSK_WIDGET_ID_MAX 32
#define KIOSK_PATH_MAX      512
#define KIOSK_IDNUM_LEN     18

/* What kind of card a UID came from. */
typedef enum kiosk_card_kind {
    KIOSK_CARD_ISO14443A, /* elderly-service cards: MIFARE Classic, Ultralight/NTAG, ISO14443-4 */
    KIOSK_CARD_ISO14443B,
    KIOSK_CARD_ID_UID /* a resident ID card's 8-byte card UID (no certified reader fitted): a
                         fallback identifier, matched by keyed hash, never shown as identity */
} kiosk_card_kind;

typedef struct kiosk_card {
    uint8_t uid[KIOSK_UID_MAX];
    size_t uid_len;
    kiosk_card_kind kind;
} kiosk_card;

/* The document type of an ID card read by the certified reader (GA/T 467 text block). */
typedef enum kiosk_idcard_type {
    KIOSK_IDCARD_RESIDENT,      /* 居民身份证 */
    KIOSK_IDCARD_HMT_PERMIT,    /* 港澳台居民居住证 ('J'), 810000/820000/830000 numbers */
    KIOSK_IDCARD_FOREIGNER_OLD, /* 外国人永久居留身份证, 2017 ('I'): 15 characters */
    KIOSK_IDCARD_FOREIGNER_NEW  /* the 2023 card ('Y'): 18 characters starting with 9 */
} kiosk_idcard_type;

/* Personal data: the main loop zeroes every copy once the flow has handled it. */
typedef struct kiosk_idcard {
    kiosk_idcard_type type;
    char number[KIOSK_IDNUM_LEN + 1]; /* the card number as read */
    char name[128];                   /* UTF-8 (an English name on foreigner cards) */
    char sex;                         /* '1' male, '2' female, 0 unknown */
    char birth[9];                    /* YYYYMMDD, "" unknown */
} kiosk_idcard;

/* Which device a state report is about. */
typedef enum kiosk_device_role {
    KIOSK_DEVICE_READER, /* the NFC (or sim) card reader: [reader] */
    KIOSK_DEVICE_IDCARD, /* the certified ID-card reader: [idcard] */
    KIOSK_DEVICE_PRINTER /* the ticket / receipt printer: [printer] */
} kiosk_device_role;

#define KIOSK_DEVICE_ROLE_COUNT 3

typedef enum kiosk_device_state {
    KIOSK_DEVICE_ABSENT,  /* none configured */
    KIOSK_DEVICE_READY,   /* connected and working */
    KIOSK_DEVICE_DOWN,    /* unplugged or failing; the driver is reconnecting */
    KIOSK_DEVICE_NO_PAPER /* a printer that is out of paper (or its cover is open) */
} kiosk_device_state;

/* The sync worker's state, as staff see it (kiosk/sync/). */
typedef enum kiosk_sync_state {
    KIOSK_SYNC_STARTING,      /* no contact tried yet in this run */
    KIOSK_SYNC_UNENROLLED,    /* no identity and no enrollment token: nothing is sent */
    KIOSK_SYNC_ONLINE,        /* the last request got an answer */
    KIOSK_SYNC_OFFLINE,       /* the last request did not (network, server down, 5xx) */
    KIOSK_SYNC_AUTH_FAILED,   /* 401: the server does not know this device's secret */
    KIOSK_SYNC_REVOKED,       /* 403: the device was revoked; nothing more is sent */
    KIOSK_SYNC_REFUSED,       /* the server refused a request for good (400, 415, ...) */
    KIOSK_SYNC_ENROLL_FAILED, /* the enrollment token was refused (used, expired, unknown) */
    KIOSK_SYNC_INSECURE       /* the server's certificate or key did not match: not trusted */
} kiosk_sync_state;

/* cards, policy, roster, meals_today, appointments, checkins_today, calendar, staff */
#define KIOSK_SYNC_STREAMS 8

/* What the sync worker reports (KIOSK_EV_SYNC): plain values; the app keeps the latest and
 * lends it to the flows. Wall times from the injectable clock; *_mono_ms from the monotonic. */
typedef struct kiosk_sync_status {
    kiosk_sync_state state;
    bool uploading;            /* records are being sent right now */
    bool offline_records;      /* a meal made now counts as made offline */
    long pending;              /* outbox records not yet acknowledged */
    long rejected;             /* records the server refused for good (kept, shown to staff) */
    int64_t oldest_pending_ms; /* creation time of the oldest pending record; -1 none */
    int64_t last_ok_ms;        /* the last successful contact with the server; -1 never */
    int64_t last_ok_mono_ms;   /* the same on the monotonic clock; -1 not in this run */
    int64_t clock_offset_ms;   /* server time minus this kiosk's clock */
    int64_t clock_uncert_ms;   /* its uncertainty; -1 when there is no estimate */
    int64_t stream_ok_ms[KIOSK_SYNC_STREAMS]; /* when each stream was last up to date; -1 */
    unsigned policy_serial;                   /* grows when pulled policies changed: reload them */
    unsigned card_key_serial; /* grows when enrollment changed the card key: reload it */
} kiosk_sync_status;

typedef enum kiosk_event_kind {
    KIOSK_EV_CARD,         /* an NFC card was presented */
    KIOSK_EV_CARD_REMOVED, /* the card left the reader */
    KIOSK_EV_IDCARD,       /* the certified ID-card reader read an ID card */
    KIOSK_EV_IDCARD_ERROR, /* an ID card was there but could not be read; reason says why */
    KIOSK_EV_PRESS,        /* a touch on a named widget */
    KIOSK_EV_TOUCH,        /* a touch at screen coordinates */
    KIOSK_EV_TIME,         /* set the injectable clock */
    KIOSK_EV_SHOT,         /* save the current frame as PNG */
    KIOSK_EV_WAIT,         /* hold further inbox events for a while */
    KIOSK_EV_QUIT,         /* stop the kiosk */
    KIOSK_EV_DEVICE,       /* a device's state changed; reason says why */
    KIOSK_EV_BILL,         /* the cash register (or the sim `bill` line) sent a bill */
    KIOSK_EV_SYNC,         /* the sync worker's status changed (u.sync) */
    KIOSK_EV_STORE_DAMAGED, /* the background check found the database damaged: recover it */
    KIOSK_EV_HANG /* test hook: the main loop stops for wait_ms (KIOSK_TEST_HOOKS=1 only) */
} kiosk_event_kind;

typedef struct kiosk_event {
    kiosk_event_kind kind;
    union {
        kiosk_card card;
        kiosk_idcard idcard;
        char widget[KIOSK_WIDGET_ID_MAX];
        struct {
            int x, y;
            /* 0: a tap (down and up); 1: a finger put down and kept there (sim `hold`);
             * 2: that finger lifted (sim `release`, no position) */
            int phase;
        } touch;
        int64_t time_utc_ms;
        char path[KIOSK_PATH_MAX]; /* SHOT; "" = the screen as shown, to [display] signal_shot */
        int64_t wait_ms; /* WAIT, HANG */
        int64_t bill_fen;
        struct {
            kiosk_device_role role;
            kiosk_device_state state;
            char reason[128];
        } device;
        char reason[128]; /* IDCARD_ERROR */
        kiosk_sync_status sync;
    } u;
} kiosk_event;

#endif
