/*
 * Administration files of the state directory:
 *
 *   zeroized        written when a tamper event zeroized the device:
 *                   "code=8040FFF9" and the time.  While it exists the
 *                   daemon starts as a disabled device.
 *   access-control  one "name=enabled" or "name=disabled" line per access
 *                   control point; missing points are enabled.
 *
 * Zeroizing writes the marker first and erases the keys after it, so a
 * crash in between still leaves a disabled device, and the next start
 * finishes the erasure.  The keys are the files below and every retained
 * key file (retained.h), with the temporary files of interrupted writes.
 */
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include <ibm4767/log.h>

#include "admin.h"
#include "retained.h"

/* Files that hold keys or what certifies them, erased on a tamper. */
static const char *const key_files[] = {
    EMU_STATE_MASTER_KEYS,
    EMU_STATE_DEVICE_KEY,
    EMU_STATE_DEVICE_CERT,
    EMU_STATE_CLASS_CERT,
};

/* Every file of a device, erased by --reinitialize on a zeroized one. */
static const char *const device_files[] = {
    EMU_STATE_ZEROIZED,
    EMU_STATE_MASTER_KEYS,
    EMU_STATE_DEVICE,
    EMU_STATE_DEVICE_KEY,
    EMU_STATE_DEVICE_CERT,
    EMU_STATE_CLASS_CERT,
    EMU_STATE_ACP,
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/*
 * Overwrite dir/name with zeros, sync it and remove it.  Returns 1 when
 * the file is gone (or never existed).
 * NOTE: on copy-on-write file systems and flash, overwriting in place
 * does not reach the old blocks; keep state directories on storage that
 * is itself encrypted.
 */
static int erase_file(const char *dir, const char *name, char *err,
                      size_t err_len)
{
    static const uint8_t zeros[4096];
    char path[4096];
    struct stat sb;
    int fd;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    fd = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0 && errno == ENOENT)
        return 1;
    if (fd >= 0 && fstat(fd, &sb) == 0) {
        off_t left = sb.st_size;

        while (left > 0) {
            size_t n = left > (off_t)sizeof(zeros) ? sizeof(zeros)
                                                   : (size_t)left;
            ssize_t w = write(fd, zeros, n);

            if (w <= 0)
                break;
            left -= w;
        }
        fsync(fd);
    }
    if (fd >= 0)
        close(fd);
    if (unlink(path) != 0 && errno != ENOENT) {
        snprintf(err, err_len, "cannot remove %s: %s", path,
                 strerror(errno));
        return 0;
    }
    return 1;
}

static int erase_files(const char *dir, const char *const *names,
                       size_t count, char *err, size_t err_len)
{
    int ok = 1;

    for (size_t i = 0; i < count; i++)
        ok &= erase_file(dir, names[i], err, err_len);
    return ok;
}

/* Check whether name is a retained key file, or a temporary file that a
 * crash left while writing one ("." and the name, as state.c writes
 * them). */
static int is_retained_file(const char *name)
{
    size_t len = strlen(EMU_STATE_RETAINED_PREFIX);

    if (name[0] == '.')
        name++;
    return strncmp(name, EMU_STATE_RETAINED_PREFIX, len) == 0;
}

static int erase_retained_files(const char *dir, char *err, size_t err_len)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    int ok = 1;

    if (d == NULL) {
        snprintf(err, err_len, "cannot list %s to erase its retained keys: "
                 "%s", dir, strerror(errno));
        return 0;
    }
    while ((de = readdir(d)) != NULL) {
        if (is_retained_file(de->d_name))
            ok &= erase_file(dir, de->d_name, err, err_len);
    }
    closedir(d);
    return ok;
}

/* The files of key_files and the retained keys. */
static int erase_keys(const char *dir, char *err, size_t err_len)
{
    int ok = erase_files(dir, key_files, COUNT(key_files), err, err_len);

    return erase_retained_files(dir, err, err_len) && ok;
}

int emu_state_erase_file(const struct emu_state *st, const char *name,
                         char *err, size_t err_len)
{
    int fd;

    if (!erase_file(st->dir, name, err, err_len))
        return 0;
    fd = open(st->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0 || fsync(fd) != 0) {
        snprintf(err, err_len, "cannot sync directory %s: %s", st->dir,
                 strerror(errno));
        if (fd >= 0)
            close(fd);
        return 0;
    }
    close(fd);
    return 1;
}

int emu_state_reinitialize(struct emu_state *st, char *err, size_t err_len)
{
    /* A forgotten --reinitialize in a service file must not erase an
     * intact device at every restart. */
    if (st->zeroized_code == 0) {
        IBM4767_WARN("--reinitialize: the device in %s is not zeroized, so "
                     "it is left as it is", st->dir);
        return 1;
    }
    if (!erase_files(st->dir, device_files, COUNT(device_files), err,
                     err_len)
        || !erase_retained_files(st->dir, err, err_len))
        return 0;
    st->zeroized_code = 0;
    IBM4767_WARN("--reinitialize: erased the zeroized device in %s; a new "
                 "device with new master keys, serial number and device key "
                 "takes its place", st->dir);
    return 1;
}

/* ---------------------------------------------------------------------- */
/* Zeroized marker                                                         */

int emu_state_load_zeroized(struct emu_state *st, char *err, size_t err_len)
{
    char *text = NULL;
    size_t len = 0;
    unsigned long code;
    const char *field;
    int rd = emu_state_read_file(st, EMU_STATE_ZEROIZED, &text, &len, err,
                                 err_len);

    st->zeroized_code = 0;
    if (rd < 0)
        return 1;
    if (rd == 0)
        return 0;

    field = strstr(text, "code=");
    code = field != NULL ? strtoul(field + 5, NULL, 16) : 0;
    emu_state_file_free(text);
    /* A damaged marker still means the device was zeroized. */
    st->zeroized_code = code != 0 ? (uint32_t)code : CCA_DRV_MESH_TAMPER;
    if (!erase_keys(st->dir, err, err_len))
        return 0;
    IBM4767_ERROR("state directory %s belongs to a device zeroized by "
                  "driver code %08X: every verb gets 12/4768; start with "
                  "--reinitialize to make a new device", st->dir,
                  st->zeroized_code);
    return 1;
}

int emu_state_zeroize(struct emu_state *st, uint32_t code, char *err,
                      size_t err_len)
{
    char text[128];
    char when[32];
    time_t now = time(NULL);
    struct tm tm;
    int len;

    gmtime_r(&now, &tm);
    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
    len = snprintf(text, sizeof(text), "code=%08X\nzeroized=%s\n", code,
                   when);
    st->zeroized_code = code;
    if (!emu_state_write_file(st, EMU_STATE_ZEROIZED, text, (size_t)len,
                              err, err_len))
        return 0;
    return erase_keys(st->dir, err, err_len);
}

/* ---------------------------------------------------------------------- */
/* Access control points                                                   */

/* Apply one "name=enabled|disabled" line. */
static int acp_line(struct emu_state *st, char *line, int line_no)
{
    char *eq = strchr(line, '=');
    enum emu_acp point;

    if (eq == NULL)
        return 0;
    *eq = '\0';
    point = emu_acp_find(line, strlen(line));
    if (point == EMU_ACP_NONE) {
        /* A newer daemon may know more points; keep going. */
        IBM4767_WARN("%s/%s line %d: unknown access control point '%s' "
                     "ignored", st->dir, EMU_STATE_ACP, line_no, line);
        return 1;
    }
    if (strcmp(eq + 1, "disabled") == 0) {
        st->acp_disabled |= 1u << point;
        return 1;
    }
    return strcmp(eq + 1, "enabled") == 0;
}

int emu_state_load_acp(struct emu_state *st, char *err, size_t err_len)
{
    char *text = NULL;
    char *save = NULL;
    size_t len = 0;
    int line_no = 0;
    int ret = 0;
    int rd = emu_state_read_file(st, EMU_STATE_ACP, &text, &len, err,
                                 err_len);

    st->acp_disabled = 0;
    if (rd < 0)
        return 1;
    if (rd == 0)
        return 0;

    for (char *line = strtok_r(text, "\n", &save); line != NULL;
         line = strtok_r(NULL, "\n", &save)) {
        line_no++;
        if (line[0] == '#' || line[0] == '\0')
            continue;
        if (!acp_line(st, line, line_no)) {
            snprintf(err, err_len, "%s/%s line %d: expected NAME=enabled or "
                     "NAME=disabled", st->dir, EMU_STATE_ACP, line_no);
            goto err;
        }
    }
    ret = 1;

err:
    emu_state_file_free(text);
    return ret;
}

int emu_state_save_acp(const struct emu_state *st, unsigned disabled,
                       char *err, size_t err_len)
{
    char text[1024];
    size_t len = 0;

    len += (size_t)snprintf(text, sizeof(text), "# ibm4767-emud access "
                            "control points; change them with ibm4767-clu "
                            "acp\n");
    for (int i = 0; i < EMU_ACP_COUNT && len < sizeof(text); i++)
        len += (size_t)snprintf(text + len, sizeof(text) - len, "%s=%s\n",
                                emu_acp_name((enum emu_acp)i),
                                (disabled & (1u << i)) ? "disabled"
                                                       : "enabled");
    if (len >= sizeof(text)) {
        snprintf(err, err_len, "access control point list does not fit "
                 "%zu bytes", sizeof(text));
        return 0;
    }
    return emu_state_write_file(st, EMU_STATE_ACP, text, len, err, err_len);
}
