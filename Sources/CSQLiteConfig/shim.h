#include <sqlite3.h>

// sqlite3_db_config is variadic, which Swift cannot call: one fixed-argument wrapper per option.

/// The last connection to close leaves the WAL as it is instead of checkpointing it into the
/// database and deleting it (writers checkpoint as they commit): a process that only read
/// writes nothing.
static inline int belenus_sqlite3_no_checkpoint_on_close(sqlite3 *db) {
    return sqlite3_db_config(db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, (int *)0);
}
