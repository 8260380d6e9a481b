#include "cmark_arena.h"

#include <cmark.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

// One chain of blocks per thread; each allocation is preceded by its size (for realloc).
// `free` does nothing: the whole chain is emptied before the next document, and all but the
// first block is given back then, so what a thread keeps is bounded by `FIRST_BLOCK`.

enum { HEADER = 16, FIRST_BLOCK = 1 << 20 };

typedef struct block {
    struct block *previous;
    size_t size;
    size_t used;
    _Alignas(16) unsigned char bytes[];
} block;

static _Thread_local block *top;
static pthread_key_t exit_key;
static pthread_once_t exit_key_once = PTHREAD_ONCE_INIT;

static void release_all(void *unused) {
    (void)unused;
    while (top) {
        block *previous = top->previous;
        free(top);
        top = previous;
    }
}

static void make_exit_key(void) { pthread_key_create(&exit_key, release_all); }

static size_t rounded(size_t size) { return ((size + 15) & ~(size_t)15) + HEADER; }

static void *take(size_t size) {
    if (size > SIZE_MAX / 2) abort();
    size_t need = rounded(size);
    if (!top || top->size - top->used < need) {
        size_t capacity = need > FIRST_BLOCK ? need : FIRST_BLOCK;
        block *fresh = malloc(sizeof(block) + capacity);
        if (!fresh) abort();  // cmark's own allocator aborts too
        if (!top) {  // the thread's first block: free the chain when the thread ends
            pthread_once(&exit_key_once, make_exit_key);
            pthread_setspecific(exit_key, fresh);
        }
        fresh->previous = top;
        fresh->size = capacity;
        fresh->used = 0;
        top = fresh;
    }
    unsigned char *at = top->bytes + top->used;
    top->used += need;
    *(size_t *)at = size;
    return at + HEADER;
}

static void *arena_calloc(size_t count, size_t size) {
    if (size && count > SIZE_MAX / size) abort();
    void *memory = take(count * size);
    memset(memory, 0, count * size);
    return memory;
}

static void *arena_realloc(void *old, size_t size) {
    if (!old) return take(size);
    unsigned char *header = (unsigned char *)old - HEADER;
    size_t old_size = *(size_t *)header;
    if (size <= old_size) return old;
    // The last allocation of the top block grows where it is (cmark's buffers grow often).
    if (header + rounded(old_size) == top->bytes + top->used && top->size - top->used + rounded(old_size) >= rounded(size)) {
        top->used += rounded(size) - rounded(old_size);
        *(size_t *)header = size;
        return old;
    }
    void *memory = take(size);
    memcpy(memory, old, old_size);
    return memory;
}

static void arena_free(void *memory) { (void)memory; }

static cmark_mem arena = {arena_calloc, arena_realloc, arena_free};

/// Empties the chain: the first block is kept for the next document, the rest given back.
static void reset(void) {
    while (top && top->previous) {
        block *previous = top->previous;
        free(top);
        top = previous;
    }
    if (top) top->used = 0;
}

const char *belenus_markdown_to_html(const char *text, size_t length, int options, size_t *html_length) {
    reset();
    cmark_parser *parser = cmark_parser_new_with_mem(options, &arena);
    cmark_parser_feed(parser, text, length);
    cmark_node *document = cmark_parser_finish(parser);
    // The HTML comes from the document's allocator: this arena.
    char *html = document ? cmark_render_html(document, options) : NULL;
    *html_length = html ? strlen(html) : 0;
    return html;
}
