#pragma once
// Opens the store a StoreUrl names. One place decides which backend serves which URL.

#include <memory>
#include <string_view>

#include "common/config.hpp"
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

// What a CLI command of local mode works on: the store `config` names, as its local user.
// Refused with --auth jwt, `flag` naming where `instead` says to go. read_only takes no
// writer lock (it works beside a running server), and then the local user must exist.
struct LocalStore {
  std::unique_ptr<memory::SqliteStore> store;
  memory::Scope scope;
};
Result<LocalStore> open_local_store(const Config& config, bool read_only, std::string_view flag,
                                    std::string_view instead);

}  // namespace redcell
