/* escpos_dump.c - prints what a captured ESC/POS byte stream would put on paper, for the
 * end-to-end tests: one line per printed line, "JOB STYLE ALIGN|TEXT" (style normal, bold or
 * big; align left, center or right), then "trace: ..." with the other commands (init, QR code,
 * cut, ...). Exit status 1 (and the decoder's message on stderr) when the stream holds a byte
 * the kiosk never sends.
 *
 *   escpos_dump FILE */
#include <stdio.h>
#include <stdlib.h>

#include "escpos_decode.h"

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: escpos_dump FILE\n");
        return 2;
    }
    FILE *f = fopen(argv[1], "rb");
    if (!f) {
        perror(argv[1]);
        return 1;
    }
    static uint8_t bytes[1 << 20];
    size_t len = fread(bytes, 1, sizeof bytes, f);
    fclose(f);
    escpos_decoded *d = calloc(1, sizeof *d);
    char err[256];
    if (!d || escpos_decode(bytes, len, d, err, sizeof err) != KIOSK_OK) {
        fprintf(stderr, "escpos_dump: %s\n", d ? err : "out of memory");
        free(d);
        return 1;
    }
    static const char *const styles[] = {"normal", "bold", "big"};
    static const char *const aligns[] = {"left", "center", "right"};
    for (size_t i = 0; i < d->line_count; i++) {
        const escpos_decoded_line *l = &d->lines[i];
        printf("%d %s %s|%s\n", l->job, styles[l->style], aligns[l->align], l->text);
    }
    printf("trace: %s\n", d->trace);
    free(d);
    return 0;
}
