@testable import BelenusStore
import Testing

private typealias Segment = SearchIndexLevels.Segment

/// A structure record as FTS5 writes it: cookie 8, 2 levels, 3 segments, write counter 300,
/// level 0 with segment 3 (pages 1–2), level 1 with segments 1 (1–9,668, a two-byte varint) and 2.
private let record: [UInt8] = [0, 0, 0, 8, 2, 3, 0x82, 0x2C, 0, 1, 3, 1, 2, 0, 2, 1, 1, 0xCB, 0x44, 2, 1, 40]

@Test func aStructureRecordIsReadAndWrittenByteForByte() throws {
    let levels = try #require(SearchIndexLevels(record: record))
    #expect(levels.cookie == [0, 0, 0, 8] && levels.writeCounter == 300)
    #expect(levels.levels == [[Segment(id: 3, firstPage: 1, lastPage: 2)],
                              [Segment(id: 1, firstPage: 1, lastPage: 9668), Segment(id: 2, firstPage: 1, lastPage: 40)]])
    #expect(levels.record == record)
}

@Test func raisedSegmentsKeepTheirOrderThreeToALevel() throws {
    let segments = (1...7).map { Segment(id: UInt64($0), firstPage: 1, lastPage: 10) }
    // Oldest first within a level, older levels higher: 1 is the oldest, 7 the newest.
    let levels = SearchIndexLevels(levels: [Array(segments[4...]), Array(segments[..<4])])
    let raised = try #require(levels.raisedAbove(8))
    #expect(raised.levels.count == 11 && raised.levels.prefix(8).allSatisfy { $0.isEmpty })
    #expect(raised.levels[8].map(\.id) == [5, 6, 7] && raised.levels[9].map(\.id) == [2, 3, 4] && raised.levels[10].map(\.id) == [1])
    #expect(SearchIndexLevels(record: raised.record) == raised)
}

@Test func whatIsNotAWholeQuietStructureIsLeftAlone() {
    var merging = record
    merging[8] = 1  // level 0: one segment in a merge under way
    #expect(SearchIndexLevels(record: merging) == nil)
    #expect(SearchIndexLevels(record: record + [0]) == nil)
    #expect(SearchIndexLevels(record: Array(record.dropLast())) == nil)
    #expect(SearchIndexLevels(record: [0, 0, 0, 8, 0xFF, 0, 0, 1] + record[4...]) == nil)  // FTS5's "V2" records
    #expect(SearchIndexLevels(levels: []).raisedAbove(8) == nil)
    let many = (1...169).map { Segment(id: UInt64($0), firstPage: 1, lastPage: 1) }
    #expect(SearchIndexLevels(levels: [many]).raisedAbove(8) == nil)
    #expect(SearchIndexLevels(levels: [Array(many.prefix(168))]).raisedAbove(8)?.levels.count == 64)
}
