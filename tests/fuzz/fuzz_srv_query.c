/* fuzz_srv_query.c - fuzz target for the pull and snapshot query parser and the cursor and
 * snapshot-token parsers (server/wire.h). A parsed query names a known stream and a limit of
 * 1..1000; a refusal carries one of the documented codes; a cursor or token that parses formats
 * back to the same text. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void require(bool ok)
{
    if (!ok)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096)
        return 0;
    char text[4097];
    memcpy(text, data, size);
    text[size] = '\0';
    srv_query q;
    char code[24], detail[SRV_DETAIL_MAX];
    kiosk_rc rc = srv_wire_query(text, &q, code, detail, sizeof detail);
    if (rc == KIOSK_OK) {
        require(q.stream >= 0 && q.stream < SRV_STREAM_COUNT);
        require(q.limit >= 1 && q.limit <= SRV_PULL_LIMIT_MAX);
        require(memchr(q.cursor, '\0', sizeof q.cursor) && memchr(q.after, '\0', sizeof q.after));
        int64_t v;
        if (q.cursor[0] && srv_cursor_parse(q.stream, q.cursor, &v)) {
            char back[SRV_CURSOR_MAX];
            srv_cursor_format(q.stream, v, back);
            require(v >= 0);
            /* Leading zeros read as the same version; otherwise the text comes back. */
            require(strcmp(back, q.cursor) == 0 || strchr(q.cursor, ':')[1] == '0');
        }
        char key[SRV_AFTER_MAX];
        if (srv_after_parse(q.after, &v, key)) {
            require(v >= 0 && key[0]);
        }
    } else {
        require(rc == KIOSK_ERR_PARSE);
        require(strcmp(code, "bad_request") == 0 || strcmp(code, "unknown_stream") == 0 ||
                strcmp(code, "bad_cursor") == 0);
        require(memchr(detail, '\0', sizeof detail) != NULL);
    }
    /* The raw text as a cursor and as a token, too. */
    int64_t v;
    char key[SRV_AFTER_MAX];
    if (srv_cursor_parse(SRV_STREAM_CARDS, text, &v))
        require(v >= 0);
    if (srv_after_parse(text, &v, key))
        require(strlen(key) < SRV_AFTER_MAX);
    return 0;
}
