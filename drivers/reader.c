/* reader.c - the registry of reader drivers. */
#include "reader.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const drv_reader_ops *const registry[] = {
    &drv_sim_reader_ops,
};

struct drv_reader {
    const drv_reader_ops *ops;
    void *state;
};

drv_reader *drv_reader_open(const char *spec, drv_reading_fn on_reading, void *user, char *err,
                            size_t err_size)
{
    const char *colon = strchr(spec, ':');
    size_t scheme_len = colon ? (size_t)(colon - spec) : strlen(spec);
    for (size_t i = 0; i < sizeof registry / sizeof registry[0]; i++) {
        const drv_reader_ops *ops = registry[i];
        if (strlen(ops->scheme) != scheme_len || strncmp(ops->scheme, spec, scheme_len) != 0)
            continue;
        drv_reader *r = calloc(1, sizeof *r);
        if (!r) {
            snprintf(err, err_size, "out of memory");
            return NULL;
        }
        r->ops = ops;
        if (ops->open(colon ? colon + 1 : "", on_reading, user, &r->state, err, err_size) != 0) {
            free(r);
            return NULL;
        }
        return r;
    }
    snprintf(err, err_size, "no reader driver for '%.*s' (known: sim)", (int)scheme_len, spec);
    return NULL;
}

void drv_reader_close(drv_reader *reader)
{
    if (!reader)
        return;
    reader->ops->close(reader->state);
    free(reader);
}
