#pragma once
// Opens the store a StoreUrl names. One place decides which backend serves which URL.

#include <memory>

#include "common/store_url.hpp"
#include "identity/identity.hpp"
#include "memory/sqlite/sqlite_store.hpp"

namespace redcell {

// read_only: no writer lock (check, backup, doctor); the store must exist.
Result<std::unique_ptr<memory::SqliteStore>> open_store(const StoreUrl& url, bool read_only);

// The one local user of --auth local: the row for (redcell:local, local), an admin; made on
// first use (serve, and CLI commands that store as that user).
Result<Identity> resolve_local_user(memory::Store& store);
// The same user read without writing (a read-only store): not_found before its first use.
Result<std::string> find_local_user_id(memory::Store& store);

}  // namespace redcell
