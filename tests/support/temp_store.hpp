#pragma once
// A SQLite store in a fresh temporary directory, removed with it: for tests that need a
// real store but are not about opening one.

#include <stdlib.h>

#include <filesystem>
#include <memory>

#include "common/store_url.hpp"
#include "memory/sqlite/sqlite_store.hpp"

namespace redcell::testing_support {

struct TempStore {
  std::filesystem::path dir;
  std::unique_ptr<memory::SqliteStore> store;

  TempStore() {
    char tmpl[] = "/tmp/redcell-test-XXXXXX";
    dir = mkdtemp(tmpl);
    StoreUrl url;
    url.path = dir / "s.db";
    store = std::move(*memory::SqliteStore::open(url));
  }
  ~TempStore() {
    store.reset();
    std::filesystem::remove_all(dir);
  }
  TempStore(const TempStore&) = delete;
  TempStore& operator=(const TempStore&) = delete;
};

}  // namespace redcell::testing_support
