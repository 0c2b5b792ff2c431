/* nfc_reader.c - placeholder: the nfc driver is being written (refuses every configuration). */
#include "device.h"

static kiosk_rc check(const char *arg, const drv_options *opts, char *err, size_t err_size)
{
    (void)arg;
    (void)opts;
    return kiosk_fail(KIOSK_ERR_UNSUPPORTED, err, err_size, "nfc: not available yet");
}

const drv_reader_ops drv_nfc_reader_ops = {
    .name = "nfc",
    .help = "not available yet",
    .check = check,
};
