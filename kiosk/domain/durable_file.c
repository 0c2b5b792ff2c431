/* durable_file.c - write, fsync, rename, fsync the folder (see durable_file.h). */
#define _POSIX_C_SOURCE 200809L
#include "durable_file.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

kiosk_rc kiosk_durable_open(kiosk_durable_file *df, const char *path, char *err, size_t err_size)
{
    memset(df, 0, sizeof *df);
    if (strlen(path) >= sizeof df->path)
        return kiosk_fail(KIOSK_ERR_INVALID, err, err_size, "%s: path too long", path);
    snprintf(df->path, sizeof df->path, "%s", path);
    snprintf(df->part, sizeof df->part, "%s.part", path);
    int fd = open(df->part, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    df->f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!df->f) {
        kiosk_rc rc =
            kiosk_fail(KIOSK_ERR_IO, err, err_size, "%s: %s", df->part, strerror(errno));
        if (fd >= 0)
            close(fd);
        return rc;
    }
    return KIOSK_OK;
}

/* fsyncs the folder holding path, so the rename itself survives a power cut. */
static int sync_folder(const char *path)
{
    char copy[1024];
    snprintf(copy, sizeof copy, "%s", path);
    int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    close(fd);
    return rc;
}

kiosk_rc kiosk_durable_commit(kiosk_durable_file *df, char *err, size_t err_size)
{
    const char *step = "write";
    bool ok = df->f && !ferror(df->f) && fflush(df->f) == 0;
    if (ok) {
        step = "fsync";
        ok = fsync(fileno(df->f)) == 0;
    }
    if (df->f && fclose(df->f) != 0 && ok) {
        step = "close";
        ok = false;
    }
    df->f = NULL;
    if (ok) {
        step = "rename";
        ok = rename(df->part, df->path) == 0;
    }
    if (!ok) {
        kiosk_rc rc = kiosk_fail(KIOSK_ERR_IO, err, err_size, "%s: %s failed: %s", df->path, step,
                                 strerror(errno));
        unlink(df->part);
        return rc;
    }
    if (sync_folder(df->path) != 0)
        return kiosk_fail(KIOSK_ERR_IO, err, err_size, "%s: fsync of its folder failed: %s",
                          df->path, strerror(errno));
    return KIOSK_OK;
}

void kiosk_durable_abort(kiosk_durable_file *df)
{
    if (df->f)
        fclose(df->f);
    df->f = NULL;
    if (df->part[0])
        unlink(df->part);
}
