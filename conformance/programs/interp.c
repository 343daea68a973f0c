// A tiny interpreter, shaped like real ones: a two-pass assembler for a
// stack-machine language (labels, named variables) and a dispatch loop,
// running prime search, Fibonacci mod 2^64 and a Collatz record search.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum op { PUSH, LOAD, STORE, ADD, SUB, MUL, MOD, DIV, LT, EQ, JMP, JZ, PRINT, DUP, SWAP, HALT };
static const char *const op_names[] = {"push", "load", "store", "add", "sub", "mul", "mod", "div",
                                       "lt",   "eq",   "jmp",   "jz",  "print", "dup", "swap", "halt"};

struct insn { enum op op; int64_t arg; };

#define MAX_CODE 256
#define MAX_NAMES 32

struct program {
    struct insn code[MAX_CODE];
    int len;
    char labels[MAX_NAMES][16];
    int label_pc[MAX_NAMES], nlabels;
    char vars[MAX_NAMES][16];
    int nvars;
};

static int intern(char table[][16], int *n, const char *name) {
    for (int i = 0; i < *n; i++) if (strcmp(table[i], name) == 0) return i;
    snprintf(table[*n], 16, "%s", name);
    return (*n)++;
}

// Pass 1 records label positions, pass 2 emits code with resolved targets.
static void assemble(struct program *p, const char *src) {
    for (int pass = 0; pass < 2; pass++) {
        char buf[4096];
        snprintf(buf, sizeof buf, "%s", src);
        p->len = 0;
        char *save;
        for (char *tok = strtok_r(buf, " \n", &save); tok; tok = strtok_r(NULL, " \n", &save)) {
            size_t n = strlen(tok);
            if (tok[n - 1] == ':') {
                tok[n - 1] = '\0';
                if (pass == 0) p->label_pc[intern(p->labels, &p->nlabels, tok)] = p->len;
                continue;
            }
            int op = -1;
            for (int i = 0; i <= HALT; i++) if (strcmp(tok, op_names[i]) == 0) op = i;
            if (op < 0) { printf("unknown op %s\n", tok); exit(1); }
            struct insn in = {(enum op)op, 0};
            if (op == PUSH || op == LOAD || op == STORE || op == JMP || op == JZ) {
                char *arg = strtok_r(NULL, " \n", &save);
                if (op == PUSH) in.arg = strtoll(arg, NULL, 0);
                else if (op == LOAD || op == STORE) in.arg = intern(p->vars, &p->nvars, arg);
                else in.arg = pass ? p->label_pc[intern(p->labels, &p->nlabels, arg)] : 0;
            }
            p->code[p->len++] = in;
        }
    }
}

static uint64_t run(const struct program *p) {
    int64_t stack[64], vars[MAX_NAMES] = {0};
    int sp = 0;
    uint64_t steps = 0;
    for (int pc = 0;; steps++) {
        const struct insn *i = &p->code[pc++];
        uint64_t a = sp >= 2 ? (uint64_t)stack[sp - 2] : 0, b = sp >= 1 ? (uint64_t)stack[sp - 1] : 0;
        switch (i->op) {
        case PUSH: stack[sp++] = i->arg; break;
        case LOAD: stack[sp++] = vars[i->arg]; break;
        case STORE: vars[i->arg] = stack[--sp]; break;
        case ADD: stack[--sp - 1] = (int64_t)(a + b); break;
        case SUB: stack[--sp - 1] = (int64_t)(a - b); break;
        case MUL: stack[--sp - 1] = (int64_t)(a * b); break;
        case MOD: stack[--sp - 1] = (int64_t)(a % b); break;
        case DIV: stack[--sp - 1] = (int64_t)(a / b); break;
        case LT: stack[--sp - 1] = a < b; break;
        case EQ: stack[--sp - 1] = a == b; break;
        case JMP: pc = (int)i->arg; break;
        case JZ: if (stack[--sp] == 0) pc = (int)i->arg; break;
        case PRINT: printf("%llu ", (unsigned long long)stack[--sp]); break;
        case DUP: stack[sp] = stack[sp - 1]; sp++; break;
        case SWAP: stack[sp - 1] = (int64_t)a; stack[sp - 2] = (int64_t)b; break;
        case HALT: putchar('\n'); return steps;
        }
    }
}

static const char primes_src[] =
    "push 2 store n\n"
    "outer: load n push 300 lt jz done\n"
    "  push 2 store d\n"
    "inner: load d load d mul load n push 1 add lt jz prime\n"
    "  load n load d mod jz next\n"
    "  load d push 1 add store d jmp inner\n"
    "prime: load n print\n"
    "next: load n push 1 add store n jmp outer\n"
    "done: halt\n";

static const char fib_src[] =
    "push 0 store a push 1 store b push 5000 store k\n"
    "loop: load k jz end\n"
    "  load b dup load a add store b store a\n"
    "  load k push 1 sub store k jmp loop\n"
    "end: load a print halt\n";

static const char collatz_src[] =
    "push 1 store n push 0 store best push 0 store bestn\n"
    "each: load n push 1000 lt jz finish\n"
    "  load n store x push 1 store len\n"
    "step: load x push 1 eq push 0 eq jz measured\n"
    "  load x push 2 mod jz even\n"
    "  load x push 3 mul push 1 add store x jmp counted\n"
    "even: load x push 2 div store x\n"
    "counted: load len push 1 add store len jmp step\n"
    "measured: load best load len lt jz skip\n"
    "  load len store best load n store bestn\n"
    "skip: load n push 1 add store n jmp each\n"
    "finish: load bestn print load best print halt\n";

int main(void) {
    const char *const sources[] = {primes_src, fib_src, collatz_src};
    for (int i = 0; i < 3; i++) {
        static struct program p;
        memset(&p, 0, sizeof p);
        assemble(&p, sources[i]);
        printf("program %d: %d instructions, %d variables, %d labels\n", i, p.len, p.nvars, p.nlabels);
        uint64_t steps = run(&p);
        printf("program %d: %llu steps\n", i, (unsigned long long)steps);
    }
    return 0;
}
