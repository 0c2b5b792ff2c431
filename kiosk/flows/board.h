/* board.h - the now-serving board of a marriage hall (mode = board): display only. It shows the
 * number being called and to which counter ("请 J012 号到 3 号窗口"), the last calls and how many
 * wait per service, and speaks each call twice, one call never over another. It is driven by
 * the queue in the store: the hall kiosk's database (the same file, or [board] database), where
 * the check-in kiosks write tickets and the counters' call buttons write calls; sync will feed
 * it later. A counter's call button is `press call:N` (staff mode will add its own). Main thread;
 * it owns the view it produces. */
#ifndef KIOSK_BOARD_H
#define KIOSK_BOARD_H

#include "flow.h"

extern const kiosk_flow_ops kiosk_board_flow;

typedef struct kiosk_board kiosk_board;

/* Starts the board with its [board] section from env; opens [board] database when one is set.
 * KIOSK_ERR_CONFIG etc. with a message in err. */
KIOSK_MUST_CHECK kiosk_rc kiosk_board_new(const kiosk_flow_env *env, kiosk_board **out, char *err,
                                          size_t err_size);
void kiosk_board_free(kiosk_board *b);

/* "call:N": counter N calls its next ticket. Other widgets are ignored. */
void kiosk_board_on_press(kiosk_board *b, const char *widget, kiosk_now now);
/* Reads the store for new calls and counts (once a second) and announces the next call when the
 * last one has had its time. */
void kiosk_board_on_tick(kiosk_board *b, kiosk_now now);
int64_t kiosk_board_deadline(const kiosk_board *b);
const kiosk_view *kiosk_board_view(const kiosk_board *b);
/* The counter of a "call:N" widget (1..KIOSK_BOARD_COUNTERS), or 0 when it is not one. */
int kiosk_board_counter_of(const char *widget);

#define KIOSK_BOARD_COUNTERS 30

#endif
