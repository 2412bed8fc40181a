#pragma once
// Opens the store a StoreUrl names. One place decides which backend serves which URL.

#include <memory>

#include "common/store_url.hpp"
#include "memory/sqlite/sqlite_store.hpp"

namespace redcell {

// read_only: no writer lock (check, backup, doctor); the store must exist.
Result<std::unique_ptr<memory::SqliteStore>> open_store(const StoreUrl& url, bool read_only);

}  // namespace redcell
