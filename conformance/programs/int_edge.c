// arch: riscv64
// Integer edge cases as RISC-V defines them: division by zero, overflowing
// division, high multiplies and 32-bit "W" operations. The operations are
// issued with inline asm so the compiler cannot fold or treat them as UB.
#include <limits.h>
#include <stdint.h>
#include <stdio.h>

#define RR(op, a, b)                                                        \
    ({                                                                      \
        int64_t r_;                                                         \
        __asm__ volatile(op " %0, %1, %2" : "=r"(r_) : "r"(a), "r"(b));     \
        r_;                                                                 \
    })

static const int64_t values[] = {
    0, 1, -1, 2, -2, 7, -7, 0x7fffffff, -0x7fffffffll - 1, 0x80000000ll,
    0xffffffffll, INT64_MAX, INT64_MIN, 0x123456789abcdef0ll, -0x5555555555555555ll,
};
#define NVALUES (sizeof values / sizeof values[0])

static void print_op(const char *name, int64_t a, int64_t b, int64_t r) {
    printf("%-6s %20lld %20lld -> %20lld (%016llx)\n", name, (long long)a, (long long)b,
           (long long)r, (unsigned long long)r);
}

int main(void) {
    for (size_t i = 0; i < NVALUES; i++) {
        for (size_t j = 0; j < NVALUES; j++) {
            int64_t a = values[i], b = values[j];
            print_op("div", a, b, RR("div", a, b));
            print_op("divu", a, b, RR("divu", a, b));
            print_op("rem", a, b, RR("rem", a, b));
            print_op("remu", a, b, RR("remu", a, b));
            print_op("divw", a, b, RR("divw", a, b));
            print_op("divuw", a, b, RR("divuw", a, b));
            print_op("remw", a, b, RR("remw", a, b));
            print_op("remuw", a, b, RR("remuw", a, b));
            print_op("mul", a, b, RR("mul", a, b));
            print_op("mulh", a, b, RR("mulh", a, b));
            print_op("mulhu", a, b, RR("mulhu", a, b));
            print_op("mulhsu", a, b, RR("mulhsu", a, b));
            print_op("mulw", a, b, RR("mulw", a, b));
            print_op("addw", a, b, RR("addw", a, b));
            print_op("subw", a, b, RR("subw", a, b));
            print_op("sll", a, b, RR("sll", a, b));
            print_op("srl", a, b, RR("srl", a, b));
            print_op("sra", a, b, RR("sra", a, b));
            print_op("sllw", a, b, RR("sllw", a, b));
            print_op("srlw", a, b, RR("srlw", a, b));
            print_op("sraw", a, b, RR("sraw", a, b));
            print_op("slt", a, b, RR("slt", a, b));
            print_op("sltu", a, b, RR("sltu", a, b));
        }
    }

    // The same cases through C with volatile operands (well-defined ones only,
    // plus the unsigned and 32-bit forms the compiler lowers to W ops).
    volatile int32_t imin = INT_MIN, m1 = -1, seven = 7, mseven = -7;
    volatile uint32_t u = 0xfffffff9u, three = 3;
    printf("C: %d %d %d %d\n", seven / 2, mseven / 2, seven % -3, mseven % 3);
    printf("C: %u %u %d\n", u / three, u % three, imin / 2);
    printf("C: %d %d\n", (int32_t)((uint32_t)imin + (uint32_t)m1), (int32_t)((uint32_t)imin * 3u));
    volatile int8_t sc = -128;
    volatile uint16_t us = 65535;
    printf("C: %d %d %d\n", (int8_t)(sc - 1), (uint16_t)(us + 1), (int16_t)us);
    return 0;
}
