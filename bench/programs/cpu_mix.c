// full: 30
// quick: 1
// A CPU mix in four phases, repeated ROUNDS times: linked-list work (malloc,
// merge sort, walk, filter, free), a 160x160 integer matrix multiply, a
// switch-driven lexer over generated source text, and table-driven CRC-32.
#include <stdint.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "common.h"

#define LIST_NODES 20000u      /* nodes per list phase */
#define MAT_N 160u             /* matrix side */
#define TEXT_BYTES (192u << 10) /* generated source text per lexer phase */
#define CRC_BYTES (1u << 20)   /* generated buffer per CRC phase */
#define MAX_ROUNDS 100000u

/* ---- Phase 1: linked list ----------------------------------------------- */

struct node {
    uint32_t key;
    uint32_t seq; /* insertion order, to observe that the sort is stable */
    struct node *next;
};

/* Merges two sorted lists; on equal keys the left one goes first (stable). */
static struct node *merge(struct node *a, struct node *b)
{
    struct node head;
    struct node *tail = &head;
    while (a != NULL && b != NULL) {
        if (b->key < a->key) {
            tail->next = b;
            b = b->next;
        } else {
            tail->next = a;
            a = a->next;
        }
        tail = tail->next;
    }
    tail->next = (a != NULL) ? a : b;
    return head.next;
}

/* Top-down merge sort: split with slow/fast pointers, sort halves, merge. */
static struct node *merge_sort(struct node *list)
{
    if (list == NULL || list->next == NULL)
        return list;
    struct node *slow = list, *fast = list->next;
    while (fast != NULL && fast->next != NULL) {
        slow = slow->next;
        fast = fast->next->next;
    }
    struct node *second = slow->next;
    slow->next = NULL;
    return merge(merge_sort(list), merge_sort(second));
}

static uint64_t phase_list(uint64_t seed)
{
    uint64_t rng = seed;
    struct node *list = NULL;

    /* Build: push nodes with keys from a narrow range so duplicates occur. */
    for (uint32_t i = 0; i < LIST_NODES; i++) {
        struct node *n = xmalloc(sizeof *n);
        n->key = (uint32_t)(splitmix64(&rng) % (LIST_NODES * 4u));
        n->seq = i;
        n->next = list;
        list = n;
    }

    list = merge_sort(list);

    /* Walk: check the order, sum keys weighted by position. */
    uint64_t digest = 0, weighted = 0;
    uint32_t pos = 0, prev_key = 0, prev_seq = UINT32_MAX;
    for (struct node *n = list; n != NULL; n = n->next, pos++) {
        /* Built by pushing to the front, so equal keys keep descending seq. */
        if (n->key < prev_key || (n->key == prev_key && n->seq > prev_seq)) {
            fprintf(stderr, "cpu_mix: list not sorted at %" PRIu32 "\n", pos);
            exit(1);
        }
        prev_key = n->key;
        prev_seq = n->seq;
        weighted += (uint64_t)n->key * (pos + 1u);
    }
    digest = mix(digest, weighted);
    digest = mix(digest, pos);

    /* Filter: unlink and free every node whose key is a multiple of 3. */
    struct node **link = &list;
    uint32_t removed = 0;
    while (*link != NULL) {
        struct node *n = *link;
        if (n->key % 3u == 0) {
            *link = n->next;
            free(n);
            removed++;
        } else {
            link = &n->next;
        }
    }
    digest = mix(digest, removed);

    /* Walk the survivors once more, then free them. */
    while (list != NULL) {
        struct node *n = list;
        list = n->next;
        digest = mix(digest, ((uint64_t)n->key << 32) | n->seq);
        free(n);
    }
    return digest;
}

/* ---- Phase 2: integer matrix multiply ----------------------------------- */

static uint32_t mat_a[MAT_N][MAT_N], mat_b[MAT_N][MAT_N], mat_c[MAT_N][MAT_N];

static uint64_t phase_matrix(uint64_t seed)
{
    uint64_t rng = seed;
    for (uint32_t i = 0; i < MAT_N; i++)
        for (uint32_t j = 0; j < MAT_N; j++) {
            uint64_t r = splitmix64(&rng);
            mat_a[i][j] = (uint32_t)r;
            mat_b[i][j] = (uint32_t)(r >> 32);
            mat_c[i][j] = 0;
        }

    /* C = A * B with wrapping 32-bit arithmetic, in i-k-j order. */
    for (uint32_t i = 0; i < MAT_N; i++)
        for (uint32_t k = 0; k < MAT_N; k++) {
            uint32_t a = mat_a[i][k];
            for (uint32_t j = 0; j < MAT_N; j++)
                mat_c[i][j] += a * mat_b[k][j];
        }

    uint64_t digest = 0;
    for (uint32_t i = 0; i < MAT_N; i++) {
        uint64_t row = 0;
        for (uint32_t j = 0; j < MAT_N; j++)
            row = row * 31u + mat_c[i][j];
        digest = mix(digest, row);
    }
    return digest;
}

/* ---- Phase 3: lexer state machine --------------------------------------- */

static char text[TEXT_BYTES + 1];

/* Appends s to text at *pos if it fits (the text is cut at a token edge). */
static int emit(uint32_t *pos, const char *s, uint32_t len)
{
    if (*pos + len > TEXT_BYTES)
        return 0;
    for (uint32_t i = 0; i < len; i++)
        text[*pos + i] = s[i];
    *pos += len;
    return 1;
}

/* Generates C-like source: identifiers, decimal and hex numbers, string
 * literals with escapes, operators, line and block comments, whitespace. */
static uint32_t generate_text(uint64_t seed)
{
    static const char ident_chars[] =
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_0123456789";
    static const char *const ops[] = {
        "+", "-", "*", "/", "=", "==", "!=", "<", "<=", ">", ">=",
        "(", ")", "{", "}", ";", ",", "&&", "||", "->",
    };
    uint64_t rng = seed;
    uint32_t pos = 0;
    char tok[64];

    for (;;) {
        uint64_t r = splitmix64(&rng);
        uint32_t len = 0;
        switch (r % 16u) {
        case 0: case 1: case 2: case 3: /* identifier */
            tok[len++] = ident_chars[(r >> 8) % 53u]; /* letter or _ */
            for (uint32_t n = (uint32_t)(r >> 16) % 12u; n > 0; n--)
                tok[len++] = ident_chars[(r >> (20 + n * 3)) % 63u];
            break;
        case 4: case 5: /* decimal number */
            for (uint32_t n = 1 + (uint32_t)(r >> 8) % 9u; n > 0; n--)
                tok[len++] = (char)('0' + (r >> (12 + n * 4)) % 10u);
            break;
        case 6: /* hex number */
            tok[len++] = '0';
            tok[len++] = 'x';
            for (uint32_t n = 1 + (uint32_t)(r >> 8) % 8u; n > 0; n--)
                tok[len++] = "0123456789abcdef"[(r >> (12 + n * 4)) & 15u];
            break;
        case 7: /* string literal, sometimes with escapes */
            tok[len++] = '"';
            for (uint32_t n = (uint32_t)(r >> 8) % 20u; n > 0; n--) {
                uint32_t c = (uint32_t)(r >> (12 + n * 2)) % 40u;
                if (c == 0) {
                    tok[len++] = '\\';
                    tok[len++] = '"';
                } else if (c == 1) {
                    tok[len++] = '\\';
                    tok[len++] = 'n';
                } else {
                    tok[len++] = ident_chars[c];
                }
            }
            tok[len++] = '"';
            break;
        case 8: case 9: case 10: { /* operator */
            const char *op = ops[(r >> 8) % (sizeof ops / sizeof ops[0])];
            while (*op != '\0')
                tok[len++] = *op++;
            break;
        }
        case 11: /* line comment */
            tok[len++] = '/';
            tok[len++] = '/';
            for (uint32_t n = (uint32_t)(r >> 8) % 30u; n > 0; n--)
                tok[len++] = " xyz*/"[(r >> (12 + n)) % 6u];
            tok[len++] = '\n';
            break;
        case 12: /* block comment, possibly with stray stars inside */
            tok[len++] = '/';
            tok[len++] = '*';
            for (uint32_t n = (uint32_t)(r >> 8) % 30u; n > 0; n--)
                tok[len++] = " ab*\n"[(r >> (12 + n)) % 5u];
            tok[len++] = '*';
            tok[len++] = '/';
            break;
        case 13:
            tok[len++] = '\n';
            break;
        default:
            tok[len++] = ' ';
            break;
        }
        /* Separate tokens so adjacent ones never merge into another kind. */
        tok[len++] = ' ';
        if (!emit(&pos, tok, len))
            break;
    }
    text[pos] = '\0';
    return pos;
}

enum token_kind { T_IDENT, T_NUMBER, T_STRING, T_OPERATOR, T_COMMENT, T_KINDS };

enum lex_state {
    S_START, S_IDENT, S_DEC, S_ZERO, S_HEX, S_STRING, S_ESCAPE,
    S_SLASH, S_LINE_COMMENT, S_BLOCK_COMMENT, S_BLOCK_STAR, S_OP2,
};

/* Tokenizes text[0..len) one character at a time with a switch on the
 * state; returns a digest of token counts, identifier hashes, number values
 * and the line count. */
static uint64_t lex(uint32_t len)
{
    uint32_t counts[T_KINDS] = {0};
    uint64_t ident_hash = 0, num_sum = 0, value = 0, str_bytes = 0;
    uint32_t h = 0, lines = 1;
    enum lex_state state = S_START;

    for (uint32_t i = 0; i <= len; i++) {
        unsigned char c = (unsigned char)text[i]; /* text[len] is '\0' */
        if (c == '\n')
            lines++;
    again:
        switch (state) {
        case S_START:
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_') {
                h = 2166136261u ^ c;
                h *= 16777619u;
                state = S_IDENT;
            } else if (c == '0') {
                value = 0;
                state = S_ZERO;
            } else if (c >= '1' && c <= '9') {
                value = c - '0';
                state = S_DEC;
            } else if (c == '"') {
                state = S_STRING;
            } else if (c == '/') {
                state = S_SLASH;
            } else if (c == '=' || c == '!' || c == '<' || c == '>' ||
                       c == '&' || c == '|' || c == '-') {
                state = S_OP2; /* may be the first of a two-char operator */
            } else if (c == ' ' || c == '\n' || c == '\0') {
                /* whitespace */
            } else {
                counts[T_OPERATOR]++;
            }
            break;
        case S_IDENT:
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
                (c >= '0' && c <= '9')) {
                h = (h ^ c) * 16777619u;
            } else {
                counts[T_IDENT]++;
                ident_hash = mix(ident_hash, h);
                state = S_START;
                goto again;
            }
            break;
        case S_ZERO:
            if (c == 'x') {
                state = S_HEX;
                break;
            }
            state = S_DEC;
            goto again;
        case S_DEC:
            if (c >= '0' && c <= '9') {
                value = value * 10u + (c - '0');
            } else {
                counts[T_NUMBER]++;
                num_sum += value;
                state = S_START;
                goto again;
            }
            break;
        case S_HEX:
            if (c >= '0' && c <= '9') {
                value = value * 16u + (c - '0');
            } else if (c >= 'a' && c <= 'f') {
                value = value * 16u + (c - 'a' + 10u);
            } else {
                counts[T_NUMBER]++;
                num_sum += value ^ 0x5555u;
                state = S_START;
                goto again;
            }
            break;
        case S_STRING:
            if (c == '\\') {
                state = S_ESCAPE;
            } else if (c == '"') {
                counts[T_STRING]++;
                state = S_START;
            } else {
                str_bytes += c;
            }
            break;
        case S_ESCAPE:
            str_bytes += (uint64_t)c << 8;
            state = S_STRING;
            break;
        case S_SLASH:
            if (c == '/') {
                state = S_LINE_COMMENT;
            } else if (c == '*') {
                state = S_BLOCK_COMMENT;
            } else {
                counts[T_OPERATOR]++;
                state = S_START;
                goto again;
            }
            break;
        case S_LINE_COMMENT:
            if (c == '\n' || c == '\0') {
                counts[T_COMMENT]++;
                state = S_START;
            }
            break;
        case S_BLOCK_COMMENT:
            if (c == '*')
                state = S_BLOCK_STAR;
            break;
        case S_BLOCK_STAR:
            if (c == '/') {
                counts[T_COMMENT]++;
                state = S_START;
            } else if (c != '*') {
                state = S_BLOCK_COMMENT;
            }
            break;
        case S_OP2:
            counts[T_OPERATOR]++;
            state = S_START;
            if (c == '=' || c == '&' || c == '|' || c == '>')
                break; /* consumed as the second character */
            goto again;
        }
    }
    if (state != S_START) {
        fprintf(stderr, "cpu_mix: lexer ended in state %d\n", (int)state);
        exit(1);
    }

    uint64_t digest = mix(ident_hash, num_sum);
    digest = mix(digest, str_bytes);
    digest = mix(digest, lines);
    for (int k = 0; k < T_KINDS; k++)
        digest = mix(digest, counts[k]);
    return digest;
}

static uint64_t phase_lexer(uint64_t seed)
{
    return lex(generate_text(seed));
}

/* ---- Phase 4: CRC-32 ----------------------------------------------------- */

static uint32_t crc_table[256];
static unsigned char crc_buf[CRC_BYTES];

/* Table for the reflected IEEE 802.3 polynomial (as in zlib and gzip). */
static void crc32_init(void)
{
    for (uint32_t n = 0; n < 256; n++) {
        uint32_t c = n;
        for (int k = 0; k < 8; k++)
            c = (c & 1u) ? 0xedb88320u ^ (c >> 1) : c >> 1;
        crc_table[n] = c;
    }
}

static uint32_t crc32(uint32_t crc, const unsigned char *p, size_t n)
{
    crc = ~crc;
    while (n-- > 0)
        crc = crc_table[(crc ^ *p++) & 0xffu] ^ (crc >> 8);
    return ~crc;
}

static uint64_t phase_crc(uint64_t seed)
{
    uint64_t rng = seed;
    for (uint32_t i = 0; i < CRC_BYTES; i += 8) {
        uint64_t r = splitmix64(&rng);
        for (int k = 0; k < 8; k++)
            crc_buf[i + (uint32_t)k] = (unsigned char)(r >> (8 * k));
    }
    uint32_t whole = crc32(0, crc_buf, CRC_BYTES);
    uint32_t half = crc32(0, crc_buf + CRC_BYTES / 2, CRC_BYTES / 2);
    return ((uint64_t)whole << 32) | half;
}

/* ---- Driver --------------------------------------------------------------- */

int main(int argc, char **argv)
{
    uint32_t rounds;
    if (argc != 2 || !parse_count(argv[1], MAX_ROUNDS, &rounds)) {
        fprintf(stderr, "usage: cpu_mix ROUNDS   (1..%u)\n", MAX_ROUNDS);
        return 2;
    }

    /* Self-check of the CRC against the standard check value. */
    crc32_init();
    if (crc32(0, (const unsigned char *)"123456789", 9) != 0xcbf43926u) {
        fprintf(stderr, "cpu_mix: CRC-32 self-check failed\n");
        return 1;
    }

    uint64_t d_list = 0, d_matrix = 0, d_lexer = 0, d_crc = 0;
    for (uint32_t r = 0; r < rounds; r++) {
        uint64_t seed = 0x243f6a8885a308d3u + (uint64_t)r * 0x13198a2e03707344u;
        d_list = mix(d_list, phase_list(seed ^ 1u));
        d_matrix = mix(d_matrix, phase_matrix(seed ^ 2u));
        d_lexer = mix(d_lexer, phase_lexer(seed ^ 3u));
        d_crc = mix(d_crc, phase_crc(seed ^ 4u));
    }

    printf("rounds %" PRIu32 "\n", rounds);
    printf("list   %016" PRIx64 "\n", d_list);
    printf("matrix %016" PRIx64 "\n", d_matrix);
    printf("lexer  %016" PRIx64 "\n", d_lexer);
    printf("crc32  %016" PRIx64 "\n", d_crc);
    printf("total  %016" PRIx64 "\n",
           mix(mix(mix(mix(0, d_list), d_matrix), d_lexer), d_crc));
    return 0;
}
