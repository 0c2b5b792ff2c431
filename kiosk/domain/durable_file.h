/* durable_file.h - a file that is either there whole under its name or not at all, even after a
 * power cut: written as PATH.part, then fsync'd, renamed over PATH and the folder fsync'd
 * (the settlement export; later, received configuration and updates). Used by the kiosk and
 * the server. */
#ifndef KIOSK_DURABLE_FILE_H
#define KIOSK_DURABLE_FILE_H

#include <stdio.h>

#include "error.h"

typedef struct kiosk_durable_file {
    FILE *f;        /* write here */
    char path[1024], part[1040];
} kiosk_durable_file;

/* Creates PATH.part for writing (mode 0644, replacing an old one). */
KIOSK_MUST_CHECK kiosk_rc kiosk_durable_open(kiosk_durable_file *df, const char *path, char *err,
                                             size_t err_size);
/* Flushes and fsyncs the file, renames it over PATH and fsyncs the folder. On failure the part
 * file is removed and PATH is untouched. */
KIOSK_MUST_CHECK kiosk_rc kiosk_durable_commit(kiosk_durable_file *df, char *err, size_t err_size);
/* Gives up: closes and removes the part file (PATH untouched). */
void kiosk_durable_abort(kiosk_durable_file *df);

#endif
