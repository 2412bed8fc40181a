#pragma once
// One group commit of the SQLite writer: every queued write runs in its own SAVEPOINT inside
// one BEGIN IMMEDIATE ... COMMIT, so a failing write rolls back alone and the rest commit.
// A write is acknowledged only when what it did is committed: if a savepoint cannot be
// opened, rolled back or released, the transaction's state is in doubt, so the whole batch
// is rolled back and every write in it fails with that reason.

#include <functional>
#include <vector>

#include "common/error.hpp"

namespace redcell::memory::sqlite {

class Connection;

struct WriteTask {
  std::function<bool(Connection&)> apply;    // false: this write failed alone
  std::function<void(const Error*)> finish;  // after the commit (or with why it failed)
};

// Returns true when the batch committed. `finish` of every task is called exactly once;
// `committed` (when given) runs after the commit and before any `finish`, so what it
// records (the store's figures) is visible to whoever a finished write wakes.
bool run_write_batch(Connection& writer, std::vector<WriteTask>& batch,
                     const std::function<void()>& committed = {});

}  // namespace redcell::memory::sqlite
