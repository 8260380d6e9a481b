#ifndef BELENUS_CMARK_ARENA_H
#define BELENUS_CMARK_ARENA_H

#include <stddef.h>

/// CommonMark to HTML through cmark with a per-thread bump allocator: cmark's nodes, buffers
/// and output come from one block that is reused from document to document, instead of one
/// malloc and free each (11 % of a full build's CPU was cmark's malloc and free).
///
/// Returns the HTML, `*length` bytes, valid on this thread until the next call; NULL when cmark
/// fails. `options` are cmark's (`CMARK_OPT_DEFAULT`).
const char *belenus_markdown_to_html(const char *text, size_t length, int options, size_t *html_length);

#endif
