#!/bin/sh
# What a site's ticket search answers, hashed: every match of the bench's three searches (a rare
# term, `timbrado`, `timbrado` in the biggest company's tickets) with its row id, bm25 rank and
# both snippets, as `TicketQuery` asks for them. Run it on a database before and after a change
# to the search index (schema v16 did: docs/performance.md, "Issue 35's search index"); the
# lines must be the same. Needs the sqlite3 shell. Usage: bench/search_answers.sh SITE/var/belenus.sqlite3
set -eu
db=$1
rare=$(sqlite3 "$db" "SELECT body FROM events WHERE body GLOB '*[0-9][0-9][0-9][0-9][0-9]*' ORDER BY id LIMIT 1" \
    | grep -oE '\b[0-9]{5}\b' | head -n 1)
org=$(sqlite3 "$db" "SELECT 'o' || hex(org) FROM tickets GROUP BY org ORDER BY count(*) DESC LIMIT 1")
for match in "{title body} : (\"$rare\")" "{title body} : (\"timbrado\")" "{title body} : (\"timbrado\") AND org : $org"; do
    count=$(sqlite3 "$db" "SELECT count(*) FROM ticket_fts WHERE ticket_fts MATCH '$match'")
    hash=$(sqlite3 "$db" "SELECT rowid, rank, snippet(ticket_fts, 0, char(2), char(3), '…', 16),
        snippet(ticket_fts, 1, char(2), char(3), '…', 16) FROM ticket_fts WHERE ticket_fts MATCH '$match' ORDER BY rank, rowid" \
        | md5sum | cut -d ' ' -f 1)
    echo "$hash $count $match"
done
