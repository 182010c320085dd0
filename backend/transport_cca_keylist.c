/*
 * Listing key storage over the CCA host library.  CSNDKRL (PKA key
 * storage) and CSNBAKRL (AES key storage) write the records whose labels
 * match a CCA label pattern to a key-record-list file (layout in
 * ccaverbs.h).  The transport reads the labels and times from the file,
 * removes it, and reads each record's token with CSNDKRR or CSNBAKRR.
 *
 * In a CCA pattern '*' stands for one name part, so CCA lists every label
 * with "*", "*.*" and so on up to seven parts.  This project's patterns
 * (cca_label_pattern_parse) let a last part "*" match one or more parts
 * and let '*' stand for part of a name part.  The transport therefore
 * requests each number of parts the pattern can match, with '*' in place
 * of each name part that contains a wildcard, and filters the labels it
 * gets with cca_label_match().
 * NOTE: the file layout is the one IBM documents for CCA 2.54, and that
 * the CCA releases of the 4767 write the same layout is unconfirmed.
 */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include <ibm4767/log.h>

#include "backend_int.h"
#include "ccaverbs.h"

/* Largest list file read: about 435,000 records of 154 bytes. */
#define LIST_FILE_MAX (64L * 1024 * 1024)

/* A label the list verbs returned. */
struct list_entry {
    char label[CCA_LABEL_TEXT_MAX + 1];
    int aes;                     /* from AES key storage */
    int64_t created;
    int64_t changed;
};

struct entry_list {
    struct list_entry *entries;
    size_t count;
    size_t cap;
};

/* The variable that names a list verb's directory, for error messages. */
static const char *list_dir_variable(int aes)
{
    return aes ? "CSUAESLD" : "CSUPKALD";
}

/* A decimal field of len characters padded with spaces, or -1 when it
 * contains anything else. */
static long field_number(const uint8_t *p, size_t len)
{
    long value = 0;
    size_t i = 0, digits = 0;

    while (i < len && p[i] == ' ')
        i++;
    for (; i < len && p[i] >= '0' && p[i] <= '9'; i++, digits++)
        value = value * 10 + (p[i] - '0');
    while (i < len && p[i] == ' ')
        i++;
    return digits > 0 && i == len ? value : -1;
}

/* A "ccyy-mm-dd hh:mm:ss" field as seconds since the epoch, or 0.  NOTE:
 * whether CCA writes UTC or local time is unconfirmed.  The emulator
 * library writes UTC. */
static int64_t field_time(const uint8_t *p)
{
    char text[CCA_KRL_TIME_LEN + 1];
    struct tm tm;
    char tail;

    memcpy(text, p, CCA_KRL_TIME_LEN);
    text[CCA_KRL_TIME_LEN] = '\0';
    memset(&tm, 0, sizeof(tm));
    if (sscanf(text, "%4d-%2d-%2d %2d:%2d:%2d%c", &tm.tm_year, &tm.tm_mon,
               &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec,
               &tail) != 6)
        return 0;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return (int64_t)timegm(&tm);
}

static int entry_add(struct entry_list *list, const char *label, int aes,
                     const uint8_t *detail)
{
    struct list_entry *e;

    if (list->count == list->cap) {
        size_t cap = list->cap == 0 ? 32 : list->cap * 2;
        struct list_entry *grown =
            OPENSSL_realloc(list->entries, cap * sizeof(*grown));

        if (grown == NULL)
            return 0;
        list->entries = grown;
        list->cap = cap;
    }
    e = &list->entries[list->count++];
    snprintf(e->label, sizeof(e->label), "%s", label);
    e->aes = aes;
    e->created = field_time(detail + CCA_KRL_DTL_CREATED_OFF);
    e->changed = field_time(detail + CCA_KRL_DTL_CHANGED_OFF);
    return 1;
}

/* Read the whole list file at path into *data.  Returns 1, or 0 with res
 * set. */
static int read_file(const char *path, uint8_t **data, size_t *len,
                     struct cca_result *res)
{
    FILE *f = fopen(path, "rb");
    struct stat st;
    int ret = 0;

    *data = NULL;
    if (f == NULL || fstat(fileno(f), &st) != 0) {
        cca_result_set(res, CCA_RC_SETUP, CCA_RS_HOST_KEY_STORAGE,
                       "cannot read the key-record-list file %s: %s", path,
                       strerror(errno));
        goto err;
    }
    if (st.st_size < CCA_KRL_RECORD_LEN || st.st_size > LIST_FILE_MAX) {
        cca_result_set(res, CCA_RC_SETUP, CCA_RS_HOST_KEY_STORAGE,
                       "key-record-list file %s has %lld bytes: expected "
                       "%d to %ld", path, (long long)st.st_size,
                       CCA_KRL_RECORD_LEN, LIST_FILE_MAX);
        goto err;
    }
    *data = OPENSSL_malloc((size_t)st.st_size);
    if (*data == NULL) {
        cca_result_set(res, CCA_RC_INTERNAL, CCA_RS_HOST_NO_MEMORY,
                       "out of memory reading key-record-list file %s",
                       path);
        goto err;
    }
    *len = fread(*data, 1, (size_t)st.st_size, f);
    if (*len != (size_t)st.st_size) {
        cca_result_set(res, CCA_RC_SETUP, CCA_RS_HOST_KEY_STORAGE,
                       "cannot read the key-record-list file %s: it ended "
                       "after %zu of %lld bytes", path, *len,
                       (long long)st.st_size);
        goto err;
    }
    ret = 1;

err:
    if (f != NULL)
        fclose(f);
    if (!ret) {
        OPENSSL_free(*data);
        *data = NULL;
    }
    return ret;
}

/* Add the labels of the list file at path that match pattern. */
static int parse_file(const char *path, int aes, const char *pattern,
                      struct entry_list *list, struct cca_result *res)
{
    uint8_t *data = NULL;
    size_t len = 0;
    long count, record_len, first;
    int ret = 0;

    if (!read_file(path, &data, &len, res))
        goto err;
    count = field_number(data + CCA_KRL_HDR_COUNT_OFF, CCA_KRL_HDR_COUNT_LEN);
    record_len = field_number(data + CCA_KRL_HDR_RECLEN_OFF,
                              CCA_KRL_NUMBER_LEN);
    first = field_number(data + CCA_KRL_HDR_FIRST_OFF, CCA_KRL_NUMBER_LEN);
    if (count < 0 || first < 0
        || record_len < CCA_KRL_DTL_CHANGED_OFF + CCA_KRL_TIME_LEN
        || (size_t)first + (size_t)count * (size_t)record_len > len) {
        cca_result_set(res, CCA_RC_SETUP, CCA_RS_HOST_KEY_STORAGE,
                       "key-record-list file %s has an invalid header: %ld "
                       "records of %ld bytes from offset %ld in %zu bytes",
                       path, count, record_len, first, len);
        goto err;
    }

    for (long i = 0; i < count; i++) {
        const uint8_t *detail = data + first + i * record_len;
        char text[CCA_LABEL_LEN + 1], label[CCA_LABEL_TEXT_MAX + 1];
        char detail_text[256];

        memcpy(text, detail + CCA_KRL_DTL_LABEL_OFF, CCA_LABEL_LEN);
        text[CCA_LABEL_LEN] = '\0';
        if (!cca_label_parse(text, label, detail_text, sizeof(detail_text))) {
            IBM4767_WARN("key-record-list file %s: record %ld passed over: "
                         "%s", path, i + 1, detail_text);
            continue;
        }
        if (cca_label_match(pattern, label)
            && !entry_add(list, label, aes, detail)) {
            cca_result_set(res, CCA_RC_INTERNAL, CCA_RS_HOST_NO_MEMORY,
                           "out of memory listing key storage");
            goto err;
        }
    }
    ret = 1;

err:
    OPENSSL_free(data);
    return ret;
}

/* Run CSNDKRL or CSNBAKRL with cca_pattern, add the labels that match
 * pattern from the file it wrote, and remove the file. */
static int list_storage(struct cca_backend *be, int aes,
                        const char *cca_pattern, const char *pattern,
                        struct entry_list *list, struct cca_result *res)
{
    const char *verb = aes ? "CSNBAKRL" : "CSNDKRL";
    unsigned char name[CCA_KRL_NAME_MAX + 1], server[CCA_KRL_NAME_MAX];
    unsigned char field[CCA_LABEL_LEN];
    struct cca_device *dev;
    long rc = 0, reason = 0, exit_len = 0, zero = 0;
    long name_len = CCA_KRL_NAME_MAX;
    int ok;

    memset(name, ' ', sizeof(name));
    memset(server, ' ', sizeof(server));
    cca_label_to_field(cca_pattern, (char *)field);
    dev = cca_lib_begin(be, -1, res);
    if (dev == NULL)
        return 0;
    (aes ? be->cca->CSNBAKRL : be->cca->CSNDKRL)(
        &rc, &reason, &exit_len, NULL, &zero, NULL, field, &name_len, name,
        server);
    ok = cca_lib_result(be, dev, res, verb, rc, reason);
    cca_lib_end(be, dev);
    if (!ok) {
        snprintf(res->detail, sizeof(res->detail), "%s returned %ld/%ld "
                 "listing %s key storage for pattern %s: the CCA library "
                 "writes the list to a file in the directory that %s names; "
                 "check that it exists and that this user can write it",
                 verb, rc, reason, aes ? "AES" : "PKA", cca_pattern,
                 list_dir_variable(aes));
        return 0;
    }
    if (name_len <= 0 || name_len > CCA_KRL_NAME_MAX) {
        cca_result_set(res, CCA_RC_INTERNAL, CCA_RS_HOST_BAD_REPLY,
                       "%s returned a file name of %ld bytes", verb,
                       name_len);
        return 0;
    }
    while (name_len > 0 && (name[name_len - 1] == ' '
                            || name[name_len - 1] == '\0'))
        name_len--;
    name[name_len] = '\0';

    ok = parse_file((const char *)name, aes, pattern, list, res);
    /* The file is this call's alone, and CCA reuses its name after 999
     * more lists. */
    if (unlink((const char *)name) != 0)
        IBM4767_DEBUG("cannot remove key-record-list file %s: %s", name,
                      strerror(errno));
    return ok;
}

/* Split a canonical pattern into its name parts and return their
 * number. */
static int pattern_parts(const char *pattern,
                         char parts[CCA_LABEL_PARTS_MAX]
                                   [CCA_LABEL_PART_MAX + 1])
{
    int n = 0;
    const char *p = pattern;

    while (n < CCA_LABEL_PARTS_MAX) {
        size_t len = strcspn(p, ".");

        snprintf(parts[n++], CCA_LABEL_PART_MAX + 1, "%.*s", (int)len, p);
        if (p[len] != '.')
            break;
        p += len + 1;
    }
    return n;
}

/* The CCA pattern for labels of depth parts: each name part of pattern
 * without a wildcard as it is, '*' for the others. */
static void depth_pattern(char parts[][CCA_LABEL_PART_MAX + 1], int count,
                          int depth, char text[CCA_LABEL_TEXT_MAX + 1])
{
    size_t used = 0;

    text[0] = '\0';

    for (int i = 0; i < depth; i++) {
        const char *part = i < count && strchr(parts[i], '*') == NULL
                               ? parts[i] : "*";

        used += (size_t)snprintf(text + used, CCA_LABEL_TEXT_MAX + 1 - used,
                                 "%s%s", i > 0 ? "." : "", part);
    }
}

static int compare_entries(const void *a, const void *b)
{
    const struct list_entry *x = a, *y = b;
    int c = strcmp(x->label, y->label);

    return c != 0 ? c : x->aes - y->aes;
}

/* Read the token of each listed label into recs (capacity list->count). */
static int read_records(struct cca_backend *be, const struct entry_list *list,
                        struct cca_key_record *recs, size_t *count,
                        struct cca_result *res)
{
    for (size_t i = 0; i < list->count; i++) {
        const struct list_entry *e = &list->entries[i];
        struct cca_key_record *rec = &recs[*count];

        /* A label in both key storages reads from PKA key storage, as
         * cca_lib_key_record_read() does, so it is listed once. */
        if (i > 0 && strcmp(e->label, list->entries[i - 1].label) == 0)
            continue;
        if (!cca_lib_key_record_read(be, e->label, rec, res)) {
            /* Deleted since the list was written. */
            if (res->rc == CCA_RC_ERROR
                && res->reason == CCA_RS_NO_SUCH_LABEL)
                continue;
            return 0;
        }
        rec->created = e->created;
        rec->changed = e->changed;
        (*count)++;
    }
    return 1;
}

int cca_lib_key_record_list(struct cca_backend *be, const char *pattern,
                            struct cca_key_record **recs, size_t *count,
                            struct cca_result *res)
{
    char canonical[CCA_LABEL_TEXT_MAX + 1], detail[sizeof(res->detail)];
    char parts[CCA_LABEL_PARTS_MAX][CCA_LABEL_PART_MAX + 1];
    char cca_pattern[CCA_LABEL_TEXT_MAX + 1];
    struct entry_list list = { NULL, 0, 0 };
    int nparts, deepest, ret = 0;
    struct cca_result local;

    if (res == NULL)
        res = &local;
    cca_result_init(res);
    *recs = NULL;
    *count = 0;

    if (pattern == NULL
        || !cca_label_pattern_parse(pattern, canonical, detail,
                                    sizeof(detail))) {
        cca_result_set(res, CCA_RC_ERROR, CCA_RS_LABEL_INVALID, "%s",
                       pattern == NULL ? "key storage: no pattern given"
                                       : detail);
        goto err;
    }
    nparts = pattern_parts(canonical, parts);
    deepest = strcmp(parts[nparts - 1], "*") == 0 ? CCA_LABEL_PARTS_MAX
                                                  : nparts;

    for (int aes = 0; aes <= 1; aes++) {
        for (int depth = nparts; depth <= deepest; depth++) {
            depth_pattern(parts, nparts, depth, cca_pattern);
            if (!list_storage(be, aes, cca_pattern, canonical, &list, res))
                goto err;
        }
    }
    if (list.count == 0) {
        cca_result_init(res);
        ret = 1;
        goto err;
    }

    qsort(list.entries, list.count, sizeof(list.entries[0]),
          compare_entries);
    *recs = OPENSSL_zalloc(list.count * sizeof(**recs));
    if (*recs == NULL) {
        cca_result_set(res, CCA_RC_INTERNAL, CCA_RS_HOST_NO_MEMORY,
                       "out of memory listing key storage");
        goto err;
    }
    if (!read_records(be, &list, *recs, count, res))
        goto err;
    cca_result_init(res);
    ret = 1;

err:
    OPENSSL_free(list.entries);
    if (!ret || *count == 0) {
        cca_key_record_list_free(*recs, *count);
        *recs = NULL;
        *count = 0;
    }
    return ret;
}
