/*
 * The device's persistent state, kept in a directory of its own (mode
 * 0700), as a real card keeps it in battery-backed memory:
 *
 *   master-keys     AES and APKA registers (new, current, old): state, key
 *                   and verification pattern, as name=hex lines
 *   device          serial number and the time of "manufacture"
 *   device-key.pem  the device's RSA-2048 key pair (PKCS#8)
 *   lock            held with flock() while a daemon uses the directory
 *
 * The device certificate, the access control points, the zeroized marker
 * and one retained-key.LABEL file per retained key live here too.
 * admin_state.c, validation.c and retained.c describe them.
 *
 * Files are replaced atomically: written to a temporary file, fsync'd,
 * renamed over the old one, and the directory fsync'd.  Key material never
 * leaves this directory.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include <ibm4767/log.h>

#include "admin.h"

#define MASTER_KEYS_FILE EMU_STATE_MASTER_KEYS
#define DEVICE_FILE      EMU_STATE_DEVICE
#define DEVICE_KEY_FILE  EMU_STATE_DEVICE_KEY
#define LOCK_FILE        "lock"
#define STATE_FILE_MAX   (64u * 1024u)
#define DEVICE_KEY_BITS  2048u

/* Register names in master-keys, and as messages name them. */
static const char *const mk_type_names[EMU_MK_TYPES] = { "aes", "apka" };
static const char *const mk_type_labels[EMU_MK_TYPES] = { "AES", "APKA" };
static const char *const mk_slot_names[3] = { "new", "current", "old" };

/* ---------------------------------------------------------------------- */
/* Files                                                                   */

static char *path_join(const char *dir, const char *name)
{
    size_t len = strlen(dir) + 1 + strlen(name) + 1;
    char *p = OPENSSL_malloc(len);

    if (p != NULL)
        snprintf(p, len, "%s/%s", dir, name);
    return p;
}

static int write_all(int fd, const void *data, size_t len)
{
    const uint8_t *p = data;

    while (len > 0) {
        ssize_t n = write(fd, p, len);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return 0;
        p += n;
        len -= (size_t)n;
    }
    return 1;
}

static int fsync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int ok;

    if (fd < 0)
        return 0;
    ok = fsync(fd) == 0;
    close(fd);
    return ok;
}

/* Replace dir/name with data (mode 0600) so that a crash leaves either
 * the old file or the new one, never a mix. */
static int atomic_write(const char *dir, const char *name, const void *data,
                        size_t len, char *err, size_t err_len)
{
    int ret = 0;
    int fd = -1;
    char *final = path_join(dir, name);
    char *tmp = NULL;
    size_t tmp_len = strlen(dir) + strlen(name) + 16;

    tmp = OPENSSL_malloc(tmp_len);
    if (final == NULL || tmp == NULL) {
        snprintf(err, err_len, "out of memory writing %s/%s", dir, name);
        goto err;
    }
    snprintf(tmp, tmp_len, "%s/.%s.XXXXXX", dir, name);

    fd = mkostemp(tmp, O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, err_len, "cannot create a temporary file in %s: %s",
                 dir, strerror(errno));
        goto err;
    }
    if (fchmod(fd, 0600) != 0 || !write_all(fd, data, len) || fsync(fd) != 0) {
        snprintf(err, err_len, "cannot write %s: %s", tmp, strerror(errno));
        goto err;
    }
    if (close(fd) != 0) {
        fd = -1;
        snprintf(err, err_len, "cannot write %s: %s", tmp, strerror(errno));
        goto err;
    }
    fd = -1;
    if (rename(tmp, final) != 0) {
        snprintf(err, err_len, "cannot rename %s to %s: %s", tmp, final,
                 strerror(errno));
        goto err;
    }
    if (!fsync_dir(dir)) {
        snprintf(err, err_len, "cannot sync directory %s: %s", dir,
                 strerror(errno));
        goto err;
    }
    ret = 1;

err:
    if (fd >= 0) {
        close(fd);
        unlink(tmp);
    } else if (!ret && tmp != NULL) {
        unlink(tmp);
    }
    OPENSSL_free(tmp);
    OPENSSL_free(final);
    return ret;
}

/* Read dir/name into a NUL-terminated buffer.  Returns 1, 0 on an error,
 * or -1 when the file does not exist.  Free with OPENSSL_clear_free. */
static int read_file(const char *dir, const char *name, char **out,
                     size_t *out_len, char *err, size_t err_len)
{
    int ret = 0;
    int fd = -1;
    char *path = path_join(dir, name);
    char *buf = NULL;
    size_t len = 0;

    if (path == NULL || (buf = OPENSSL_malloc(STATE_FILE_MAX + 1)) == NULL) {
        snprintf(err, err_len, "out of memory reading %s/%s", dir, name);
        goto err;
    }
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT) {
        ret = -1;
        goto err;
    }
    if (fd < 0) {
        snprintf(err, err_len, "cannot open %s: %s", path, strerror(errno));
        goto err;
    }
    for (;;) {
        ssize_t n = read(fd, buf + len, STATE_FILE_MAX - len);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            snprintf(err, err_len, "cannot read %s: %s", path,
                     strerror(errno));
            goto err;
        }
        if (n == 0)
            break;
        len += (size_t)n;
        if (len == STATE_FILE_MAX) {
            snprintf(err, err_len, "%s is larger than %u bytes: not a state "
                     "file of this daemon", path, STATE_FILE_MAX);
            goto err;
        }
    }
    buf[len] = '\0';
    *out = buf;
    *out_len = len;
    buf = NULL;
    ret = 1;

err:
    if (fd >= 0)
        close(fd);
    OPENSSL_clear_free(buf, STATE_FILE_MAX + 1);
    OPENSSL_free(path);
    return ret;
}

int emu_state_write_file(const struct emu_state *st, const char *name,
                         const void *data, size_t len, char *err,
                         size_t err_len)
{
    return atomic_write(st->dir, name, data, len, err, err_len);
}

int emu_state_read_file(const struct emu_state *st, const char *name,
                        char **out, size_t *out_len, char *err,
                        size_t err_len)
{
    return read_file(st->dir, name, out, out_len, err, err_len);
}

void emu_state_file_free(char *text)
{
    OPENSSL_clear_free(text, STATE_FILE_MAX + 1);
}

/* ---------------------------------------------------------------------- */
/* Hex                                                                     */

static void hex_encode(const uint8_t *p, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";

    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[p[i] >> 4];
        out[2 * i + 1] = digits[p[i] & 0x0f];
    }
    out[2 * n] = '\0';
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decode exactly n bytes of hex; returns 0 on any other length or digit. */
static int hex_decode(const char *s, uint8_t *out, size_t n)
{
    if (strlen(s) != 2 * n)
        return 0;
    for (size_t i = 0; i < n; i++) {
        int hi = hex_value(s[2 * i]);
        int lo = hex_value(s[2 * i + 1]);

        if (hi < 0 || lo < 0)
            return 0;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return 1;
}

/* ---------------------------------------------------------------------- */
/* Master keys                                                             */

/* CCA's verification pattern for AES and APKA master keys: the first 8
 * bytes of SHA-256(0x01 || key). */
int emu_mkvp_compute(OSSL_LIB_CTX *libctx, const uint8_t key[EMU_MK_LEN],
                     uint8_t mkvp[CCA_MKVP_LEN])
{
    static const uint8_t prefix = 0x01;
    int ret = 0;
    EVP_MD *sha256 = EVP_MD_fetch(libctx, "SHA2-256", NULL);
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    uint8_t digest[32];

    if (sha256 == NULL || ctx == NULL)
        goto err;
    if (!EVP_DigestInit_ex(ctx, sha256, NULL)
        || !EVP_DigestUpdate(ctx, &prefix, 1)
        || !EVP_DigestUpdate(ctx, key, EMU_MK_LEN)
        || !EVP_DigestFinal_ex(ctx, digest, NULL))
        goto err;
    memcpy(mkvp, digest, CCA_MKVP_LEN);
    ret = 1;

err:
    EVP_MD_CTX_free(ctx);
    EVP_MD_free(sha256);
    return ret;
}

/* First start: random current registers, empty new and old ones. */
static int master_keys_create(struct emu_state *st, OSSL_LIB_CTX *libctx,
                              char *err, size_t err_len)
{
    for (int t = 0; t < EMU_MK_TYPES; t++) {
        struct emu_mk_register *cur = &st->mk[t][CCA_MK_CURRENT];

        st->mk[t][CCA_MK_NEW].state = CCA_MK_EMPTY;
        st->mk[t][CCA_MK_OLD].state = CCA_MK_EMPTY;
        cur->state = CCA_MK_VALID;
        if (RAND_priv_bytes_ex(libctx, cur->key, EMU_MK_LEN, 256) <= 0
            || !emu_mkvp_compute(libctx, cur->key, cur->mkvp)) {
            snprintf(err, err_len, "cannot generate the %s master key: "
                     "OpenSSL's random generator failed", mk_type_labels[t]);
            return 0;
        }
    }
    return 1;
}

int emu_state_save_master_keys(const struct emu_state *st, char *err,
                               size_t err_len)
{
    int ret = 0;
    size_t cap = 4096, len = 0;
    char *text = OPENSSL_zalloc(cap);
    char key_hex[2 * EMU_MK_LEN + 1];
    char mkvp_hex[2 * CCA_MKVP_LEN + 1];

    if (text == NULL) {
        snprintf(err, err_len, "out of memory saving the master keys");
        goto err;
    }
    len += (size_t)snprintf(text + len, cap - len,
                            "# ibm4767-emud master key registers.  Do not "
                            "edit or copy this file.\n");
    for (int t = 0; t < EMU_MK_TYPES; t++) {
        for (int s = 0; s < 3; s++) {
            const struct emu_mk_register *r = &st->mk[t][s];
            int empty = r->state == CCA_MK_EMPTY;

            hex_encode(r->key, EMU_MK_LEN, key_hex);
            hex_encode(r->mkvp, CCA_MKVP_LEN, mkvp_hex);
            len += (size_t)snprintf(text + len, cap - len,
                                    "%s.%s.state=%u\n%s.%s.key=%s\n"
                                    "%s.%s.mkvp=%s\n",
                                    mk_type_names[t], mk_slot_names[s],
                                    r->state, mk_type_names[t],
                                    mk_slot_names[s], empty ? "" : key_hex,
                                    mk_type_names[t], mk_slot_names[s],
                                    empty ? "" : mkvp_hex);
        }
    }
    ret = atomic_write(st->dir, MASTER_KEYS_FILE, text, len, err, err_len);

err:
    OPENSSL_cleanse(key_hex, sizeof(key_hex));
    OPENSSL_clear_free(text, cap);
    return ret;
}

/* Apply one "type.slot.field=value" line to the registers. */
static int master_keys_set(struct emu_state *st, const char *name,
                           const char *value, unsigned *seen)
{
    char type[8], slot[8], field[8];
    int t, s;

    if (sscanf(name, "%7[a-z].%7[a-z].%7[a-z]", type, slot, field) != 3)
        return 0;
    for (t = 0; t < EMU_MK_TYPES && strcmp(type, mk_type_names[t]) != 0; t++)
        ;
    for (s = 0; s < 3 && strcmp(slot, mk_slot_names[s]) != 0; s++)
        ;
    if (t == EMU_MK_TYPES || s == 3)
        return 0;

    struct emu_mk_register *r = &st->mk[t][s];
    if (strcmp(field, "state") == 0) {
        char *end;
        unsigned long v = strtoul(value, &end, 10);

        if (*end != '\0' || v < CCA_MK_EMPTY
            || v > (s == CCA_MK_NEW ? CCA_MK_FULL : CCA_MK_VALID))
            return 0;
        r->state = (uint32_t)v;
        *seen |= 1u << (t * 9 + s * 3);
        return 1;
    }
    if (strcmp(field, "key") == 0) {
        *seen |= 1u << (t * 9 + s * 3 + 1);
        return value[0] == '\0' || hex_decode(value, r->key, EMU_MK_LEN);
    }
    if (strcmp(field, "mkvp") == 0) {
        *seen |= 1u << (t * 9 + s * 3 + 2);
        return value[0] == '\0' || hex_decode(value, r->mkvp, CCA_MKVP_LEN);
    }
    return 0;
}

/* Every filled register must carry a key whose pattern matches. */
static int master_keys_check(struct emu_state *st, OSSL_LIB_CTX *libctx,
                             char *err, size_t err_len)
{
    uint8_t mkvp[CCA_MKVP_LEN];

    for (int t = 0; t < EMU_MK_TYPES; t++) {
        for (int s = 0; s < 3; s++) {
            struct emu_mk_register *r = &st->mk[t][s];

            if (r->state == CCA_MK_EMPTY) {
                OPENSSL_cleanse(r->key, EMU_MK_LEN);
                memset(r->mkvp, 0, CCA_MKVP_LEN);
                continue;
            }
            if (!emu_mkvp_compute(libctx, r->key, mkvp)
                || memcmp(mkvp, r->mkvp, CCA_MKVP_LEN) != 0) {
                snprintf(err, err_len, "%s/%s: the %s %s master key does not "
                         "match its verification pattern; the file is "
                         "damaged, restore it from a backup",
                         st->dir, MASTER_KEYS_FILE, mk_type_labels[t],
                         mk_slot_names[s]);
                return 0;
            }
        }
    }
    if (st->mk[EMU_MK_APKA][CCA_MK_CURRENT].state != CCA_MK_VALID) {
        snprintf(err, err_len, "%s/%s: no current APKA master key is loaded",
                 st->dir, MASTER_KEYS_FILE);
        return 0;
    }
    return 1;
}

static int master_keys_parse(struct emu_state *st, char *text, char *err,
                             size_t err_len)
{
    const unsigned all_fields = (1u << (EMU_MK_TYPES * 9)) - 1;
    unsigned seen = 0;
    int line_no = 0;
    char *save = NULL;

    for (char *line = strtok_r(text, "\n", &save); line != NULL;
         line = strtok_r(NULL, "\n", &save)) {
        char *eq;

        line_no++;
        if (line[0] == '#' || line[0] == '\0')
            continue;
        eq = strchr(line, '=');
        if (eq == NULL) {
            snprintf(err, err_len, "%s/%s line %d: expected name=value",
                     st->dir, MASTER_KEYS_FILE, line_no);
            return 0;
        }
        *eq = '\0';
        if (!master_keys_set(st, line, eq + 1, &seen)) {
            snprintf(err, err_len, "%s/%s line %d: invalid entry '%s'",
                     st->dir, MASTER_KEYS_FILE, line_no, line);
            return 0;
        }
    }
    if (seen != all_fields) {
        snprintf(err, err_len, "%s/%s: some register entries are missing; "
                 "the file is damaged, restore it from a backup", st->dir,
                 MASTER_KEYS_FILE);
        return 0;
    }
    return 1;
}

static int master_keys_load(struct emu_state *st, OSSL_LIB_CTX *libctx,
                            char *err, size_t err_len)
{
    int ret = 0;
    char *text = NULL;
    size_t len = 0;
    int rd = read_file(st->dir, MASTER_KEYS_FILE, &text, &len, err, err_len);

    if (rd == 0)
        goto err;
    if (rd < 0) {
        if (!master_keys_create(st, libctx, err, err_len)
            || !emu_state_save_master_keys(st, err, err_len))
            goto err;
        IBM4767_INFO("created new AES and APKA master keys in %s/%s",
                     st->dir, MASTER_KEYS_FILE);
        ret = 1;
        goto err;
    }
    ret = master_keys_parse(st, text, err, err_len)
          && master_keys_check(st, libctx, err, err_len);

err:
    OPENSSL_clear_free(text, STATE_FILE_MAX + 1);
    return ret;
}

/* ---------------------------------------------------------------------- */
/* Device identity and key                                                 */

static int identity_create(struct emu_state *st, OSSL_LIB_CTX *libctx,
                           char *err, size_t err_len)
{
    uint8_t rnd[4];
    char text[128];
    char when[32];
    time_t now = time(NULL);
    struct tm tm;
    int len;

    if (RAND_bytes_ex(libctx, rnd, sizeof(rnd), 0) <= 0) {
        snprintf(err, err_len, "cannot make a serial number: OpenSSL's "
                 "random generator failed");
        return 0;
    }
    snprintf(st->serial, sizeof(st->serial), "%02X%02X%02X%02X", rnd[0],
             rnd[1], rnd[2], rnd[3]);
    gmtime_r(&now, &tm);
    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
    len = snprintf(text, sizeof(text), "serial=%s\nmanufactured=%s\n",
                   st->serial, when);
    return atomic_write(st->dir, DEVICE_FILE, text, (size_t)len, err,
                        err_len);
}

static int identity_load(struct emu_state *st, OSSL_LIB_CTX *libctx,
                         char *err, size_t err_len)
{
    int ret = 0;
    char *text = NULL;
    size_t len = 0;
    const char *serial;
    int rd = read_file(st->dir, DEVICE_FILE, &text, &len, err, err_len);

    if (rd == 0)
        goto err;
    if (rd < 0) {
        ret = identity_create(st, libctx, err, err_len);
        goto err;
    }
    serial = strstr(text, "serial=");
    if (serial == NULL || (serial != text && serial[-1] != '\n')
        || sscanf(serial, "serial=%15[0-9A-Z]", st->serial) != 1) {
        snprintf(err, err_len, "%s/%s: no valid serial= line", st->dir,
                 DEVICE_FILE);
        goto err;
    }
    ret = 1;

err:
    OPENSSL_clear_free(text, STATE_FILE_MAX + 1);
    return ret;
}

static int device_key_create(struct emu_state *st, OSSL_LIB_CTX *libctx,
                             char *err, size_t err_len)
{
    int ret = 0;
    BIO *mem = NULL;
    char *pem = NULL;
    long pem_len;

    st->device_key = EVP_PKEY_Q_keygen(libctx, NULL, "RSA",
                                       (size_t)DEVICE_KEY_BITS);
    mem = BIO_new(BIO_s_mem());
    if (st->device_key == NULL || mem == NULL
        || !PEM_write_bio_PrivateKey_ex(mem, st->device_key, NULL, NULL, 0,
                                        NULL, NULL, libctx, NULL)) {
        snprintf(err, err_len, "cannot generate the RSA-%u device key",
                 DEVICE_KEY_BITS);
        goto err;
    }
    pem_len = BIO_get_mem_data(mem, &pem);
    ret = atomic_write(st->dir, DEVICE_KEY_FILE, pem, (size_t)pem_len, err,
                       err_len);
    OPENSSL_cleanse(pem, (size_t)pem_len);
    if (ret)
        IBM4767_INFO("created the device key %s/%s", st->dir,
                     DEVICE_KEY_FILE);

err:
    BIO_free(mem);
    return ret;
}

static int device_key_load(struct emu_state *st, OSSL_LIB_CTX *libctx,
                           char *err, size_t err_len)
{
    int ret = 0;
    char *text = NULL;
    size_t len = 0;
    BIO *mem = NULL;
    int rd = read_file(st->dir, DEVICE_KEY_FILE, &text, &len, err, err_len);

    if (rd == 0)
        goto err;
    if (rd < 0) {
        ret = device_key_create(st, libctx, err, err_len);
        goto err;
    }
    mem = BIO_new_mem_buf(text, (int)len);
    if (mem != NULL)
        st->device_key = PEM_read_bio_PrivateKey_ex(mem, NULL, NULL, NULL,
                                                    libctx, NULL);
    if (st->device_key == NULL || !EVP_PKEY_is_a(st->device_key, "RSA")) {
        snprintf(err, err_len, "%s/%s does not hold an RSA private key in "
                 "PEM; restore it from a backup", st->dir, DEVICE_KEY_FILE);
        goto err;
    }
    ret = 1;

err:
    BIO_free(mem);
    OPENSSL_clear_free(text, STATE_FILE_MAX + 1);
    return ret;
}

/* ---------------------------------------------------------------------- */
/* Directory                                                               */

static char *absolute_path(const char *path)
{
    char cwd[4096];

    if (path[0] == '/')
        return OPENSSL_strdup(path);
    if (getcwd(cwd, sizeof(cwd)) == NULL)
        return NULL;
    return path_join(cwd, path);
}

/* Create the directory (0700) or check that an existing one is private. */
static int state_dir_prepare(const char *dir, char *err, size_t err_len)
{
    struct stat sb;

    if (mkdir(dir, 0700) == 0) {
        IBM4767_INFO("created state directory %s", dir);
        return 1;
    }
    if (errno != EEXIST) {
        snprintf(err, err_len, "cannot create state directory %s: %s", dir,
                 strerror(errno));
        return 0;
    }
    if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        snprintf(err, err_len, "state directory %s is not a directory", dir);
        return 0;
    }
    if ((sb.st_mode & 0077) != 0 || sb.st_uid != geteuid()) {
        snprintf(err, err_len, "state directory %s has mode %04o or another "
                 "owner; it holds master keys: make it yours with mode 0700",
                 dir, (unsigned)(sb.st_mode & 07777));
        return 0;
    }
    return 1;
}

static int state_dir_lock(struct emu_state *st, char *err, size_t err_len)
{
    char *path = path_join(st->dir, LOCK_FILE);

    if (path == NULL) {
        snprintf(err, err_len, "out of memory");
        return 0;
    }
    st->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    OPENSSL_free(path);
    if (st->lock_fd < 0) {
        snprintf(err, err_len, "cannot open %s/%s: %s", st->dir, LOCK_FILE,
                 strerror(errno));
        return 0;
    }
    if (flock(st->lock_fd, LOCK_EX | LOCK_NB) != 0) {
        snprintf(err, err_len, "state directory %s is in use by another "
                 "ibm4767-emud; give each daemon its own --state-dir",
                 st->dir);
        return 0;
    }
    return 1;
}

int emu_state_open(struct emu_state *st, const char *dir,
                   OSSL_LIB_CTX *libctx, unsigned flags, char *err,
                   size_t err_len)
{
    memset(st, 0, sizeof(*st));
    st->lock_fd = -1;
    st->dir = absolute_path(dir);
    if (st->dir == NULL) {
        snprintf(err, err_len, "cannot resolve state directory %s: %s", dir,
                 strerror(errno));
        return 0;
    }

    if (!state_dir_prepare(st->dir, err, err_len)
        || !state_dir_lock(st, err, err_len))
        return 0;
    /* A zeroized device keeps only its identity. */
    if (!emu_state_load_zeroized(st, err, err_len))
        return 0;
    if ((flags & EMU_STATE_REINITIALIZE)
        && !emu_state_reinitialize(st, err, err_len))
        return 0;
    if (st->zeroized_code != 0)
        return identity_load(st, libctx, err, err_len);
    return master_keys_load(st, libctx, err, err_len)
           && identity_load(st, libctx, err, err_len)
           && device_key_load(st, libctx, err, err_len)
           && emu_state_load_acp(st, err, err_len);
}

void emu_state_close(struct emu_state *st)
{
    OPENSSL_cleanse(st->mk, sizeof(st->mk));
    EVP_PKEY_free(st->device_key);
    st->device_key = NULL;
    X509_free(st->device_cert);
    X509_free(st->class_cert);
    st->device_cert = st->class_cert = NULL;
    if (st->lock_fd >= 0)
        close(st->lock_fd);
    st->lock_fd = -1;
    OPENSSL_free(st->dir);
    st->dir = NULL;
}
