/* event.h - the plain values drivers and the sim reader hand to the main loop through the inbox. */
#ifndef KIOSK_EVENT_H
#define KIOSK_EVENT_H

#include <stddef.h>
#include <stdint.h>

#define KIOSK_UID_MAX       10 /* NFC UIDs are 4, 7 or 10 bytes */
#define KIOSK_WIDGET_ID_MAX 32
#define KIOSK_PATH_MAX      512

typedef enum kiosk_event_kind {
    KIOSK_EV_CARD,       /* an NFC card was presented */
    KIOSK_EV_IDCARD,     /* the certified ID-card reader read a resident ID card */
    KIOSK_EV_PRESS,      /* a touch on a named widget */
    KIOSK_EV_TOUCH,      /* a touch at screen coordinates */
    KIOSK_EV_TIME,       /* set the injectable clock */
    KIOSK_EV_SHOT,       /* save the current frame as PNG */
    KIOSK_EV_WAIT,       /* hold further inbox events for a while */
    KIOSK_EV_QUIT,       /* stop the kiosk */
    KIOSK_EV_READER_DOWN /* a reader failed; the text says why */
} kiosk_event_kind;

typedef struct kiosk_event {
    kiosk_event_kind kind;
    union {
        struct {
            uint8_t uid[KIOSK_UID_MAX];
            size_t uid_len;
        } card;
        struct {
            char number[19];
            char name[64];
        } idcard;
        char widget[KIOSK_WIDGET_ID_MAX];
        struct {
            int x, y;
        } touch;
        int64_t time_utc_ms;
        char path[KIOSK_PATH_MAX];
        int64_t wait_ms;
        char reason[128];
    } u;
} kiosk_event;

#endif
