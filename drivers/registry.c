/* registry.c - the registries of reader and printer drivers. A new driver is one line here. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "device.h"

static const drv_reader_ops *const readers[] = {
    &drv_sim_reader_ops,
    &drv_nfc_reader_ops,
    &drv_gat467_reader_ops,
    NULL,
};

static const drv_printer_ops *const printers[] = {
    &drv_escpos_printer_ops,
    NULL,
};

struct drv_reader {
    const drv_reader_ops *ops;
    void *state;
};

struct drv_printer {
    const drv_printer_ops *ops;
    void *state;
};

const drv_reader_ops *const *drv_reader_all(void)
{
    return readers;
}

const drv_printer_ops *const *drv_printer_all(void)
{
    return printers;
}

const char *drv_option_get(const drv_options *opts, const char *key)
{
    for (size_t i = 0; opts && i < opts->count; i++)
        if (strcmp(opts->items[i].key, key) == 0)
            return opts->items[i].value;
    return NULL;
}

/* The driver named by the spec's prefix in a NULL-terminated table of ops structs; *arg points
 * past the ':'. Both ops structs begin with their name, and a pointer to a struct points to its
 * first member (C11 6.7.2.1), so one search serves both tables. */
static const void *find(const void *const *table, const char *spec, const char **arg, char *err,
                        size_t err_size)
{
    const char *colon = strchr(spec, ':');
    size_t len = colon ? (size_t)(colon - spec) : strlen(spec);
    *arg = colon ? colon + 1 : "";
    char known[256] = "";
    for (size_t i = 0; table[i]; i++) {
        const char *name = *(const char *const *)table[i];
        if (strlen(name) == len && strncmp(name, spec, len) == 0)
            return table[i];
        size_t used = strlen(known);
        snprintf(known + used, sizeof known - used, "%s%s", used ? ", " : "", name);
    }
    kiosk_fail(KIOSK_ERR_CONFIG, err, err_size, "no driver '%.*s' (known: %s)", (int)len, spec,
               known[0] ? known : "none");
    return NULL;
}

kiosk_rc drv_reader_check(const char *spec, const drv_options *opts, char *err, size_t err_size)
{
    const char *arg;
    const drv_reader_ops *ops = find((const void *const *)readers, spec, &arg, err, err_size);
    return ops ? ops->check(arg, opts, err, err_size) : KIOSK_ERR_CONFIG;
}

kiosk_rc drv_printer_check(const char *spec, const drv_options *opts, char *err, size_t err_size)
{
    const char *arg;
    const drv_printer_ops *ops = find((const void *const *)printers, spec, &arg, err, err_size);
    return ops ? ops->check(arg, opts, err, err_size) : KIOSK_ERR_CONFIG;
}

drv_reader *drv_reader_open(const char *spec, const drv_options *opts, drv_reading_fn on_reading,
                            void *user, char *err, size_t err_size)
{
    const char *arg;
    const drv_reader_ops *ops = find((const void *const *)readers, spec, &arg, err, err_size);
    if (!ops || ops->check(arg, opts, err, err_size) != KIOSK_OK)
        return NULL;
    drv_reader *r = calloc(1, sizeof *r);
    if (!r) {
        kiosk_fail(KIOSK_ERR_NOMEM, err, err_size, "out of memory");
        return NULL;
    }
    r->ops = ops;
    if (ops->open(arg, opts, on_reading, user, &r->state, err, err_size) != KIOSK_OK) {
        free(r);
        return NULL;
    }
    return r;
}

void drv_reader_close(drv_reader *reader)
{
    if (!reader)
        return;
    reader->ops->close(reader->state);
    free(reader);
}

drv_printer *drv_printer_open(const char *spec, const drv_options *opts, drv_reading_fn on_reading,
                              void *user, char *err, size_t err_size)
{
    const char *arg;
    const drv_printer_ops *ops = find((const void *const *)printers, spec, &arg, err, err_size);
    if (!ops || ops->check(arg, opts, err, err_size) != KIOSK_OK)
        return NULL;
    drv_printer *p = calloc(1, sizeof *p);
    if (!p) {
        kiosk_fail(KIOSK_ERR_NOMEM, err, err_size, "out of memory");
        return NULL;
    }
    p->ops = ops;
    if (ops->open(arg, opts, on_reading, user, &p->state, err, err_size) != KIOSK_OK) {
        free(p);
        return NULL;
    }
    return p;
}

kiosk_rc drv_printer_submit(drv_printer *printer, const uint8_t *bytes, size_t len)
{
    return printer ? printer->ops->submit(printer->state, bytes, len) : KIOSK_ERR_DEVICE;
}

kiosk_rc drv_printer_print(drv_printer *printer, const kiosk_print_doc *doc, char *err,
                           size_t err_size)
{
    if (!printer)
        return kiosk_fail(KIOSK_ERR_DEVICE, err, err_size, "no printer");
    return printer->ops->print(printer->state, doc, err, err_size);
}

int drv_printer_paper_columns(const char *spec, const drv_options *opts)
{
    const char *arg;
    char err[160];
    const drv_printer_ops *ops = find((const void *const *)printers, spec, &arg, err, sizeof err);
    return ops ? ops->paper_columns(opts) : 0;
}

void drv_printer_close(drv_printer *printer)
{
    if (!printer)
        return;
    printer->ops->close(printer->state);
    free(printer);
}
