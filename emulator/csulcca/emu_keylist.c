/*
 * Key record list verbs of libcsulcca-emu.so: CSNDKRL (PKA key storage)
 * and CSNBAKRL (AES key storage) write the records whose labels match a
 * CCA label pattern to a key-record-list file and return its path.  The
 * file, KYRLTnnn.LST, is in the directory that CSUPKALD or CSUAESLD
 * names, and ccaverbs.h describes its layout.
 *
 * A pattern matches labels with exactly as many name parts as it has, as
 * CCA's do: "*" lists the one-part labels and "*.*" the two-part ones.
 * Within a part '*' may stand for the whole part or its start or end.
 * The PKA verb lists RSA, EC and null records, the AES verb AES and null
 * records, as emu_keys.c reads them.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include <ibm4767/log.h>
#include <ibm4767/token.h>

#include "emu.h"

#define LIST_NUMBER_MAX 999
#define COUNTER_FILE    "kreclist.dat"
/* Room for a file name after the directory. */
#define FILE_PATH_MAX   (PATH_MAX + 16)

/* The number of name parts of a canonical label or pattern. */
static int name_parts(const char *text)
{
    int parts = 1;

    for (; *text != '\0'; text++)
        parts += *text == '.';
    return parts;
}

/* The list directory: CSUPKALD or CSUAESLD, else pkalist or aeslist next
 * to the key storage database.  Created when missing. */
static int list_directory(int aes, char *dir, size_t cap)
{
    const char *value = getenv(aes ? "CSUAESLD" : "CSUPKALD");
    char db[PATH_MAX];
    int n;

    if (value != NULL && value[0] != '\0') {
        n = snprintf(dir, cap, "%s", value);
    } else {
        snprintf(db, sizeof(db), "%s", cca_keystore_path(emu_keystore()));
        n = snprintf(dir, cap, "%s/%s", dirname(db),
                     aes ? "aeslist" : "pkalist");
    }
    if (n < 0 || (size_t)n >= cap) {
        IBM4767_ERROR("key-record-list directory %.64s... is too long", dir);
        return 0;
    }
    if (mkdir(dir, 0750) != 0 && errno != EEXIST) {
        IBM4767_ERROR("cannot create the key-record-list directory %s: %s",
                      dir, strerror(errno));
        return 0;
    }
    return 1;
}

static void put_text(uint8_t *field, size_t len, const char *text)
{
    size_t n = strlen(text);

    memcpy(field, text, n < len ? n : len);
}

static void put_time(uint8_t *field, int64_t t)
{
    time_t tt = (time_t)t;
    char text[CCA_KRL_TIME_LEN + 1];
    struct tm tm;

    if (gmtime_r(&tt, &tm) != NULL
        && strftime(text, sizeof(text), "%Y-%m-%d %H:%M:%S", &tm) > 0)
        put_text(field, CCA_KRL_TIME_LEN, text);
}

/* End both lines of the record at r with CR LF. */
static void end_lines(uint8_t *r)
{
    memcpy(r + CCA_KRL_LINE_LEN - 2, "\r\n", 2);
    memcpy(r + CCA_KRL_RECORD_LEN - 2, "\r\n", 2);
}

static void format_header(uint8_t *r, int aes, size_t count,
                          const unsigned char *pattern_field)
{
    char number[16];

    put_text(r + CCA_KRL_HDR_TITLE_OFF, CCA_KRL_HDR_TITLE_LEN,
             aes ? "AES KEY-RECORD-LIST" : "PKA KEY-RECORD-LIST");
    put_time(r + CCA_KRL_HDR_TIME_OFF, (int64_t)time(NULL));
    snprintf(number, sizeof(number), "%zu", count);
    put_text(r + CCA_KRL_HDR_COUNT_OFF, CCA_KRL_HDR_COUNT_LEN, number);
    snprintf(number, sizeof(number), "%d", CCA_KRL_RECORD_LEN);
    put_text(r + CCA_KRL_HDR_RECLEN_OFF, CCA_KRL_NUMBER_LEN, number);
    put_text(r + CCA_KRL_HDR_FIRST_OFF, CCA_KRL_NUMBER_LEN, number);
    memcpy(r + CCA_KRL_HDR_PATTERN_OFF, pattern_field, CCA_LABEL_LEN);
    end_lines(r);
}

/* The detail record of rec: a record whose token does not parse gets
 * the '*' flag. */
static void format_detail(uint8_t *r, const struct cca_key_record *rec)
{
    static const char *const types[] = { "NO-KEY", "RSA", "ECC", "AES" };
    struct cca_pka_token pka;
    struct cca_sym_token sym;
    const uint8_t *mkvp = NULL;
    const char *form = "NO-KEY";
    int valid = 1;

    if (rec->type == CCA_KEY_TYPE_AES) {
        valid = cca_sym_token_parse(rec->token, rec->token_len, &sym, NULL,
                                    NULL, 0);
        mkvp = valid ? sym.mkvp : NULL;
        form = "INTERNAL";
    } else if (rec->type != CCA_KEY_TYPE_NULL) {
        valid = cca_token_parse(rec->token, rec->token_len, &pka, NULL, NULL,
                                0);
        mkvp = valid && pka.has_private ? pka.mkvp : NULL;
        form = rec->token[0] == CCA_TOKEN_INTERNAL_PKA ? "INTERNAL"
                                                       : "EXTERNAL";
    }

    r[CCA_KRL_DTL_FLAG_OFF] = valid ? ' ' : '*';
    cca_label_to_field(rec->label, (char *)r + CCA_KRL_DTL_LABEL_OFF);
    put_text(r + CCA_KRL_DTL_TYPE_OFF, CCA_KRL_FIELD_LEN,
             rec->type <= CCA_KEY_TYPE_AES ? types[rec->type] : "ERROR");
    if (mkvp != NULL) {
        char hex[5];

        snprintf(hex, sizeof(hex), "%02X%02X", mkvp[0], mkvp[1]);
        put_text(r + CCA_KRL_DTL_MKVP_OFF, 4, hex);
    }
    put_time(r + CCA_KRL_DTL_CREATED_OFF, rec->created);
    put_time(r + CCA_KRL_DTL_CHANGED_OFF, rec->changed);
    put_text(r + CCA_KRL_DTL_FORM_OFF, CCA_KRL_FIELD_LEN, form);
    end_lines(r);
}

/* Whether a listed record belongs in this verb's list. */
static int record_listed(int aes, int parts,
                         const struct cca_key_record *rec)
{
    if (rec->type != CCA_KEY_TYPE_NULL
        && (rec->type == CCA_KEY_TYPE_AES) != aes)
        return 0;
    return name_parts(rec->label) == parts;
}

/* Write the whole file for recs to path.  Returns 1, or 0 after logging
 * why. */
static int write_list(const char *path, int aes, int parts,
                      const unsigned char *pattern_field,
                      const struct cca_key_record *recs, size_t count)
{
    size_t listed = 0, len;
    uint8_t *buf;
    int fd, ret = 0;

    buf = OPENSSL_malloc((count + 1) * CCA_KRL_RECORD_LEN);
    if (buf == NULL) {
        IBM4767_ERROR("out of memory for key-record-list file %s", path);
        return 0;
    }
    memset(buf, ' ', (count + 1) * CCA_KRL_RECORD_LEN);
    for (size_t i = 0; i < count; i++) {
        if (record_listed(aes, parts, &recs[i]))
            format_detail(buf + (++listed) * CCA_KRL_RECORD_LEN, &recs[i]);
    }
    format_header(buf, aes, listed, pattern_field);
    len = (listed + 1) * CCA_KRL_RECORD_LEN;

    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
    if (fd < 0 || write(fd, buf, len) != (ssize_t)len) {
        IBM4767_ERROR("cannot write key-record-list file %s: %s", path,
                      strerror(errno));
        goto err;
    }
    ret = 1;

err:
    if (fd >= 0 && close(fd) != 0 && ret) {
        IBM4767_ERROR("cannot write key-record-list file %s: %s", path,
                      strerror(errno));
        ret = 0;
    }
    OPENSSL_free(buf);
    return ret;
}

/* Take the next list number from the counter file, which stays locked
 * until *lock_fd is closed, so that two processes never share a number.
 * Returns 1 to 999, or 0 after logging why. */
static int next_list_number(const char *dir, int *lock_fd)
{
    char path[FILE_PATH_MAX], text[16];
    ssize_t n;
    int number = 0;

    snprintf(path, sizeof(path), "%s/%s", dir, COUNTER_FILE);
    *lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0640);
    if (*lock_fd < 0 || flock(*lock_fd, LOCK_EX) != 0) {
        IBM4767_ERROR("cannot use the key-record-list counter %s: %s", path,
                      strerror(errno));
        return 0;
    }
    n = pread(*lock_fd, text, sizeof(text) - 1, 0);
    text[n > 0 ? n : 0] = '\0';
    number = atoi(text);
    if (number < 1 || number > LIST_NUMBER_MAX)
        number = 1;

    snprintf(text, sizeof(text), "%03d\n", number % LIST_NUMBER_MAX + 1);
    if (ftruncate(*lock_fd, 0) != 0
        || pwrite(*lock_fd, text, strlen(text), 0) != (ssize_t)strlen(text)) {
        IBM4767_ERROR("cannot update the key-record-list counter %s: %s",
                      path, strerror(errno));
        return 0;
    }
    return number;
}

/* Write the list file and return its path in name (64 bytes, padded with
 * spaces) and its length in *name_len. */
static void list_records(int aes, long *rule_count, unsigned char *rule,
                         unsigned char *field, long *name_len,
                         unsigned char *name, struct emu_status_code *sc)
{
    char text[CCA_LABEL_LEN + 1], pattern[CCA_LABEL_TEXT_MAX + 1];
    char detail[256], dir[PATH_MAX], path[FILE_PATH_MAX];
    struct cca_key_record *recs = NULL;
    struct cca_result res;
    size_t count = 0;
    int number, lock_fd = -1;

    if (!emu_parse_rules(rule_count, rule, 0, 0, NULL, 0, NULL, sc)
        || !emu_label_text(field, text, sc))
        goto err;
    if (!cca_label_pattern_parse(text, pattern, detail, sizeof(detail))) {
        emu_set(sc, CCA_RC_ERROR, CCA_RS_LABEL_INVALID);
        goto err;
    }
    if (name_len == NULL || name == NULL) {
        emu_set(sc, CCA_RC_ERROR, CCA_RS_LENGTH_INVALID);
        goto err;
    }
    if (!cca_key_record_list(emu_keystore(), pattern, &recs, &count, &res)) {
        emu_from_result(sc, &res);
        goto err;
    }

    emu_set(sc, CCA_RC_SETUP, CCA_RS_HOST_KEY_STORAGE);
    if (!list_directory(aes, dir, sizeof(dir)))
        goto err;
    number = next_list_number(dir, &lock_fd);
    if (number == 0)
        goto err;
    snprintf(path, sizeof(path), "%s/KYRLT%03d.LST", dir, number);
    if (strlen(path) > CCA_KRL_NAME_MAX) {
        IBM4767_ERROR("key-record-list file %s is longer than CCA's %d-byte "
                      "file name: set %s to a shorter directory", path,
                      CCA_KRL_NAME_MAX, aes ? "CSUAESLD" : "CSUPKALD");
        goto err;
    }
    if (!write_list(path, aes, name_parts(pattern), field, recs, count))
        goto err;

    memset(name, ' ', CCA_KRL_NAME_MAX);
    memcpy(name, path, strlen(path));
    *name_len = (long)strlen(path);
    emu_set(sc, CCA_RC_OK, CCA_RS_OK);

err:
    if (lock_fd >= 0)
        close(lock_fd);
    cca_key_record_list_free(recs, count);
}

void CSNDKRL(long *rc, long *reason, long *exit_len, unsigned char *exit_data,
             long *rule_count, unsigned char *rule, unsigned char *label,
             long *name_len, unsigned char *name, unsigned char *server)
{
    struct emu_status_code sc = { 0, 0 };

    if (emu_init(&sc))
        list_records(0, rule_count, rule, label, name_len, name, &sc);
    emu_finish(&sc, rc, reason);
}

void CSNBAKRL(long *rc, long *reason, long *exit_len,
              unsigned char *exit_data, long *rule_count,
              unsigned char *rule, unsigned char *label, long *name_len,
              unsigned char *name, unsigned char *server)
{
    struct emu_status_code sc = { 0, 0 };

    if (emu_init(&sc))
        list_records(1, rule_count, rule, label, name_len, name, &sc);
    emu_finish(&sc, rc, reason);
}
