/* simcmd.h - the simulated reader's line language (the test seam): one command per line,
 *   tap <uid-hex> | id <18-char-id-number> <name> | bill <fen> | press <widget-id> | touch <x> <y>
 *   hold <x> <y> (a touch kept down) | release (lifted)
 *   time <ISO-8601> | shot <file.png> | wait <ms> | quit
 *   hang <ms> (a test hook: the app honours it only with KIOSK_TEST_HOOKS=1)
 * Blank lines and lines starting with '#' are ignored. Pure: text in, event out. */
#ifndef KIOSK_SIMCMD_H
#define KIOSK_SIMCMD_H

#include <stddef.h>

#include "error.h"
#include "event.h"

/* Parses one line (without or with its trailing newline). KIOSK_OK fills *out;
 * KIOSK_ERR_NOT_FOUND means "nothing to do" (blank or comment); KIOSK_ERR_PARSE writes a reason
 * into err (which never repeats an ID number or name from the line). */
KIOSK_MUST_CHECK kiosk_rc kiosk_simcmd_parse(const char *line, kiosk_event *out, char *err,
                                             size_t err_size);

#endif
