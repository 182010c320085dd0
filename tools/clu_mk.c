/*
 * ibm4767-clu mk: the master key registers of the coprocessor.
 *
 *   mk show                                      print the registers
 *   mk load --type T --part first|middle|last HEX|-
 *   mk set --type T                              new -> current -> old
 *   mk clear --type T                            empty the new register
 *
 * T is aes or apka.  A part is 32 bytes as 64 hex digits; '-' reads them
 * from standard input, so the part stays out of the process list and the
 * shell history.  The parts are XORed in the new register, so each
 * holder of a part loads it without learning the key.
 */
#include <config.h>

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include <ibm4767/admin.h>
#include <ibm4767/cca.h>

#include "clu.h"

/* Maximum length of a part's line on standard input. */
#define PART_LINE_MAX 256

static int parse_type(const char *text, uint32_t *type)
{
    if (text == NULL)
        return 0;
    if (strcmp(text, "aes") == 0 || strcmp(text, "AES") == 0) {
        *type = IBM4767_MK_TYPE_AES;
        return 1;
    }
    if (strcmp(text, "apka") == 0 || strcmp(text, "APKA") == 0) {
        *type = IBM4767_MK_TYPE_APKA;
        return 1;
    }
    return 0;
}

static const char *type_name(uint32_t type)
{
    return type == IBM4767_MK_TYPE_AES ? "AES" : "APKA";
}

static int parse_part_number(const char *text, uint32_t *part)
{
    static const char *const names[] = { "first", "middle", "last" };

    for (uint32_t i = 0; text != NULL && i < 3; i++) {
        if (strcmp(text, names[i]) == 0) {
            *part = IBM4767_MK_PART_FIRST + i;
            return 1;
        }
    }
    return 0;
}

static int hex_digit(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = tolower(c);
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* Decode 64 hex digits (surrounding white space allowed) into value. */
static int decode_part(const char *text, uint8_t value[IBM4767_MK_PART_LEN])
{
    size_t len;

    while (isspace((unsigned char)*text))
        text++;
    len = strlen(text);
    while (len > 0 && isspace((unsigned char)text[len - 1]))
        len--;
    if (len != 2 * IBM4767_MK_PART_LEN)
        return 0;
    for (size_t i = 0; i < IBM4767_MK_PART_LEN; i++) {
        int hi = hex_digit((unsigned char)text[2 * i]);
        int lo = hex_digit((unsigned char)text[2 * i + 1]);

        if (hi < 0 || lo < 0)
            return 0;
        value[i] = (uint8_t)(hi << 4 | lo);
    }
    return 1;
}

/* The part from the operand, or from standard input for '-'. */
static int read_part(const char *operand, uint8_t value[IBM4767_MK_PART_LEN])
{
    char line[PART_LINE_MAX];
    int ok;

    if (strcmp(operand, "-") != 0)
        return decode_part(operand, value);
    if (fgets(line, sizeof(line), stdin) == NULL)
        return 0;
    ok = decode_part(line, value);
    OPENSSL_cleanse(line, sizeof(line));
    return ok;
}

static void print_mkvp(const char *label, const uint8_t mkvp[CCA_MKVP_LEN])
{
    printf("%s", label);
    for (size_t i = 0; i < CCA_MKVP_LEN; i++)
        printf("%02X", mkvp[i]);
    printf("\n");
}

static int mk_show(struct cca_backend *be)
{
    struct cca_status st;
    struct cca_result res;

    if (!cca_facility_query(be, CLU_DEVICE_INDEX, 1, &st, &res))
        return clu_fail_result("reading the master key registers", &res);
    clu_print_master_keys(stdout, &st);
    return CLU_EXIT_OK;
}

static int mk_load(struct cca_backend *be, uint32_t type, uint32_t part,
                   const uint8_t value[IBM4767_MK_PART_LEN])
{
    struct cca_mk_register reg;
    struct cca_result res;

    if (!cca_master_key_load_part(be, CLU_DEVICE_INDEX, type, part, value,
                                  &reg, &res))
        return clu_fail_result("loading the master key part", &res);
    if (reg.state == CCA_MK_FULL) {
        printf("%s master key part loaded; the new register is full\n",
               type_name(type));
        print_mkvp("new MKVP: ", reg.mkvp);
    } else {
        printf("%s master key part loaded; the new register is partially "
               "loaded\n", type_name(type));
    }
    return CLU_EXIT_OK;
}

static int mk_set(struct cca_backend *be, uint32_t type)
{
    uint8_t mkvp[CCA_MKVP_LEN];
    struct cca_result res;

    if (!cca_master_key_set(be, CLU_DEVICE_INDEX, type, mkvp, &res))
        return clu_fail_result("setting the master key", &res);
    printf("%s master key set; the previous current key is now the old "
           "key\n", type_name(type));
    print_mkvp("current MKVP: ", mkvp);
    printf("re-encipher tokens under the old key with 'ibm4767-keys "
           "reencipher'\n");
    return CLU_EXIT_OK;
}

static int mk_clear(struct cca_backend *be, uint32_t type)
{
    struct cca_result res;

    if (!cca_master_key_clear(be, CLU_DEVICE_INDEX, type, &res))
        return clu_fail_result("clearing the new master key register", &res);
    printf("new %s master key register cleared\n", type_name(type));
    return CLU_EXIT_OK;
}

/* Check the arguments of action; returns -1 to go on, or 2. */
static int check_arguments(const struct clu_options *opts,
                           const char *action, uint32_t *type,
                           uint32_t *part)
{
    int is_show = strcmp(action, "show") == 0;
    int is_load = strcmp(action, "load") == 0;

    if (!is_show && !is_load && strcmp(action, "set") != 0
        && strcmp(action, "clear") != 0)
        return clu_usage_error("unknown mk action '%s': use show, load, set "
                               "or clear", action);
    if (opts->operand_count != (is_load ? 2 : 1))
        return clu_usage_error(is_load ? "'mk load' needs the part as 64 "
                                         "hex digits, or '-' to read it"
                                       : "'mk %s' takes no further argument",
                               action);
    if (is_show)
        return opts->mk_type == NULL && opts->mk_part == NULL
                   ? -1
                   : clu_usage_error("'mk show' takes no --type or --part");
    if (!parse_type(opts->mk_type, type))
        return clu_usage_error("'mk %s' needs --type aes or --type apka",
                               action);
    if (!is_load)
        return opts->mk_part == NULL
                   ? -1
                   : clu_usage_error("'mk %s' takes no --part", action);
    if (!parse_part_number(opts->mk_part, part))
        return clu_usage_error("'mk load' needs --part first, middle or "
                               "last");
    return -1;
}

int clu_mk(const struct clu_options *opts)
{
    const char *action = opts->operands[0];
    uint8_t value[IBM4767_MK_PART_LEN];
    uint32_t type = 0, part = 0;
    struct cca_backend *be = NULL;
    int ret = check_arguments(opts, action, &type, &part);

    if (ret >= 0)
        return ret;
    if (strcmp(action, "load") == 0 && !read_part(opts->operands[1], value)) {
        OPENSSL_cleanse(value, sizeof(value));
        return clu_usage_error("invalid master key part: expected 64 hex "
                               "digits (32 bytes)");
    }

    be = clu_open_backend(opts);
    if (be == NULL) {
        ret = CLU_EXIT_FAILED;
        goto err;
    }
    if (strcmp(action, "show") == 0)
        ret = mk_show(be);
    else if (strcmp(action, "load") == 0)
        ret = mk_load(be, type, part, value);
    else if (strcmp(action, "set") == 0)
        ret = mk_set(be, type);
    else
        ret = mk_clear(be, type);

err:
    OPENSSL_cleanse(value, sizeof(value));
    cca_backend_free(be);
    return ret;
}
