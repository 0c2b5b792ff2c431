/* idcard_reader.c - placeholder: the gat467 driver is being written (refuses every configuration). */
#include "device.h"

static kiosk_rc check(const char *arg, const drv_options *opts, char *err, size_t err_size)
{
    (void)arg;
    (void)opts;
    return kiosk_fail(KIOSK_ERR_UNSUPPORTED, err, err_size, "gat467: not available yet");
}

const drv_reader_ops drv_gat467_reader_ops = {
    .name = "gat467",
    .help = "not available yet",
    .check = check,
};
