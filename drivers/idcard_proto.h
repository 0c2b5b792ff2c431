/* idcard_proto.h - the host link of a certified ID-card reader (GA/T 467 SAM_A frames that start
 * "AA AA AA 96 69", /work/shared/specs/idcard-reader.md): request frames out, reply frames in,
 * the status codes (SW3) and the 256-byte text block of the four card types. Pure: bytes in,
 * values out; no I/O, no allocation, no global state, so any thread may call it, and the test
 * emulator speaks the same frames through it.
 * The text block and every value parsed from it are personal data: callers wipe them after use,
 * and no message written here ever repeats them. */
#ifndef DRV_IDCARD_PROTO_H
#define DRV_IDCARD_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "event.h"

#define DRV_IDCARD_PREAMBLE_LEN 5
/* LEN counts the bytes after the two length bytes, checksum included. The largest real reply
 * is 0x090A (text, photo and fingerprints); anything above 0x0A00 is refused as garbage. */
#define DRV_IDCARD_LEN_MAX     0x0A00
#define DRV_IDCARD_FRAME_MAX   (7 + DRV_IDCARD_LEN_MAX)
#define DRV_IDCARD_REQUEST_LEN 10 /* every command the kiosk sends carries no data */
#define DRV_IDCARD_TEXT_LEN    256
#define DRV_IDCARD_SAM_ID_LEN  16
#define DRV_IDCARD_SAM_ID_TEXT 48 /* "%02u.%02u-%08u-%010u-%010u" and its NUL */

/* The commands: enum name, CMD, PARA, what it does (for logs). */
#define DRV_IDCARD_COMMAND_MAP(X)              \
    X(RESET, 0x10, 0xFF, "reset the SAM")      \
    X(SAM_STATUS, 0x11, 0xFF, "SAM status")    \
    X(SAM_ID, 0x12, 0xFF, "read the SAM id")   \
    X(FIND, 0x20, 0x01, "find a card")         \
    X(SELECT, 0x20, 0x02, "select the card")   \
    X(READ, 0x30, 0x01, "read text and photo") \
    X(READ_FP, 0x30, 0x10, "read text, photo and fingerprints")

typedef enum drv_idcard_command {
#define DRV_IDCARD_COMMAND_ENUM(e, cmd, para, what) DRV_IDCARD_CMD_##e,
    DRV_IDCARD_COMMAND_MAP(DRV_IDCARD_COMMAND_ENUM)
#undef DRV_IDCARD_COMMAND_ENUM
        DRV_IDCARD_CMD_COUNT
} drv_idcard_command;

/* What the host should do about a status code (spec §4). */
typedef enum drv_idcard_action {
    DRV_IDCARD_ACT_OK,         /* go on with the sequence */
    DRV_IDCARD_ACT_ABSENT,     /* the card has no such item: not an error */
    DRV_IDCARD_ACT_NO_CARD,    /* nothing on the reader (or a card already read): keep polling */
    DRV_IDCARD_ACT_RESEND,     /* the SAM got our frame damaged: send it again */
    DRV_IDCARD_ACT_RESYNC,     /* 11 FF, then start again from 20 01 */
    DRV_IDCARD_ACT_RETRY,      /* try the read again */
    DRV_IDCARD_ACT_RESTART,    /* start again from 20 01 */
    DRV_IDCARD_ACT_REPOSITION, /* retry, and ask the holder to place the card again */
    DRV_IDCARD_ACT_REJECT,     /* retry once, then refuse the card (damaged or not genuine) */
    DRV_IDCARD_ACT_SAM_RESET,  /* 10 FF, then 11 FF; a hardware fault when it persists */
    DRV_IDCARD_ACT_SAM_FAULT,  /* hardware or licensing fault: staff must act */
    DRV_IDCARD_ACT_UNKNOWN     /* a code the table does not know: treat as RETRY */
} drv_idcard_action;

/* The status codes: SW3, enum name, action, plain English meaning (for logs and error texts). */
#define DRV_IDCARD_STATUS_MAP(X)                                                           \
    X(0x90, SUCCESS, OK, "success")                                                        \
    X(0x91, NO_ITEM, ABSENT, "the card has no such item")                                  \
    X(0x9F, FOUND, OK, "card found")                                                       \
    X(0x10, HOST_CHECKSUM, RESEND, "the reader got a frame with a bad checksum")           \
    X(0x11, HOST_LENGTH, RESEND, "the reader got a frame with a bad length")               \
    X(0x21, BAD_COMMAND, RESYNC, "the reader refused the command or its order")            \
    X(0x23, UNAUTHORISED, RESYNC, "the reader refused an unauthorised operation")          \
    X(0x24, UNRECOGNISED, RETRY, "the reader reported an unrecognised error")              \
    X(0x31, CARD_AUTH, REPOSITION, "the card did not authenticate the reader")             \
    X(0x32, SAM_AUTH, REJECT, "the reader did not authenticate the card")                  \
    X(0x33, VERIFY, REJECT, "the card's data did not verify")                              \
    X(0x37, FP_VERIFY, REJECT, "the card's fingerprint data did not verify")               \
    X(0x3F, DATA_LENGTH, RETRY, "the card's data had a bad length")                        \
    X(0x40, CARD_TYPE, REJECT, "the card type is not recognised")                          \
    X(0x41, READ_FAILED, RESTART, "the read failed (card moved or lifted)")                \
    X(0x47, CHALLENGE, RETRY, "the card gave no challenge")                                \
    X(0x60, SAM_SELF_TEST, SAM_RESET, "the reader's security module failed its self-test") \
    X(0x66, SAM_UNAUTHORISED, SAM_FAULT, "the reader's security module is not authorised") \
    X(0x80, NO_CARD, NO_CARD, "no card found")                                             \
    X(0x81, SELECT_FAILED, RESTART, "the card could not be selected")

enum {
#define DRV_IDCARD_STATUS_ENUM(code, e, action, text) DRV_IDCARD_SW3_##e = code,
    DRV_IDCARD_STATUS_MAP(DRV_IDCARD_STATUS_ENUM)
#undef DRV_IDCARD_STATUS_ENUM
};

/* --- building frames ---------------------------------------------------------------------- */

/* Writes the request frame of cmd (10 bytes) to out; returns its length. */
size_t drv_idcard_request(drv_idcard_command cmd, uint8_t out[DRV_IDCARD_REQUEST_LEN]);

/* The command whose CMD and PARA bytes these are; false when none is. */
bool drv_idcard_command_lookup(uint8_t cmd, uint8_t para, drv_idcard_command *out);

/* What the command does, for logs ("find a card"); "" for an invalid value. */
const char *drv_idcard_command_name(drv_idcard_command cmd);

/* Any frame: preamble, LEN, the body (CMD PARA DATA for a request, SW1 SW2 SW3 DATA for a
 * reply), the XOR checksum. KIOSK_ERR_INVALID for an empty body, KIOSK_ERR_TOO_BIG when LEN
 * would pass DRV_IDCARD_LEN_MAX or out (cap bytes) is too small. */
KIOSK_MUST_CHECK kiosk_rc drv_idcard_frame_build(const uint8_t *body, size_t body_len, uint8_t *out,
                                                 size_t cap, size_t *len);

/* A reply frame: SW1 = SW2 = 0, SW3 = sw3, then n bytes of data (data may be NULL when n is 0).
 * Errors as drv_idcard_frame_build. */
KIOSK_MUST_CHECK kiosk_rc drv_idcard_reply_build(uint8_t sw3, const uint8_t *data, size_t n,
                                                 uint8_t *out, size_t cap, size_t *len);

/* --- parsing frames from a byte stream ------------------------------------------------------ */

typedef enum drv_idcard_direction {
    DRV_IDCARD_REQUESTS, /* host -> reader (LEN >= 3): the emulator's side */
    DRV_IDCARD_REPLIES   /* reader -> host (LEN >= 4): the driver's side */
} drv_idcard_direction;

typedef enum drv_idcard_parse {
    DRV_IDCARD_PARSE_MORE,        /* every byte given was used; no frame is complete yet */
    DRV_IDCARD_PARSE_FRAME,       /* a frame is complete: drv_idcard_parser_frame */
    DRV_IDCARD_PARSE_BAD_LENGTH,  /* a preamble with an impossible LEN: skipped */
    DRV_IDCARD_PARSE_BAD_CHECKSUM /* a whole frame whose XOR did not match: skipped */
} drv_idcard_parse;

/* An incremental parser. Bytes before a preamble are dropped (a sliding match, so a stray AA
 * does not lose sync); after a bad LEN or checksum it resumes one byte past the false preamble,
 * so a real frame hidden inside the rejected bytes is still found. Memory is bounded by
 * DRV_IDCARD_FRAME_MAX. The fields are private. */
typedef struct drv_idcard_parser {
    uint8_t buf[DRV_IDCARD_FRAME_MAX];
    size_t start;     /* the candidate frame is buf[start..held) */
    size_t held;      /* bytes in buf */
    size_t scanned;   /* bytes of the candidate already examined */
    size_t frame_len; /* after PARSE_FRAME: the frame at buf[start] */
    size_t min_len;   /* the smallest LEN of the direction */
} drv_idcard_parser;

/* A complete frame, borrowed from the parser until its next feed or reset. */
typedef struct drv_idcard_frame {
    const uint8_t *bytes; /* the whole frame, preamble to checksum */
    size_t len;
    const uint8_t *body; /* between LEN and the checksum */
    size_t body_len;
} drv_idcard_frame;

void drv_idcard_parser_init(drv_idcard_parser *p, drv_idcard_direction dir);

/* Forgets every byte held and wipes them (a reply carries personal data). */
void drv_idcard_parser_reset(drv_idcard_parser *p);

/* Takes bytes from data (n may be 0: bytes still held after a rejected frame are examined
 * first) and stops at the first outcome; *used says how many of the n were taken. Call again
 * with the rest (and with n = 0 after any outcome but MORE) until it answers MORE. */
drv_idcard_parse drv_idcard_parser_feed(drv_idcard_parser *p, const uint8_t *data, size_t n,
                                        size_t *used);

/* The frame after PARSE_FRAME. */
void drv_idcard_parser_frame(const drv_idcard_parser *p, drv_idcard_frame *out);

/* --- replies ------------------------------------------------------------------------------- */

typedef struct drv_idcard_reply {
    uint8_t sw3;
    const uint8_t *data; /* borrowed from the frame */
    size_t data_len;
} drv_idcard_reply;

/* A reply frame's status and data: KIOSK_ERR_PROTOCOL when the body is shorter than SW1..SW3
 * or SW1/SW2 are not zero. */
KIOSK_MUST_CHECK kiosk_rc drv_idcard_reply_decode(const drv_idcard_frame *frame,
                                                  drv_idcard_reply *out, char *err,
                                                  size_t err_size);

/* The action for a status code and its plain meaning; a code the table does not know gives
 * DRV_IDCARD_ACT_UNKNOWN and "unknown status". */
drv_idcard_action drv_idcard_status_action(uint8_t sw3);
const char *drv_idcard_status_text(uint8_t sw3);

/* The parts of a read reply's data (30 01: TL PL text photo; 30 10: TL PL FL text photo
 * fingerprints), borrowed from the reply. */
typedef struct drv_idcard_read {
    const uint8_t *text, *photo, *fingerprint;
    size_t text_len, photo_len, fingerprint_len;
} drv_idcard_read;

/* Splits a read reply by its length fields: KIOSK_ERR_PROTOCOL when they do not add up to the
 * data or the text is not 256 bytes. */
KIOSK_MUST_CHECK kiosk_rc drv_idcard_read_split(const drv_idcard_reply *reply,
                                                bool with_fingerprint, drv_idcard_read *out,
                                                char *err, size_t err_size);

/* --- the text block ------------------------------------------------------------------------ */

/* What the kiosk takes from a text block. Personal data: wipe it after use. */
typedef struct drv_idcard_text {
    kiosk_idcard card;  /* type, number, name (UTF-8), sex, birth */
    char valid_from[9]; /* YYYYMMDD, "" when unreadable */
    char valid_to[9];   /* YYYYMMDD, "" when long_term or unreadable */
    bool long_term;     /* valid-to reads 长期 */
} drv_idcard_text;

/* Parses the 256-byte UCS-2LE text block of any of the four card types (the flag at byte 248
 * picks the layout), trimming spaces and NULs around each field. KIOSK_ERR_PARSE with a reason
 * that names the field, never its content, when len is not 256, a field holds a surrogate or a
 * control character, the number is not 1-18 letters and digits, or there is no name. On
 * foreigner cards the name is the English one (the Chinese one when that is blank). */
KIOSK_MUST_CHECK kiosk_rc drv_idcard_text_parse(const uint8_t *text, size_t len,
                                                drv_idcard_text *out, char *err, size_t err_size);

/* --- the SAM ------------------------------------------------------------------------------- */

/* Formats the 16 bytes of a SAM id (reply to 12 FF, little-endian u16 u16 u32 u32 u32) as
 * "%02u.%02u-%08u-%010u-%010u" into out (size >= DRV_IDCARD_SAM_ID_TEXT for the whole text). */
void drv_idcard_sam_id_format(const uint8_t raw[DRV_IDCARD_SAM_ID_LEN], char *out, size_t size);

#endif
