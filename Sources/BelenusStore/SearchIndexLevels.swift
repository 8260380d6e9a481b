import Foundation
import GRDB

/// The levels of `ticket_fts`'s segments, as FTS5 keeps them in its structure record
/// (`ticket_fts_data`, row 10), and the one change Belenus makes to them: an import's segments
/// put where the site's own merges do not reach them for a long time (`raisedAbove(_:)`).
///
/// Why: FTS5 is a log-structured index. Each change writes a small segment at level 0; when a
/// level holds `automerge` (4) segments they are merged, a little at each write, into one at the
/// next level; and when a level reaches `crisismerge` (16) its merge is finished at once, in the
/// write that found it so. An import leaves a few large segments at level 0 (one per 256 MiB of
/// words: 10 at 100k tickets). The first comments after it then started merging them, could not
/// keep up, and the sixth finished the merge of the whole index in its own transaction: 7.7 s of
/// CPU at 100k tickets (a 395 MB index), holding SQLite's one writer. An index grown by changes
/// alone has its large segments at high levels, which fill only every 4^level changes; this puts
/// an import's there too, as merges would have, without rewriting them.
///
/// The record's layout is FTS5's (format version 4, `fts5_index.c`): a 4-byte cookie, then
/// varints: the number of levels, of segments, the write counter, and for each level the number
/// of its segments in an ongoing merge, its number of segments and, oldest first, each one's id,
/// first and last leaf page. Anything else read (FTS5's later "V2" records, a merge under way,
/// a byte left over) gives nil: the index is then left as FTS5 made it.
struct SearchIndexLevels: Equatable {
    struct Segment: Equatable {
        var id: UInt64
        var firstPage: UInt64
        var lastPage: UInt64
    }

    var cookie: [UInt8]
    var writeCounter: UInt64
    /// Level 0 first; each level's segments oldest first.
    var levels: [[Segment]]

    /// The row of `ticket_fts_data` that holds the structure.
    static let rowID = 10
    /// Where `raisedAbove` puts an import's newest segments: the site's own changes fill level L
    /// about every 4^L writes, so 4^8, 65,536 comments or more, before a merge reaches them.
    static let importLevel = 8

    init(levels: [[Segment]], cookie: [UInt8] = [0, 0, 0, 0], writeCounter: UInt64 = 0) {
        self.levels = levels
        self.cookie = cookie
        self.writeCounter = writeCounter
    }

    /// Reads a structure record; nil if it is not one this type knows whole.
    init?(record: [UInt8]) {
        guard record.count > 4 else { return nil }
        var reader = VarintReader(bytes: record, at: 4)
        guard let levelCount = reader.next(), let segmentCount = reader.next(), let writeCounter = reader.next(),
              levelCount <= 64, segmentCount <= 2000 else { return nil }
        var levels: [[Segment]] = []
        for _ in 0..<levelCount {
            guard let merging = reader.next(), merging == 0, let count = reader.next(), count <= segmentCount else { return nil }
            var level: [Segment] = []
            for _ in 0..<count {
                guard let id = reader.next(), let first = reader.next(), let last = reader.next() else { return nil }
                level.append(Segment(id: id, firstPage: first, lastPage: last))
            }
            levels.append(level)
        }
        guard reader.atEnd, levels.reduce(0, { $0 + $1.count }) == segmentCount else { return nil }
        self.init(levels: levels, cookie: Array(record[0..<4]), writeCounter: writeCounter)
    }

    /// The record FTS5 reads.
    var record: [UInt8] {
        var bytes = cookie
        Self.append(UInt64(levels.count), to: &bytes)
        Self.append(UInt64(levels.reduce(0) { $0 + $1.count }), to: &bytes)
        Self.append(writeCounter, to: &bytes)
        for level in levels {
            Self.append(0, to: &bytes)
            Self.append(UInt64(level.count), to: &bytes)
            for segment in level {
                for value in [segment.id, segment.firstPage, segment.lastPage] { Self.append(value, to: &bytes) }
            }
        }
        return bytes
    }

    /// The same segments, in the same order from newest to oldest (the order in which FTS5 lets
    /// a newer entry hide an older one), three to a level from `level` up: fewer than the four
    /// that start a merge, so none starts until the site's own merges add a fourth. Nil if that
    /// would pass FTS5's 64 levels (an index of more than 168 segments), or with no segment.
    func raisedAbove(_ level: Int) -> SearchIndexLevels? {
        let newestFirst = levels.flatMap { $0.reversed() }
        guard !newestFirst.isEmpty, level + (newestFirst.count + 2) / 3 <= 64 else { return nil }
        var raised = Array(repeating: [Segment](), count: level)
        for start in stride(from: 0, to: newestFirst.count, by: 3) {
            raised.append(newestFirst[start..<min(start + 3, newestFirst.count)].reversed())
        }
        return SearchIndexLevels(levels: raised, cookie: cookie, writeCounter: writeCounter)
    }

    /// SQLite's varint: big-endian groups of 7 bits, the high bit set on all but the last. Values
    /// of 2^56 or more (a ninth byte of 8 bits) are not written by FTS5 here and are refused.
    private static func append(_ value: UInt64, to bytes: inout [UInt8]) {
        var groups: [UInt8] = [UInt8(value & 0x7F)]
        var rest = value >> 7
        while rest > 0 {
            groups.append(UInt8(rest & 0x7F) | 0x80)
            rest >>= 7
        }
        bytes.append(contentsOf: groups.reversed())
    }

    private struct VarintReader {
        let bytes: [UInt8]
        var at: Int

        var atEnd: Bool { at == bytes.count }

        mutating func next() -> UInt64? {
            var value: UInt64 = 0
            for _ in 0..<8 {
                guard at < bytes.count else { return nil }
                let byte = bytes[at]
                at += 1
                value = value << 7 | UInt64(byte & 0x7F)
                if byte & 0x80 == 0 { return value }
            }
            return nil
        }
    }
}

extension SearchIndexLevels {
    /// `ticket_fts`'s segments raised (`raisedAbove(importLevel)`) within `db`'s transaction, at
    /// the end of an import. FTS5 goes on with the structure it holds in memory until it is
    /// made to forget it (`forgetHeldStructure`).
    static func raiseSegments(_ db: Database) throws {
        guard let record = try Data.fetchOne(db, sql: "SELECT block FROM main.ticket_fts_data WHERE id = ?", arguments: [rowID]),
              let raised = SearchIndexLevels(record: Array(record))?.raisedAbove(importLevel) else { return }
        try db.execute(sql: "UPDATE main.ticket_fts_data SET block = ? WHERE id = ?", arguments: [Data(raised.record), rowID])
    }

    /// FTS5 keeps the index's structure in memory, per connection, and reads it again only after
    /// another connection wrote (`PRAGMA data_version`): after this connection changed the
    /// index's tables under it, its next write through `ticket_fts` would number segments from
    /// the structure before (a constraint error, or a malformed index). A write through it,
    /// rolled back, makes FTS5 drop what it held. Outside a transaction.
    static func forgetHeldStructure(_ db: Database) throws {
        try db.inTransaction(.immediate) {
            try db.execute(sql: "INSERT INTO ticket_fts (ticket_fts, rank) VALUES ('automerge', 4)")
            return .rollback
        }
    }
}
