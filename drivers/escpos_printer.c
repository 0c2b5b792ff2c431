/* escpos_printer.c - placeholder: the escpos driver is being written (refuses every configuration). */
#include "device.h"

static kiosk_rc check(const char *arg, const drv_options *opts, char *err, size_t err_size)
{
    (void)arg;
    (void)opts;
    return kiosk_fail(KIOSK_ERR_UNSUPPORTED, err, err_size, "escpos: not available yet");
}

const drv_printer_ops drv_escpos_printer_ops = {
    .name = "escpos",
    .help = "not available yet",
    .check = check,
};
