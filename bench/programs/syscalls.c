// full: 50000
// quick: 2000
// dir: scratch
// System-call throughput: in the scratch directory DIR, write RECORDS 64-byte
// records with one write(2) each, read them back with 32-byte read(2) calls,
// then read and rewrite records at random offsets (lseek), with fstat and
// lseek checks in between; the file is unlinked at the end.
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common.h"

#define RECORD_BYTES 64u
#define READ_BYTES 32u      /* read(2) size for the sequential pass */
#define CHECK_EVERY 1024u   /* fstat/lseek check interval in the write pass */
#define MAX_RECORDS 10000000u
#define FILE_NAME "syscalls.dat"

static const char *path; /* for error messages */

/* Counts of the calls made, printed at the end. */
static uint64_t n_write, n_read, n_lseek, n_fstat;

static void die(const char *what)
{
    fprintf(stderr, "syscalls: %s %s: %s\n", what, path, strerror(errno));
    exit(1);
}

static void fail(const char *what, uint32_t index)
{
    fprintf(stderr, "syscalls: %s (record %" PRIu32 ")\n", what, index);
    exit(1);
}

/* Record `index` in version `version`: seven words derived from both, then
 * a check word; all stored little-endian. */
static void make_record(unsigned char rec[RECORD_BYTES], uint32_t index, uint32_t version)
{
    uint64_t check = 0;
    for (unsigned w = 0; w < RECORD_BYTES / 8; w++) {
        /* One splitmix64 step from a state made of the three. */
        uint64_t state = ((uint64_t)version << 40) ^ ((uint64_t)index << 3) ^ w;
        uint64_t v = (w == RECORD_BYTES / 8 - 1) ? check : splitmix64(&state);
        check = (check ^ v) * 0x100000001b3u;
        for (unsigned b = 0; b < 8; b++)
            rec[8 * w + b] = (unsigned char)(v >> (8 * b));
    }
}

static uint64_t fold(uint64_t acc, const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        acc = (acc ^ p[i]) * 0x100000001b3u; /* FNV-1a */
    return acc;
}

static void write_record(int fd, const unsigned char rec[RECORD_BYTES])
{
    ssize_t n = write(fd, rec, RECORD_BYTES);
    n_write++;
    if (n < 0)
        die("write");
    if (n != (ssize_t)RECORD_BYTES) {
        fprintf(stderr, "syscalls: short write to %s\n", path);
        exit(1);
    }
}

/* Reads exactly len bytes (regular files return them in one call). */
static void read_exact(int fd, unsigned char *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = read(fd, buf, len);
        n_read++;
        if (n < 0)
            die("read");
        if (n == 0) {
            fprintf(stderr, "syscalls: unexpected end of %s\n", path);
            exit(1);
        }
        buf += n;
        len -= (size_t)n;
    }
}

static int64_t seek(int fd, int64_t offset, int whence)
{
    off_t pos = lseek(fd, (off_t)offset, whence);
    n_lseek++;
    if (pos < 0)
        die("lseek");
    return (int64_t)pos;
}

static int64_t file_size(int fd)
{
    struct stat st;
    n_fstat++;
    if (fstat(fd, &st) != 0)
        die("fstat");
    if (!S_ISREG(st.st_mode)) {
        fprintf(stderr, "syscalls: %s is not a regular file\n", path);
        exit(1);
    }
    return (int64_t)st.st_size;
}

int main(int argc, char **argv)
{
    static char path_buf[4096];
    uint32_t records;
    if (argc != 3 || argv[1][0] == '\0' || !parse_count(argv[2], MAX_RECORDS, &records)) {
        fprintf(stderr, "usage: syscalls DIR RECORDS   (1..%u)\n", MAX_RECORDS);
        return 2;
    }
    int len = snprintf(path_buf, sizeof path_buf, "%s/%s", argv[1], FILE_NAME);
    if (len < 0 || (size_t)len >= sizeof path_buf) {
        fprintf(stderr, "syscalls: directory path too long\n");
        return 2;
    }
    path = path_buf;

    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (fd < 0)
        die("open");

    unsigned char rec[RECORD_BYTES], got[RECORD_BYTES];
    uint64_t digest = 0xcbf29ce484222325u;

    /* Pass 1: append every record with its own write(2); now and then
     * check the file size (fstat) and the file offset (lseek SEEK_CUR). */
    for (uint32_t i = 0; i < records; i++) {
        if (i % CHECK_EVERY == 0) {
            int64_t expect = (int64_t)i * RECORD_BYTES;
            if (file_size(fd) != expect || seek(fd, 0, SEEK_CUR) != expect)
                fail("size or offset wrong while writing", i);
        }
        make_record(rec, i, 0);
        write_record(fd, rec);
    }
    if (file_size(fd) != (int64_t)records * RECORD_BYTES)
        fail("final size wrong", records);

    /* Pass 2: rewind and read everything back in READ_BYTES pieces. */
    if (seek(fd, 0, SEEK_SET) != 0)
        fail("rewind failed", 0);
    for (uint32_t i = 0; i < records; i++) {
        for (unsigned k = 0; k < RECORD_BYTES; k += READ_BYTES)
            read_exact(fd, got + k, READ_BYTES);
        make_record(rec, i, 0);
        if (memcmp(got, rec, RECORD_BYTES) != 0)
            fail("sequential read mismatch", i);
        digest = fold(digest, got, RECORD_BYTES);
    }
    /* At end of file read(2) returns 0. */
    ssize_t eof = read(fd, got, RECORD_BYTES);
    n_read++;
    if (eof != 0)
        fail("expected end of file", records);

    /* Pass 3: random access. Visit records in a pseudo-random order; read
     * each one, then rewrite it as version 1 in place. */
    uint32_t updates = records / 4 + 1;
    uint64_t x = 0x853c49e6748fea9bu; /* xorshift64 state */
    for (uint32_t u = 0; u < updates; u++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        uint32_t i = (uint32_t)(x % records);
        int64_t where = (int64_t)i * RECORD_BYTES;
        seek(fd, where, SEEK_SET);
        read_exact(fd, got, RECORD_BYTES);
        unsigned char v0[RECORD_BYTES], v1[RECORD_BYTES];
        make_record(v0, i, 0);
        make_record(v1, i, 1);
        if (memcmp(got, v0, RECORD_BYTES) != 0 && memcmp(got, v1, RECORD_BYTES) != 0)
            fail("random read mismatch", i);
        digest = fold(digest, got, 8);
        /* Step back over the record just read (SEEK_CUR with a negative
         * offset) and overwrite it. */
        if (seek(fd, -(int64_t)RECORD_BYTES, SEEK_CUR) != where)
            fail("relative seek landed wrong", i);
        write_record(fd, v1);
    }

    /* Pass 4: the file size is unchanged; checksum the whole file again
     * from the end backwards, one record per lseek(SEEK_END) + read. */
    if (file_size(fd) != (int64_t)records * RECORD_BYTES)
        fail("size changed by rewrites", records);
    uint32_t rewritten = 0;
    for (uint32_t k = 1; k <= records; k++) {
        seek(fd, -(int64_t)k * RECORD_BYTES, SEEK_END);
        read_exact(fd, got, RECORD_BYTES);
        uint32_t i = records - k;
        make_record(rec, i, 1);
        if (memcmp(got, rec, RECORD_BYTES) == 0) {
            rewritten++;
        } else {
            make_record(rec, i, 0);
            if (memcmp(got, rec, RECORD_BYTES) != 0)
                fail("backward read mismatch", i);
        }
        digest = fold(digest, got, RECORD_BYTES);
    }

    if (close(fd) != 0)
        die("close");
    if (unlink(path) != 0)
        die("unlink");
    struct stat st;
    if (stat(path, &st) == 0 || errno != ENOENT) {
        fprintf(stderr, "syscalls: %s still exists after unlink\n", path);
        return 1;
    }

    printf("records %" PRIu32 ", rewritten %" PRIu32 "\n", records, rewritten);
    printf("calls write %" PRIu64 ", read %" PRIu64 ", lseek %" PRIu64 ", fstat %" PRIu64 "\n",
           n_write, n_read, n_lseek, n_fstat);
    printf("checksum %016" PRIx64 "\n", digest);
    return 0;
}
