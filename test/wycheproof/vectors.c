/*
 * Field access for Wycheproof vector files: hex byte strings, strings and
 * integers read through Jansson, plus the text that describes errors and
 * wrong outputs in the runners' reports.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>

#include "wycheproof.h"

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int wp_json_hex(const json_t *obj, const char *field, struct wp_bytes *out,
                char *what, size_t what_len)
{
    const char *hex = wp_json_string(obj, field);
    size_t hex_len, i;

    out->data = NULL;
    out->len = 0;
    if (hex == NULL) {
        snprintf(what, what_len, "vector field \"%s\" is missing", field);
        return 0;
    }
    hex_len = strlen(hex);
    if (hex_len % 2 != 0) {
        snprintf(what, what_len,
                 "vector field \"%s\" has an odd number of hex digits (%zu)",
                 field, hex_len);
        return 0;
    }

    /* One spare byte so that an empty string still gets a buffer. */
    out->data = OPENSSL_malloc(hex_len / 2 + 1);
    if (out->data == NULL) {
        snprintf(what, what_len, "out of memory decoding \"%s\"", field);
        return 0;
    }
    for (i = 0; i < hex_len; i += 2) {
        int hi = hex_digit(hex[i]);
        int lo = hex_digit(hex[i + 1]);

        if (hi < 0 || lo < 0) {
            snprintf(what, what_len,
                     "vector field \"%s\" has a non-hex character at offset %zu",
                     field, i);
            wp_bytes_free(out);
            return 0;
        }
        out->data[i / 2] = (unsigned char)(hi << 4 | lo);
    }
    out->len = hex_len / 2;
    return 1;
}

void wp_bytes_free(struct wp_bytes *b)
{
    if (b == NULL)
        return;
    OPENSSL_clear_free(b->data, b->len);
    b->data = NULL;
    b->len = 0;
}

const char *wp_json_string(const json_t *obj, const char *field)
{
    return json_string_value(json_object_get(obj, field));
}

int wp_json_long(const json_t *obj, const char *field, long *out)
{
    const json_t *value = json_object_get(obj, field);

    if (!json_is_integer(value))
        return 0;
    *out = (long)json_integer_value(value);
    return 1;
}

static void append_text(char *buf, size_t len, size_t *pos, const char *text)
{
    int n;

    if (*pos >= len)
        return;
    n = snprintf(buf + *pos, len - *pos, "%s", text);
    if (n < 0)
        return;
    *pos += (size_t)n < len - *pos ? (size_t)n : len - *pos - 1;
}

void wp_take_errors(char *buf, size_t len, const char *prefix)
{
    unsigned long code;
    const char *data = NULL;
    int flags = 0;
    size_t pos = 0;
    int count = 0;

    if (len == 0)
        return;
    buf[0] = '\0';
    append_text(buf, len, &pos, prefix);

    while ((code = ERR_get_error_all(NULL, NULL, NULL, &data, &flags)) != 0) {
        const char *reason = ERR_reason_error_string(code);
        char item[256];

        /* Four errors show the origin and the layers above it. */
        if (++count > 4)
            continue;
        if (reason == NULL) {
            snprintf(item, sizeof(item), "%serror 0x%08lx",
                     count == 1 ? ": " : "; ", code);
        } else {
            snprintf(item, sizeof(item), "%s%s", count == 1 ? ": " : "; ",
                     reason);
        }
        append_text(buf, len, &pos, item);
        if ((flags & ERR_TXT_STRING) != 0 && data != NULL && data[0] != '\0') {
            append_text(buf, len, &pos, " (");
            append_text(buf, len, &pos, data);
            append_text(buf, len, &pos, ")");
        }
    }
}

static void hex_prefix(char *out, size_t out_len, const unsigned char *p,
                       size_t n)
{
    size_t shown = n < 16 ? n : 16;
    size_t i, pos = 0;

    out[0] = '\0';
    for (i = 0; i < shown && pos + 3 < out_len; i++)
        pos += (size_t)snprintf(out + pos, out_len - pos, "%02x", p[i]);
    if (shown < n && pos + 4 < out_len)
        snprintf(out + pos, out_len - pos, "...");
}

void wp_describe_mismatch(char *buf, size_t len, const unsigned char *got,
                          size_t got_len, const struct wp_bytes *expected)
{
    char got_hex[40], expected_hex[40];

    hex_prefix(got_hex, sizeof(got_hex), got, got_len);
    hex_prefix(expected_hex, sizeof(expected_hex), expected->data,
               expected->len);
    snprintf(buf, len, "output differs: got %zu bytes %s, expected %zu bytes %s",
             got_len, got_hex, expected->len, expected_hex);
}

const char *wp_curve_group_name(const char *curve, size_t *field_len)
{
    static const struct {
        const char *wycheproof;
        const char *openssl;
        size_t field_len;
    } curves[] = {
        { "secp256r1", "prime256v1", 32 },
        { "secp384r1", "secp384r1", 48 },
        { "secp521r1", "secp521r1", 66 },
    };
    size_t i;

    if (curve == NULL)
        return NULL;
    for (i = 0; i < sizeof(curves) / sizeof(curves[0]); i++) {
        if (strcmp(curve, curves[i].wycheproof) == 0) {
            *field_len = curves[i].field_len;
            return curves[i].openssl;
        }
    }
    return NULL;
}

int wp_rsa_bits_supported(long bits)
{
    return bits == 2048 || bits == 3072 || bits == 4096;
}
