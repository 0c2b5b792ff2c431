/* fuzz_srv_signature.c - fuzz target for the request signature check and the X-Kiosk-Time and
 * Content-Encoding headers (server/wire.h). The input is split into a secret, a header value and
 * the signed parts; a header that is not exactly the signature must fail, the signature computed
 * for the same parts must pass, and changing any one byte of it must fail. */
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
    if (size < 32 || size > 8192)
        return 0;
    uint8_t secret[32];
    memcpy(secret, data, 32);
    data += 32;
    size -= 32;
    /* header \n target \n time \n body */
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    char *parts[4] = {text, "", "", ""};
    char *p = text;
    for (int i = 1; i < 4; i++) {
        char *nl = memchr(p, '\n', (size_t)(text + size - p));
        if (!nl)
            break;
        *nl = '\0';
        p = nl + 1;
        parts[i] = p;
    }
    const char *header = parts[0], *target = parts[1], *time_text = parts[2], *body = parts[3];
    size_t body_len = strlen(body);
    int64_t ms = 0;
    if (srv_wire_time(time_text, &ms))
        require(strlen(time_text) <= 19);
    char sig[SRV_SIGNATURE_B64];
    srv_sign(secret, "POST", target, ms, body, body_len, sig);
    bool given = srv_sign_check(secret, "POST", target, ms, body, body_len, header);
    require(given == (strcmp(header, sig) == 0));
    require(srv_sign_check(secret, "POST", target, ms, body, body_len, sig));
    char changed[SRV_SIGNATURE_B64];
    memcpy(changed, sig, sizeof sig);
    size_t at = (size_t)secret[0] % (SRV_SIGNATURE_B64 - 2); /* not the '=' padding */
    changed[at] = changed[at] == 'A' ? 'B' : 'A';
    require(!srv_sign_check(secret, "POST", target, ms, body, body_len, changed));
    require(!srv_sign_check(secret, "POST", target, ms + 1, body, body_len, sig));
    srv_encoding e = srv_wire_encoding(header);
    require(e == SRV_ENC_IDENTITY || e == SRV_ENC_GZIP || e == SRV_ENC_UNSUPPORTED);
    free(text);
    return 0;
}
