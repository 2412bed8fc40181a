#include "memory/sqlite/write_batch.hpp"

#include <optional>

#include "common/log.hpp"
#include "memory/sqlite/sqlite_db.hpp"

namespace redcell::memory::sqlite {

namespace {

Result<void> step_sql(Connection& c, const char* sql) {
  auto st = c.prepare(sql);
  if (!st) return fail(st.error());
  return (*st)->run();
}

void fail_all(Connection& c, std::vector<WriteTask>& batch, const Error& why) {
  (void)c.exec("ROLLBACK");  // may fail when the transaction already ended: nothing to undo
  log::error("store_write_failed", {{"error", why.message()}, {"writes", batch.size()}});
  for (auto& t : batch) t.finish(&why);
}

}  // namespace

bool run_write_batch(Connection& writer, std::vector<WriteTask>& batch,
                     const std::function<void()>& committed) {
  if (auto begin = step_sql(writer, "BEGIN IMMEDIATE"); !begin) {
    log::error("store_write_failed", {{"error", begin.error().message()}});
    for (auto& t : batch) t.finish(&begin.error());
    return false;
  }
  for (auto& t : batch) {
    if (auto sp = step_sql(writer, "SAVEPOINT write"); !sp) {
      fail_all(writer, batch,
               Error(ErrorCode::internal, "opening a savepoint failed: " + sp.error().message()));
      return false;
    }
    bool ok = false;
    try {
      ok = t.apply(writer);
    } catch (const std::exception& e) {
      log::error("store_write_exception", {{"what", e.what()}});
    }
    if (!ok)
      if (auto rb = step_sql(writer, "ROLLBACK TO write"); !rb) {
        fail_all(writer, batch,
                 Error(ErrorCode::internal,
                       "rolling back a failed write failed: " + rb.error().message()));
        return false;
      }
    if (auto rel = step_sql(writer, "RELEASE write"); !rel) {
      fail_all(
          writer, batch,
          Error(ErrorCode::internal, "releasing a savepoint failed: " + rel.error().message()));
      return false;
    }
  }
  if (auto commit = step_sql(writer, "COMMIT"); !commit) {
    fail_all(writer, batch, commit.error());
    return false;
  }
  if (committed) committed();
  for (auto& t : batch) t.finish(nullptr);
  return true;
}

}  // namespace redcell::memory::sqlite
