/*
 * CCA key labels: validation, the canonical form, the 64-byte field and
 * list patterns with the '*' wildcard.
 */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include <ibm4767/keystore.h>

#define LABEL_RULE "a label is 1 to 7 parts separated by dots, each 1 to 8 " \
                   "characters from A-Z, 0-9, #, $ and @, not starting " \
                   "with a digit"

static int label_char_valid(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '#' ||
           c == '$' || c == '@';
}

static int label_is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Copy text without trailing spaces, folding a-z to A-Z.  Returns the
 * length, or -1 when the text does not fit. */
static int label_fold(const char *text, char out[CCA_LABEL_TEXT_MAX + 1])
{
    size_t len = strlen(text);

    while (len > 0 && text[len - 1] == ' ')
        len--;
    if (len > CCA_LABEL_TEXT_MAX)
        return -1;

    for (size_t i = 0; i < len; i++) {
        char c = text[i];

        out[i] = (c >= 'a' && c <= 'z') ? (char)(c - 'a' + 'A') : c;
    }
    out[len] = '\0';
    return (int)len;
}

/* Describe character c for a message: printable ones quoted, others as
 * \xNN. */
static void label_char_text(char c, char buf[8])
{
    unsigned char u = (unsigned char)c;

    if (u == ' ')
        snprintf(buf, 8, "a space");
    else if (u > 0x20 && u < 0x7F)
        snprintf(buf, 8, "'%c'", c);
    else
        snprintf(buf, 8, "\\x%02X", u);
}

/*
 * Check one part (part_len characters at part).  With wildcards set, one
 * '*' is allowed as the first, last or only character.  Returns 1, or 0
 * with the reason in detail.
 */
static int label_part_check(const char *label, const char *part,
                            size_t part_len, int index, int wildcards,
                            char *detail, size_t detail_len)
{
    const char *star = wildcards ? memchr(part, '*', part_len) : NULL;
    size_t literal = star != NULL ? part_len - 1 : part_len;
    char shown[8];

    if (part_len == 0) {
        snprintf(detail, detail_len,
                 "label \"%s\" is invalid: part %d is empty; %s", label,
                 index, LABEL_RULE);
        return 0;
    }
    if (literal > CCA_LABEL_PART_MAX) {
        snprintf(detail, detail_len,
                 "label \"%s\" is invalid: part %d (\"%.*s\") is longer "
                 "than %d characters; %s", label, index, (int)part_len,
                 part, CCA_LABEL_PART_MAX, LABEL_RULE);
        return 0;
    }
    if (star != NULL && star != part && star != part + part_len - 1) {
        snprintf(detail, detail_len,
                 "label pattern \"%s\" is invalid: the '*' in part %d must "
                 "be its first, last or only character", label, index);
        return 0;
    }
    if (star != NULL && memchr(star + 1, '*', part_len - 1 -
                               (size_t)(star - part)) != NULL) {
        snprintf(detail, detail_len,
                 "label pattern \"%s\" is invalid: part %d has more than "
                 "one '*'", label, index);
        return 0;
    }

    for (size_t i = 0; i < part_len; i++) {
        if (part + i == star)
            continue;
        if (!label_char_valid(part[i])) {
            label_char_text(part[i], shown);
            if (part[i] == '*')
                snprintf(detail, detail_len,
                         "label \"%s\" is invalid: '*' is a wildcard, "
                         "accepted only in a list pattern", label);
            else
                snprintf(detail, detail_len,
                         "label \"%s\" is invalid: character %s in part %d "
                         "is not allowed; %s", label, shown, index,
                         LABEL_RULE);
            return 0;
        }
    }
    if (part != star && label_is_digit(part[0])) {
        snprintf(detail, detail_len,
                 "label \"%s\" is invalid: part %d (\"%.*s\") starts with "
                 "a digit; %s", label, index, (int)part_len, part,
                 LABEL_RULE);
        return 0;
    }
    return 1;
}

static int label_check(const char *text, char out[CCA_LABEL_TEXT_MAX + 1],
                       int wildcards, char *detail, size_t detail_len)
{
    int len;
    int parts = 0;
    const char *part;

    if (text == NULL || text[0] == '\0' || text[0] == ' ') {
        snprintf(detail, detail_len,
                 "label \"%s\" is invalid: it is empty or starts with a "
                 "space; %s", text != NULL ? text : "", LABEL_RULE);
        return 0;
    }
    len = label_fold(text, out);
    if (len < 0) {
        snprintf(detail, detail_len,
                 "label \"%.64s...\" is invalid: it is longer than %d "
                 "characters; %s", text, CCA_LABEL_TEXT_MAX, LABEL_RULE);
        return 0;
    }

    part = out;
    for (;;) {
        const char *dot = strchr(part, '.');
        size_t part_len = dot != NULL ? (size_t)(dot - part) : strlen(part);

        parts++;
        if (parts > CCA_LABEL_PARTS_MAX) {
            snprintf(detail, detail_len,
                     "label \"%s\" is invalid: it has more than %d parts; "
                     "%s", out, CCA_LABEL_PARTS_MAX, LABEL_RULE);
            return 0;
        }
        if (!label_part_check(out, part, part_len, parts, wildcards, detail,
                              detail_len))
            return 0;
        if (dot == NULL)
            break;
        part = dot + 1;
    }
    return 1;
}

int cca_label_parse(const char *text, char out[CCA_LABEL_TEXT_MAX + 1],
                    char *detail, size_t detail_len)
{
    return label_check(text, out, 0, detail, detail_len);
}

int cca_label_pattern_parse(const char *text,
                            char out[CCA_LABEL_TEXT_MAX + 1], char *detail,
                            size_t detail_len)
{
    return label_check(text, out, 1, detail, detail_len);
}

/* Match one label part against one pattern part; both are not empty. */
static int label_part_match(const char *pat, size_t pat_len, const char *s,
                            size_t s_len)
{
    if (pat_len == 1 && pat[0] == '*')
        return 1;
    if (pat[0] == '*')
        return s_len >= pat_len - 1 &&
               memcmp(s + s_len - (pat_len - 1), pat + 1, pat_len - 1) == 0;
    if (pat[pat_len - 1] == '*')
        return s_len >= pat_len - 1 && memcmp(s, pat, pat_len - 1) == 0;
    return s_len == pat_len && memcmp(s, pat, pat_len) == 0;
}

int cca_label_match(const char *pattern, const char *label)
{
    const char *p = pattern;
    const char *s = label;

    for (;;) {
        const char *p_dot = strchr(p, '.');
        const char *s_dot = strchr(s, '.');
        size_t p_len = p_dot != NULL ? (size_t)(p_dot - p) : strlen(p);
        size_t s_len = s_dot != NULL ? (size_t)(s_dot - s) : strlen(s);

        /* A last pattern part of only '*' takes every remaining part. */
        if (p_dot == NULL && p_len == 1 && p[0] == '*')
            return 1;
        if (!label_part_match(p, p_len, s, s_len))
            return 0;
        if (p_dot == NULL || s_dot == NULL)
            return p_dot == NULL && s_dot == NULL;
        p = p_dot + 1;
        s = s_dot + 1;
    }
}

void cca_label_to_field(const char *label, char field[CCA_LABEL_LEN])
{
    size_t len = strlen(label);

    if (len > CCA_LABEL_LEN)
        len = CCA_LABEL_LEN;
    memset(field, ' ', CCA_LABEL_LEN);
    memcpy(field, label, len);
}

const char *cca_key_type_name(uint32_t type)
{
    switch (type) {
    case CCA_KEY_TYPE_NULL:
        return "null";
    case CCA_KEY_TYPE_RSA:
        return "rsa";
    case CCA_KEY_TYPE_EC:
        return "ec";
    case CCA_KEY_TYPE_AES:
        return "aes";
    default:
        return "unknown";
    }
}
