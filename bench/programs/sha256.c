// full: 64
// quick: 1
// SHA-256 (FIPS 180-4) over MIB mebibytes generated in memory, chunk by
// chunk, by a xorshift64 PRNG; prints the hex digest. Measures 32-bit
// rotate/add/logic throughput in a tight compression loop.
#include <stdint.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "common.h"

#define CHUNK_BYTES (64u << 10) /* data is generated and hashed in 64 KiB chunks */
#define MAX_MIB 4096u

struct sha256 {
    uint32_t h[8];
    unsigned char block[64];
    uint32_t fill;   /* bytes buffered in block */
    uint64_t length; /* message bytes so far */
};

static const uint32_t K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static uint32_t rotr(uint32_t x, unsigned n) { return (x >> n) | (x << (32 - n)); }

/* Processes one 64-byte block (FIPS 180-4, section 6.2.2). */
static void sha256_compress(uint32_t h[8], const unsigned char *p)
{
    uint32_t w[64];
    for (int t = 0; t < 16; t++)
        w[t] = (uint32_t)p[4 * t] << 24 | (uint32_t)p[4 * t + 1] << 16 |
               (uint32_t)p[4 * t + 2] << 8 | (uint32_t)p[4 * t + 3];
    for (int t = 16; t < 64; t++) {
        uint32_t s0 = rotr(w[t - 15], 7) ^ rotr(w[t - 15], 18) ^ (w[t - 15] >> 3);
        uint32_t s1 = rotr(w[t - 2], 17) ^ rotr(w[t - 2], 19) ^ (w[t - 2] >> 10);
        w[t] = w[t - 16] + s0 + w[t - 7] + s1;
    }

    uint32_t a = h[0], b = h[1], c = h[2], d = h[3];
    uint32_t e = h[4], f = h[5], g = h[6], hh = h[7];
    for (int t = 0; t < 64; t++) {
        uint32_t S1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25);
        uint32_t ch = (e & f) ^ (~e & g);
        uint32_t t1 = hh + S1 + ch + K[t] + w[t];
        uint32_t S0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22);
        uint32_t maj = (a & b) ^ (a & c) ^ (b & c);
        uint32_t t2 = S0 + maj;
        hh = g;
        g = f;
        f = e;
        e = d + t1;
        d = c;
        c = b;
        b = a;
        a = t1 + t2;
    }
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
    h[4] += e;
    h[5] += f;
    h[6] += g;
    h[7] += hh;
}

static void sha256_init(struct sha256 *s)
{
    static const uint32_t iv[8] = {
        0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
        0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
    };
    memcpy(s->h, iv, sizeof iv);
    s->fill = 0;
    s->length = 0;
}

static void sha256_update(struct sha256 *s, const unsigned char *p, size_t n)
{
    s->length += n;
    if (s->fill > 0) { /* top up a partly filled block first */
        size_t take = 64 - s->fill;
        if (take > n)
            take = n;
        memcpy(s->block + s->fill, p, take);
        s->fill += (uint32_t)take;
        p += take;
        n -= take;
        if (s->fill < 64)
            return;
        sha256_compress(s->h, s->block);
        s->fill = 0;
    }
    for (; n >= 64; p += 64, n -= 64)
        sha256_compress(s->h, p);
    memcpy(s->block, p, n);
    s->fill = (uint32_t)n;
}

/* Pads (0x80, zeros, 64-bit big-endian bit length) and writes the digest. */
static void sha256_final(struct sha256 *s, unsigned char out[32])
{
    uint64_t bits = s->length * 8u;
    s->block[s->fill++] = 0x80;
    if (s->fill > 56) {
        memset(s->block + s->fill, 0, 64 - s->fill);
        sha256_compress(s->h, s->block);
        s->fill = 0;
    }
    memset(s->block + s->fill, 0, 56 - s->fill);
    for (int i = 0; i < 8; i++)
        s->block[56 + i] = (unsigned char)(bits >> (56 - 8 * i));
    sha256_compress(s->h, s->block);
    for (int i = 0; i < 8; i++) {
        out[4 * i] = (unsigned char)(s->h[i] >> 24);
        out[4 * i + 1] = (unsigned char)(s->h[i] >> 16);
        out[4 * i + 2] = (unsigned char)(s->h[i] >> 8);
        out[4 * i + 3] = (unsigned char)s->h[i];
    }
}

static void to_hex(const unsigned char digest[32], char hex[65])
{
    for (int i = 0; i < 32; i++) {
        hex[2 * i] = "0123456789abcdef"[digest[i] >> 4];
        hex[2 * i + 1] = "0123456789abcdef"[digest[i] & 15];
    }
    hex[64] = '\0';
}

/* Checks the implementation against the standard test vectors. */
static int self_check(void)
{
    static const struct {
        const char *msg, *hex;
    } vectors[] = {
        {"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
        {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
        {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
    };
    for (size_t v = 0; v < sizeof vectors / sizeof vectors[0]; v++) {
        struct sha256 s;
        unsigned char digest[32];
        char hex[65];
        const char *msg = vectors[v].msg;
        /* Feed byte by byte to exercise the partial-block path as well. */
        sha256_init(&s);
        for (size_t i = 0; msg[i] != '\0'; i++)
            sha256_update(&s, (const unsigned char *)msg + i, 1);
        sha256_final(&s, digest);
        to_hex(digest, hex);
        if (strcmp(hex, vectors[v].hex) != 0) {
            fprintf(stderr, "sha256: self-check failed for \"%s\": got %s, want %s\n",
                    msg, hex, vectors[v].hex);
            return 0;
        }
    }
    return 1;
}

static uint64_t chunk_words[CHUNK_BYTES / 8];

int main(int argc, char **argv)
{
    uint32_t mib;
    if (argc != 2 || !parse_count(argv[1], MAX_MIB, &mib)) {
        fprintf(stderr, "usage: sha256 MIB   (1..%u)\n", MAX_MIB);
        return 2;
    }
    if (!self_check())
        return 1;

    struct sha256 s;
    sha256_init(&s);
    uint64_t x = 0x2545f4914f6cdd1du; /* xorshift64 state, never zero */
    uint32_t chunks = mib * ((1u << 20) / CHUNK_BYTES);
    unsigned char *bytes = (unsigned char *)chunk_words;
    for (uint32_t c = 0; c < chunks; c++) {
        /* Fill the chunk; store bytes little-endian explicitly so the data
         * does not depend on the host's byte order. */
        for (uint32_t i = 0; i < CHUNK_BYTES / 8; i++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            for (int k = 0; k < 8; k++)
                bytes[8 * i + (uint32_t)k] = (unsigned char)(x >> (8 * k));
        }
        /* An odd-sized first piece keeps the buffered path in use. */
        sha256_update(&s, bytes, 13);
        sha256_update(&s, bytes + 13, CHUNK_BYTES - 13);
    }

    unsigned char digest[32];
    char hex[65];
    sha256_final(&s, digest);
    to_hex(digest, hex);
    printf("%s  %" PRIu32 " MiB\n", hex, mib);
    return 0;
}
