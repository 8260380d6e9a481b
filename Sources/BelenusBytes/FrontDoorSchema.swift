/// The last migration of the schema that the front door's queries (`Sources/belenus-gateway/`)
/// were written for: it answers only a database that has it, and a store test fails when a newer
/// migration is added, so that whoever adds it looks at that query again.
public enum FrontDoorSchema {
    public static let migration = "v16: the ticket search reads its texts from the tickets and their events"
    /// A row when `migration` has run (an error when no migration has: no table): what
    /// `Schema.isCurrent` asks, and the front door's query within its own.
    public static let hasRun = "SELECT 1 FROM grdb_migrations WHERE identifier = ?"
}
