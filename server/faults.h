/* faults.h - test-only fault injection for upload batches, off unless the server runs with
 * --faults CONTROL_FIFO. A thread reads one command per line from the FIFO; each arms the next
 * N batch requests (default 1), in the order the commands came:
 *   500-before-commit [N]   the batch is stored in its transaction, rolled back, answered 500
 *   500-after-commit [N]    the batch is committed, then answered 500 (a resend finds duplicates)
 *   kill-after-commit       the batch is committed, then the process _exit()s (status 99)
 *                           before answering
 *   503 SECONDS [N]         answered 503 with Retry-After: SECONDS, nothing stored
 *   429 SECONDS [N]         answered 429 with Retry-After: SECONDS, nothing stored
 *   slow MS [N]             the batch is committed, the answer waits MS milliseconds
 *   clear                   disarms everything
 * Each accepted command is logged ("fault armed: ..."), a bad one too ("fault refused: ...").
 * Only a batch that passed authentication and parsing takes a fault. Any thread may take. */
#ifndef SRV_FAULTS_H
#define SRV_FAULTS_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

#define SRV_FAULT_EXIT_STATUS 99

typedef enum srv_fault_kind {
    SRV_FAULT_NONE,
    SRV_FAULT_500_BEFORE_COMMIT,
    SRV_FAULT_500_AFTER_COMMIT,
    SRV_FAULT_KILL_AFTER_COMMIT,
    SRV_FAULT_503,
    SRV_FAULT_429,
    SRV_FAULT_SLOW,
    SRV_FAULT_CLEAR
} srv_fault_kind;

typedef struct srv_fault {
    srv_fault_kind kind;
    long arg;   /* seconds (503, 429) or milliseconds (slow) */
    long count; /* requests it arms */
} srv_fault;

/* Parses one command line (without its newline). Pure; false with a message in err. */
bool srv_fault_parse(const char *line, srv_fault *out, char *err, size_t err_size);
const char *srv_fault_name(srv_fault_kind kind);

/* Starts the reader thread on the FIFO (made if it does not exist). Call once. */
KIOSK_MUST_CHECK kiosk_rc srv_faults_start(const char *fifo_path);
/* Stops and joins the thread; harmless when it never started. */
void srv_faults_stop(void);
/* The fault the next batch request takes (kind NONE when nothing is armed). */
srv_fault srv_faults_take(void);

#endif
