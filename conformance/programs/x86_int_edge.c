// arch: x86_64
// Integer edge cases as x86-64 defines them, issued with inline asm so the
// compiler cannot fold them: full-width multiplies (mul/imul into rdx:rax),
// division and its remainder signs, shift and rotate counts masked to 6 or
// 5 bits, 32-bit operations zeroing the upper half, bsf/bsr, bswap,
// adc/sbb chains, the flags of add/sub/neg (through lahf/seto/pushf), cqo/
// cdq, movsx/movzx, cmov and xchg. (The division that traps is
// x86_divide_error.)
#include <stdint.h>
#include <stdio.h>

static void pr(const char *what, uint64_t v) { printf("%-22s %016llx\n", what, (unsigned long long)v); }

// The arithmetic flags (CF PF AF ZF SF OF) after an instruction.
#define FLAGS_MASK 0x8d5ull

static uint64_t add_flags(uint64_t a, uint64_t b) {
    uint64_t f;
    __asm__ volatile("add %2, %1\n\tpushfq\n\tpop %0" : "=r"(f), "+r"(a) : "r"(b) : "cc");
    return f & FLAGS_MASK;
}

static uint64_t sub_flags32(uint32_t a, uint32_t b) {
    uint64_t f;
    __asm__ volatile("sub %k2, %k1\n\tpushfq\n\tpop %0" : "=r"(f), "+r"(a) : "r"(b) : "cc");
    return f & FLAGS_MASK;
}

static uint64_t neg_flags8(uint8_t a) {
    uint64_t f;
    __asm__ volatile("negb %b1\n\tpushfq\n\tpop %0" : "=r"(f), "+q"(a) : : "cc");
    return f & FLAGS_MASK;
}

int main(void) {
    static const uint64_t vals[] = {0, 1, 0x7fffffffffffffffull, 0x8000000000000000ull,
                                    0xffffffffffffffffull, 0x123456789abcdef0ull, 0xfedcba9876543210ull};
    const int n = sizeof vals / sizeof vals[0];
    for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++) {
            uint64_t a = vals[i], b = vals[j], lo, hi, slo, shi;
            __asm__("mulq %3" : "=a"(lo), "=d"(hi) : "a"(a), "rm"(b) : "cc");
            __asm__("imulq %3" : "=a"(slo), "=d"(shi) : "a"(a), "rm"(b) : "cc");
            uint64_t i3 = a;
            __asm__("imul %1, %0" : "+r"(i3) : "r"(b) : "cc");
            printf("%d,%d mul %016llx:%016llx imul %016llx:%016llx %016llx flags %03llx\n", i, j,
                   (unsigned long long)hi, (unsigned long long)lo, (unsigned long long)shi,
                   (unsigned long long)slo, (unsigned long long)i3, (unsigned long long)add_flags(a, b));
        }
    }
    // Division: quotient rounds toward zero, the remainder has the dividend's sign.
    static const int64_t dividends[] = {7, -7, 100, -100, INT64_MIN, 12345678901234ll};
    static const int64_t divisors[] = {2, -2, 3, -3, 7, INT64_MAX};
    for (int i = 0; i < 6; i++)
        for (int j = 0; j < 6; j++) {
            int64_t q, r;
            __asm__("cqo\n\tidivq %4" : "=a"(q), "=d"(r) : "a"(dividends[i]), "d"(0), "r"(divisors[j]) : "cc");
            uint64_t uq, ur;
            __asm__("divq %4" : "=a"(uq), "=d"(ur) : "a"((uint64_t)dividends[i]), "d"(0ull), "r"((uint64_t)divisors[j]) : "cc");
            printf("div %lld %lld: %lld %lld u %llu %llu\n", (long long)dividends[i], (long long)divisors[j],
                   (long long)q, (long long)r, (unsigned long long)uq, (unsigned long long)ur);
        }
    // 128/64 division with a non-zero high half.
    uint64_t q, r;
    __asm__("divq %4" : "=a"(q), "=d"(r) : "a"(0x0123456789abcdefull), "d"(0x5ull), "r"(0x10000000000ull) : "cc");
    pr("div128 q", q);
    pr("div128 r", r);
    // Shift and rotate counts: masked to 6 bits (64-bit) or 5 bits (32 and fewer).
    for (unsigned c = 0; c < 140; c += 13) {
        uint64_t x = 0x8123456789abcdefull, shl = x, shr = x, sar = x, rol = x, ror = x;
        uint32_t w = 0x89abcdefu, shl32 = w, sar32 = w;
        uint8_t byte = 0x81, rcl8 = byte;
        __asm__("shl %%cl, %0" : "+r"(shl) : "c"(c) : "cc");
        __asm__("shr %%cl, %0" : "+r"(shr) : "c"(c) : "cc");
        __asm__("sar %%cl, %0" : "+r"(sar) : "c"(c) : "cc");
        __asm__("rol %%cl, %0" : "+r"(rol) : "c"(c) : "cc");
        __asm__("ror %%cl, %0" : "+r"(ror) : "c"(c) : "cc");
        __asm__("shl %%cl, %0" : "+r"(shl32) : "c"(c) : "cc");
        __asm__("sar %%cl, %0" : "+r"(sar32) : "c"(c) : "cc");
        __asm__("stc\n\trcl %%cl, %0" : "+q"(rcl8) : "c"(c) : "cc");
        printf("count %3u: %016llx %016llx %016llx %016llx %016llx %08x %08x %02x\n", c,
               (unsigned long long)shl, (unsigned long long)shr, (unsigned long long)sar,
               (unsigned long long)rol, (unsigned long long)ror, shl32, sar32, rcl8);
    }
    // shld/shrd.
    uint64_t d1 = 0x0123456789abcdefull, d2 = d1;
    __asm__("shld $12, %1, %0" : "+r"(d1) : "r"(0xfedcba9876543210ull) : "cc");
    __asm__("shrd $12, %1, %0" : "+r"(d2) : "r"(0xfedcba9876543210ull) : "cc");
    pr("shld/shrd", d1 ^ (d2 << 1));
    // 32-bit operations zero the upper half; 8/16-bit ones keep it.
    uint64_t z = 0xffffffffffffffffull, k8 = z, k16 = z;
    __asm__("addl $1, %k0" : "+r"(z) : : "cc");
    __asm__("addb $1, %b0" : "+q"(k8) : : "cc");
    __asm__("addw $1, %w0" : "+r"(k16) : : "cc");
    pr("add32 zero-extends", z);
    pr("add8 keeps", k8);
    pr("add16 keeps", k16);
    // Bit scans (the zero input leaves the destination unchanged on real CPUs, and sets ZF).
    static const uint64_t scans[] = {1, 0x80, 0x8000000000000000ull, 0x00f0000000000f00ull};
    for (int i = 0; i < 4; i++) {
        uint64_t f, rr;
        __asm__("bsf %1, %0" : "=r"(f) : "r"(scans[i]) : "cc");
        __asm__("bsr %1, %0" : "=r"(rr) : "r"(scans[i]) : "cc");
        printf("bsf/bsr %016llx: %llu %llu\n", (unsigned long long)scans[i], (unsigned long long)f, (unsigned long long)rr);
    }
    uint8_t zf;
    uint64_t dst = 77;
    __asm__("bsf %2, %0\n\tsetz %1" : "+r"(dst), "=q"(zf) : "r"(0ull) : "cc");
    printf("bsf 0: zf %d\n", zf);
    uint64_t bs = 0x0102030405060708ull;
    uint32_t bs32 = 0x11223344u;
    __asm__("bswap %0" : "+r"(bs));
    __asm__("bswap %0" : "+r"(bs32));
    printf("bswap %016llx %08x\n", (unsigned long long)bs, bs32);
    // 192-bit addition and subtraction with adc/sbb.
    uint64_t a0 = 0xffffffffffffffffull, a1 = 0xffffffffffffffffull, a2 = 1;
    __asm__("add $1, %0\n\tadc $0, %1\n\tadc $0, %2" : "+r"(a0), "+r"(a1), "+r"(a2) : : "cc");
    printf("adc chain %llx %llx %llx\n", (unsigned long long)a2, (unsigned long long)a1, (unsigned long long)a0);
    __asm__("sub $1, %0\n\tsbb $0, %1\n\tsbb $0, %2" : "+r"(a0), "+r"(a1), "+r"(a2) : : "cc");
    printf("sbb chain %llx %llx %llx\n", (unsigned long long)a2, (unsigned long long)a1, (unsigned long long)a0);
    // Flags of 32-bit subtraction and 8-bit negation.
    static const uint32_t subs[][2] = {{0, 1}, {0x80000000u, 1}, {5, 5}, {0x7fffffffu, 0xffffffffu}, {3, 0x80}};
    for (int i = 0; i < 5; i++) printf("sub32 %08x-%08x flags %03llx\n", subs[i][0], subs[i][1], (unsigned long long)sub_flags32(subs[i][0], subs[i][1]));
    static const uint8_t negs[] = {0, 1, 0x80, 0x7f, 0x10};
    for (int i = 0; i < 5; i++) printf("neg8 %02x flags %03llx\n", negs[i], (unsigned long long)neg_flags8(negs[i]));
    // Overflow flag of signed multiply, sign extensions, conditional moves.
    uint8_t of;
    int64_t prod = INT64_MAX;
    __asm__("imul $3, %0, %0\n\tseto %1" : "+r"(prod), "=q"(of) : : "cc");
    printf("imul overflow %d %lld\n", of, (long long)prod);
    int64_t sx8, sx16, sx32;
    uint64_t zx8, zx16;
    uint64_t src = 0xfffffffffedc8281ull;
    __asm__("movsbq %b1, %0" : "=r"(sx8) : "q"(src));
    __asm__("movswq %w1, %0" : "=r"(sx16) : "r"(src));
    __asm__("movslq %k1, %0" : "=r"(sx32) : "r"(src));
    __asm__("movzbq %b1, %0" : "=r"(zx8) : "q"(src));
    __asm__("movzwq %w1, %0" : "=r"(zx16) : "r"(src));
    printf("extend %lld %lld %lld %llu %llu\n", (long long)sx8, (long long)sx16, (long long)sx32,
           (unsigned long long)zx8, (unsigned long long)zx16);
    int32_t c32 = -5;
    int64_t cdq_hi;
    __asm__("cdq" : "=d"(cdq_hi), "+a"(c32));
    printf("cdq %lld\n", (long long)cdq_hi);
    uint64_t cm = 1, other = 2, third = 3;
    __asm__("cmp $5, %2\n\tcmovl %1, %0" : "+r"(cm) : "r"(other), "r"(third) : "cc");
    __asm__("xchg %0, %1" : "+r"(other), "+r"(third));
    printf("cmov %llu xchg %llu %llu\n", (unsigned long long)cm, (unsigned long long)other, (unsigned long long)third);
    uint32_t ah;
    __asm__("xor %%eax, %%eax\n\tsub $1, %%eax\n\tlahf\n\tshr $8, %%eax" : "=a"(ah) : : "cc");
    printf("lahf %02x\n", ah & 0xd5);
    return 0;
}
