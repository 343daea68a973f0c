// arch: x86_64
// Atomic operations as x86-64 implements them, single thread: lock xadd,
// lock cmpxchg (success and failure, the flag and the loaded value),
// cmpxchg16b, xchg with memory, lock-prefixed add/and/or/xor/inc/dec/neg/
// bts/btr/btc on 8- to 64-bit cells, the fences, and C11 atomics as the
// compiler emits them.
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>

static uint64_t cell64 = 10;
static uint32_t cell32 = 0xf0f0f0f0u;
static uint16_t cell16 = 0x1234;
static uint8_t cell8 = 0x80;
static __int128 wide __attribute__((aligned(16)));

int main(void) {
    uint64_t old = 5;
    __asm__ volatile("lock xaddq %0, %1" : "+r"(old), "+m"(cell64) : : "memory", "cc");
    printf("xadd64 old %llu now %llu\n", (unsigned long long)old, (unsigned long long)cell64);
    uint32_t old32 = 0x0f0f0f10u;
    __asm__ volatile("lock xaddl %0, %1" : "+r"(old32), "+m"(cell32) : : "memory", "cc");
    printf("xadd32 old %08x now %08x\n", old32, cell32);
    uint16_t old16 = 0xffff;
    __asm__ volatile("lock xaddw %0, %1" : "+r"(old16), "+m"(cell16) : : "memory", "cc");
    printf("xadd16 old %04x now %04x\n", old16, cell16);
    uint8_t old8 = 0x80;
    __asm__ volatile("lock xaddb %0, %1" : "+q"(old8), "+m"(cell8) : : "memory", "cc");
    printf("xadd8 old %02x now %02x\n", old8, cell8);

    // cmpxchg: success stores and sets ZF; failure loads the current value into rax.
    for (int i = 0; i < 2; i++) {
        uint64_t expected = i == 0 ? 15 : 99, desired = 1000;
        uint8_t ok;
        __asm__ volatile("lock cmpxchgq %3, %1\n\tsetz %2"
                         : "+a"(expected), "+m"(cell64), "=q"(ok)
                         : "r"(desired)
                         : "memory", "cc");
        printf("cmpxchg64 #%d ok %d rax %llu cell %llu\n", i, ok, (unsigned long long)expected, (unsigned long long)cell64);
    }
    uint32_t e32 = 0;
    uint8_t ok32;
    __asm__ volatile("lock cmpxchgl %3, %1\n\tsetz %2" : "+a"(e32), "+m"(cell32), "=q"(ok32) : "r"(7u) : "memory", "cc");
    printf("cmpxchg32 ok %d eax %08x\n", ok32, e32);

    // cmpxchg16b on an aligned 16-byte cell.
    uint64_t lo = 0, hi = 0;
    uint8_t ok16;
    __asm__ volatile("lock cmpxchg16b %1\n\tsetz %2"
                     : "+a"(lo), "+m"(wide), "=q"(ok16), "+d"(hi)
                     : "b"(0x1111111122222222ull), "c"(0x3333333344444444ull)
                     : "memory", "cc");
    printf("cmpxchg16b #0 ok %d rdx:rax %llx:%llx\n", ok16, (unsigned long long)hi, (unsigned long long)lo);
    lo = 1, hi = 2;
    __asm__ volatile("lock cmpxchg16b %1\n\tsetz %2"
                     : "+a"(lo), "+m"(wide), "=q"(ok16), "+d"(hi)
                     : "b"(5ull), "c"(6ull)
                     : "memory", "cc");
    printf("cmpxchg16b #1 ok %d rdx:rax %llx:%llx\n", ok16, (unsigned long long)hi, (unsigned long long)lo);

    // xchg with memory is always locked.
    uint64_t x = 42;
    __asm__ volatile("xchgq %0, %1" : "+r"(x), "+m"(cell64) : : "memory");
    printf("xchg got %llu cell %llu\n", (unsigned long long)x, (unsigned long long)cell64);

    // Locked read-modify-write without a result, and the bit tests.
    __asm__ volatile("lock addq $3, %0" : "+m"(cell64) : : "memory", "cc");
    __asm__ volatile("lock andl $0xff00ff, %0" : "+m"(cell32) : : "memory", "cc");
    __asm__ volatile("lock orw $0x8001, %0" : "+m"(cell16) : : "memory", "cc");
    __asm__ volatile("lock xorb $0xff, %0" : "+m"(cell8) : : "memory", "cc");
    __asm__ volatile("lock incq %0" : "+m"(cell64) : : "memory", "cc");
    __asm__ volatile("lock decl %0" : "+m"(cell32) : : "memory", "cc");
    __asm__ volatile("lock negw %0" : "+m"(cell16) : : "memory", "cc");
    printf("rmw %llu %08x %04x %02x\n", (unsigned long long)cell64, cell32, cell16, cell8);
    uint8_t c1, c2, c3;
    __asm__ volatile("lock btsq $40, %0\n\tsetc %1" : "+m"(cell64), "=q"(c1) : : "memory", "cc");
    __asm__ volatile("lock btrq $40, %0\n\tsetc %1" : "+m"(cell64), "=q"(c2) : : "memory", "cc");
    __asm__ volatile("lock btcl $3, %0\n\tsetc %1" : "+m"(cell32), "=q"(c3) : : "memory", "cc");
    printf("bts %d btr %d btc %d -> %llu %08x\n", c1, c2, c3, (unsigned long long)cell64, cell32);
    __asm__ volatile("mfence\n\tlfence\n\tsfence" : : : "memory");

    // C11 atomics as compiled.
    _Atomic uint64_t a = 1;
    _Atomic uint8_t b = 200;
    for (int i = 0; i < 10; i++) {
        atomic_fetch_add(&a, (uint64_t)i * 3);
        atomic_fetch_xor(&a, 0x55);
        atomic_fetch_add_explicit(&b, 17, memory_order_relaxed);
        uint64_t cur = atomic_load(&a);
        while (!atomic_compare_exchange_weak(&a, &cur, cur * 2 + 1)) {}
        uint8_t cb = atomic_load(&b);
        while (!atomic_compare_exchange_strong(&b, &cb, (uint8_t)(cb ^ (cb << 1)))) {}
    }
    unsigned long long av = atomic_load(&a);
    unsigned long long swapped = atomic_exchange(&a, 7);
    printf("c11 a %llu b %u exchange %llu now %llu\n", av, (unsigned)atomic_load(&b), swapped,
           (unsigned long long)atomic_load(&a));
    atomic_thread_fence(memory_order_seq_cst);
    atomic_flag flag = ATOMIC_FLAG_INIT;
    int first = atomic_flag_test_and_set(&flag), second = atomic_flag_test_and_set(&flag);
    printf("flag %d %d\n", first, second);
    return 0;
}
