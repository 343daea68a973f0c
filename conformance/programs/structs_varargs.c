// Calling-convention corners: structs passed and returned by value (small
// ones in registers, mixed int/float ones in both register files, large
// ones by reference), unions, variadic functions reading ints, doubles,
// long doubles and structs with va_arg, and va_copy.
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

struct small { int32_t a; int32_t b; };
struct mixed { double d; int32_t i; };
struct two_floats { float x; float y; };
struct fd { float f; double d; };
struct big { int64_t v[9]; char tag[13]; };
union pun { double d; uint64_t u; float f[2]; unsigned char bytes[8]; };

static __attribute__((noinline)) struct small swap_small(struct small s) { return (struct small){s.b, s.a}; }
static __attribute__((noinline)) struct mixed scale_mixed(struct mixed m, double k) { m.d *= k; m.i = -m.i; return m; }
static __attribute__((noinline)) struct two_floats add_floats(struct two_floats p, struct two_floats q) {
    return (struct two_floats){p.x + q.x, p.y + q.y};
}
static __attribute__((noinline)) struct fd mix_fd(struct fd v) { return (struct fd){(float)v.d, v.f * 2.0}; }
static __attribute__((noinline)) struct big fill_big(struct big b, int64_t base) {
    for (int i = 0; i < 9; i++) b.v[i] += base * i;
    memcpy(b.tag, "filled-big!", 12);
    return b;
}

// Arguments beyond the eight integer and eight float registers go on the stack.
static __attribute__((noinline)) double many_args(int a, double b, int c, double d, int e, double f, int g, double h,
                                                  int i, double j, int k, double l, int m, double n, int o, double p,
                                                  int q, double r, long double s, struct small t) {
    return a + b + c + d + e + f + g + h + i + j + k + l + m + n + o + p + q + r + (double)s + t.a * 100 + t.b;
}

static double sum_variadic(const char *types, ...) {
    va_list ap, copy;
    va_start(ap, types);
    va_copy(copy, ap);
    double total = 0;
    for (const char *t = types; *t; t++) {
        switch (*t) {
        case 'i': total += va_arg(ap, int); break;
        case 'l': total += (double)va_arg(ap, long long); break;
        case 'd': total += va_arg(ap, double); break;
        case 'L': total += (double)va_arg(ap, long double); break;
        case 's': { struct small s = va_arg(ap, struct small); total += s.a - s.b; break; }
        case 'b': { struct big b = va_arg(ap, struct big); total += (double)b.v[8]; break; }
        }
    }
    // The copy walks the same arguments again: only the first is used.
    double first = *types == 'd' ? va_arg(copy, double) : *types == 'i' ? va_arg(copy, int) : 0;
    va_end(copy);
    va_end(ap);
    return total + first / 1000.0;
}

int main(void) {
    struct small s = swap_small((struct small){1, -2});
    struct mixed m = scale_mixed((struct mixed){1.5, 7}, -4.0);
    struct two_floats f = add_floats((struct two_floats){1.25f, 2.5f}, (struct two_floats){0.5f, -8.0f});
    struct fd v = mix_fd((struct fd){3.5f, 0.1});
    struct big b = {{1, 2, 3, 4, 5, 6, 7, 8, 9}, "unfilled"};
    struct big filled = fill_big(b, 1000);
    printf("small %d %d mixed %g %d floats %g %g fd %.9g %g\n", s.a, s.b, m.d, m.i, (double)f.x, (double)f.y,
           (double)v.f, v.d);
    printf("big %lld %lld %s (original %lld %s)\n", (long long)filled.v[1], (long long)filled.v[8], filled.tag,
           (long long)b.v[8], b.tag);
    printf("many %.17g\n", many_args(1, 2.5, 3, 4.5, 5, 6.5, 7, 8.5, 9, 10.5, 11, 12.5, 13, 14.5, 15, 16.5, 17,
                                     18.5, 19.25L, (struct small){20, 21}));
    printf("variadic %.17g\n", sum_variadic("idlLsbd", 1, 2.25, 3ll << 40, 4.125L, (struct small){50, 8}, filled, -0.5));
    printf("variadic %.17g\n", sum_variadic("dd", 1e10, 1e-10));
    union pun p = {.d = -2.5};
    printf("union %016llx %02x %a\n", (unsigned long long)p.u, p.bytes[7], (double)p.f[1]);
    p.f[0] = 1.0f;
    printf("union %016llx\n", (unsigned long long)p.u);
    char buf[64];
    int n = snprintf(buf, sizeof buf, "%d|%5.2f|%Lg|%s|%c", -7, 3.14159, 2.5L, "str", 'q');
    printf("snprintf %d %s\n", n, buf);
    return 0;
}
