/* mask.h - the masked form of a person's name for screens and tickets
 * ("张*明"). The kiosk stores and shows names only masked; this module owns the rule.
 * Pure functions without global state: any thread may call them. */
#ifndef KIOSK_MASK_H
#define KIOSK_MASK_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "utf8.h"

/* Masks the NUL-terminated UTF-8 name `utf8` by code points into out (out_size bytes):
 *   1 code point  -> unchanged           "张"
 *   2 code points -> first + "*"         "张*"
 *   3 or more     -> first, one "*" for each code point between, last   "张*明", "欧**娜"
 * A middle dot (·) in a minority or foreign name is a code point like any other:
 * "阿卜杜·热合曼" -> "阿*****曼". An empty name gives "".
 * KIOSK_ERR_PARSE when utf8 is not valid UTF-8 (out is then ""); KIOSK_ERR_TOO_BIG when the
 * result does not fit: out then holds as many whole code points as fit, never a split one;
 * KIOSK_ERR_INVALID for NULL arguments or out_size 0. The masked name is never longer than
 * the name (a star is one byte), so a buffer of strlen(utf8) + 1 bytes always fits. */
KIOSK_MUST_CHECK kiosk_rc kiosk_mask_name(const char *utf8, char *out, size_t out_size);

#endif
