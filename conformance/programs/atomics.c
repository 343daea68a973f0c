// arch: riscv64
// Atomic operations as RISC-V implements them (A extension): AMO add/and/or/
// xor/min/max/swap on 32- and 64-bit words, LR/SC loops for compare-and-swap,
// 8/16-bit atomics (LR/SC on the containing word), fences; single thread.
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>

#define AMO(insn, ptr, val)                                                                   \
    ({                                                                                        \
        int64_t old_;                                                                         \
        __asm__ volatile(insn " %0, %2, (%1)" : "=r"(old_) : "r"(ptr), "r"(val) : "memory");  \
        old_;                                                                                 \
    })

int main(void) {
    static const char *const names64[] = {"amoadd.d", "amoand.d", "amoor.d", "amoxor.d", "amomin.d", "amomax.d",
                                          "amominu.d", "amomaxu.d", "amoswap.d"};
    const int64_t operands[] = {5, -3, 0x7fffffffffffffffll, (int64_t)0x8000000000000000ull, 0xff00ff00ll};
    for (int i = 0; i < 9; i++) {
        for (int j = 0; j < 5; j++) {
            int64_t word = 0x123456789abcdef0ll;
            int32_t half = (int32_t)0x9abcdef0;
            int64_t old, old32;
            switch (i) {
            case 0: old = AMO("amoadd.d", &word, operands[j]); old32 = AMO("amoadd.w", &half, operands[j]); break;
            case 1: old = AMO("amoand.d", &word, operands[j]); old32 = AMO("amoand.w", &half, operands[j]); break;
            case 2: old = AMO("amoor.d", &word, operands[j]); old32 = AMO("amoor.w", &half, operands[j]); break;
            case 3: old = AMO("amoxor.d", &word, operands[j]); old32 = AMO("amoxor.w", &half, operands[j]); break;
            case 4: old = AMO("amomin.d", &word, operands[j]); old32 = AMO("amomin.w", &half, operands[j]); break;
            case 5: old = AMO("amomax.d", &word, operands[j]); old32 = AMO("amomax.w", &half, operands[j]); break;
            case 6: old = AMO("amominu.d", &word, operands[j]); old32 = AMO("amominu.w", &half, operands[j]); break;
            case 7: old = AMO("amomaxu.d", &word, operands[j]); old32 = AMO("amomaxu.w", &half, operands[j]); break;
            default: old = AMO("amoswap.d", &word, operands[j]); old32 = AMO("amoswap.w", &half, operands[j]); break;
            }
            printf("%-9s %016llx: old %016llx new %016llx | .w old %016llx new %08x\n", names64[i],
                   (unsigned long long)operands[j], (unsigned long long)old, (unsigned long long)word,
                   (unsigned long long)old32, (uint32_t)half);
        }
    }

    // LR/SC: a successful pair and one broken by an intervening store.
    int64_t cell = 10, loaded, fail;
    __asm__ volatile("lr.d %0, (%2)\n\tsc.d %1, %3, (%2)" : "=&r"(loaded), "=&r"(fail) : "r"(&cell), "r"(11ll) : "memory");
    printf("lr.d/sc.d: loaded %lld sc result %lld cell %lld\n", (long long)loaded, (long long)fail, (long long)cell);
    int32_t cell32 = -1;
    int64_t loaded32;
    __asm__ volatile("lr.w %0, (%2)\n\tsc.w %1, %3, (%2)" : "=&r"(loaded32), "=&r"(fail) : "r"(&cell32), "r"(5) : "memory");
    printf("lr.w/sc.w: loaded %lld sc result %lld cell %d\n", (long long)loaded32, (long long)fail, cell32);
    __asm__ volatile("sc.d %0, %2, (%1)" : "=&r"(fail) : "r"(&cell), "r"(99ll) : "memory");
    printf("sc.d without reservation: fails %d cell %lld\n", fail != 0, (long long)cell);

    // C11 atomics through the compiler (CAS loops, sub-word operations).
    _Atomic uint8_t small = 250;
    _Atomic uint16_t medium = 65530;
    _Atomic uint64_t counter = 0;
    uint8_t s_old = atomic_fetch_add(&small, 10);
    uint16_t m_old = atomic_fetch_sub(&medium, 65535);
    for (int i = 0; i < 1000; i++) atomic_fetch_add_explicit(&counter, (uint64_t)i, memory_order_relaxed);
    uint64_t expected = 499500, desired = 1;
    int ok1 = atomic_compare_exchange_strong(&counter, &expected, desired);
    expected = 7;
    int ok2 = atomic_compare_exchange_strong(&counter, &expected, 2);
    uint8_t xchg = atomic_exchange(&small, 0x80);
    atomic_thread_fence(memory_order_seq_cst);
    printf("u8 %u->%u u16 %u->%u cas %d %d expected %llu xchg %u small %u counter %llu\n", s_old, (unsigned)small,
           m_old, (unsigned)medium, ok1, ok2, (unsigned long long)expected, xchg, (unsigned)small,
           (unsigned long long)counter);
    return 0;
}
