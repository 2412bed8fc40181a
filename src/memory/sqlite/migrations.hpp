#pragma once
// Versioned schema migrations, applied in order at start-up, each in its own transaction.
// PRAGMA user_version holds the applied version; a store newer than this binary knows is
// refused, never downgraded.

#include "common/error.hpp"
#include "memory/sqlite/sqlite_db.hpp"

namespace redcell::memory::sqlite {

int known_schema_version();
Result<int> schema_version(Connection& conn);
// Applies what is missing, up to `up_to` (tests build older stores with it); returns the
// version afterwards.
Result<int> migrate(Connection& conn, int up_to = known_schema_version());
// An error when the store's schema is newer than this binary knows.
Result<void> check_not_newer(int version, const std::string& where);

}  // namespace redcell::memory::sqlite
