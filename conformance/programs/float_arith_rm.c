// arch: riscv64
// Floating-point arithmetic instructions with a static rounding mode in the
// instruction (rne/rtz/rdn/rup/rmm) and with the dynamic one, for single and
// double precision: add, sub, mul, div, sqrt and the four fused
// multiply-adds, each with the exception flags it raised.
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static unsigned take_flags(void) {
    unsigned f;
    __asm__ volatile("csrrw %0, fflags, zero" : "=r"(f));
    return f;
}

static void set_frm(unsigned rm) { __asm__ volatile("csrw frm, %0" : : "r"(rm)); }

static uint64_t bits(double d) { uint64_t b; memcpy(&b, &d, sizeof b); return b; }
static uint32_t fbits(float f) { uint32_t b; memcpy(&b, &f, sizeof b); return b; }

#define OP2(insn, rm, type, a, b)                                                              \
    ({                                                                                         \
        type r_;                                                                               \
        __asm__ volatile(insn " %0, %1, %2, " rm : "=f"(r_) : "f"(a), "f"(b));                 \
        r_;                                                                                    \
    })
#define OP3(insn, rm, type, a, b, c)                                                           \
    ({                                                                                         \
        type r_;                                                                               \
        __asm__ volatile(insn " %0, %1, %2, %3, " rm : "=f"(r_) : "f"(a), "f"(b), "f"(c));     \
        r_;                                                                                    \
    })
#define SQRT(insn, rm, type, a)                                                                \
    ({                                                                                         \
        type r_;                                                                               \
        __asm__ volatile(insn " %0, %1, " rm : "=f"(r_) : "f"(a));                             \
        r_;                                                                                    \
    })

// Every operation of one precision under one rounding-mode operand.
#define ALL_OPS(rm, type, sfx, show, a, b, c)                                                                    \
    do {                                                                                                         \
        type r_[9];                                                                                              \
        unsigned f_[9];                                                                                          \
        r_[0] = OP2("fadd." sfx, rm, type, a, b); f_[0] = take_flags();                                          \
        r_[1] = OP2("fsub." sfx, rm, type, a, b); f_[1] = take_flags();                                          \
        r_[2] = OP2("fmul." sfx, rm, type, a, b); f_[2] = take_flags();                                          \
        r_[3] = OP2("fdiv." sfx, rm, type, a, b); f_[3] = take_flags();                                          \
        r_[4] = SQRT("fsqrt." sfx, rm, type, a); f_[4] = take_flags();                                           \
        r_[5] = OP3("fmadd." sfx, rm, type, a, b, c); f_[5] = take_flags();                                      \
        r_[6] = OP3("fmsub." sfx, rm, type, a, b, c); f_[6] = take_flags();                                      \
        r_[7] = OP3("fnmadd." sfx, rm, type, a, b, c); f_[7] = take_flags();                                     \
        r_[8] = OP3("fnmsub." sfx, rm, type, a, b, c); f_[8] = take_flags();                                     \
        printf("  %-4s", rm);                                                                                    \
        for (int i_ = 0; i_ < 9; i_++) printf(" " show "/%02x", show##_of(r_[i_]), f_[i_]);                      \
        printf("\n");                                                                                            \
    } while (0)

#define D_FMT "%016llx"
#define D_FMT_of(x) (unsigned long long)bits(x)
#define F_FMT "%08x"
#define F_FMT_of(x) fbits(x)

int main(void) {
    const double ds[][3] = {
        {1.0, 3.0, 0.1}, {-1.0, 3.0, -0.1}, {2.0, 1e-300, 1e-300}, {1e308, 10.0, -1e308},
        {0x1.0000000000001p0, 0x1.fffffffffffffp-1, -1.0}, {-0.0, 0.0, -0.0}, {1.0, 0.0, 1.0},
        {4.0, -2.0, 8.0}, {0x1p-1022, 0x1p-3, 0.0}, {1.0 / 0.0, 2.0, -1.0 / 0.0},
    };
    take_flags();
    for (size_t i = 0; i < sizeof ds / sizeof ds[0]; i++) {
        double a = ds[i][0], b = ds[i][1], c = ds[i][2];
        float fa = (float)a, fb = (float)b, fc = (float)c;
        take_flags();
        printf("double %a %a %a: add sub mul div sqrt fmadd fmsub fnmadd fnmsub\n", a, b, c);
        ALL_OPS("rne", double, "d", D_FMT, a, b, c);
        ALL_OPS("rtz", double, "d", D_FMT, a, b, c);
        ALL_OPS("rdn", double, "d", D_FMT, a, b, c);
        ALL_OPS("rup", double, "d", D_FMT, a, b, c);
        ALL_OPS("rmm", double, "d", D_FMT, a, b, c);
        for (unsigned frm = 0; frm < 5; frm++) {
            set_frm(frm);
            printf("  frm=%u", frm);
            ALL_OPS("dyn", double, "d", D_FMT, a, b, c);
        }
        set_frm(0);
        printf("float %a %a %a\n", (double)fa, (double)fb, (double)fc);
        ALL_OPS("rne", float, "s", F_FMT, fa, fb, fc);
        ALL_OPS("rtz", float, "s", F_FMT, fa, fb, fc);
        ALL_OPS("rdn", float, "s", F_FMT, fa, fb, fc);
        ALL_OPS("rup", float, "s", F_FMT, fa, fb, fc);
        ALL_OPS("rmm", float, "s", F_FMT, fa, fb, fc);
    }
    return 0;
}
