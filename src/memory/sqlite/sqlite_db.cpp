#include "memory/sqlite/sqlite_db.hpp"

namespace redcell::memory::sqlite {

Result<bool> Statement::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  sqlite3* db = sqlite3_db_handle(stmt_);
  auto code = rc == SQLITE_CONSTRAINT || (rc & 0xff) == SQLITE_CONSTRAINT ? ErrorCode::conflict
                                                                          : ErrorCode::internal;
  return fail(Error(code, std::string("store: ") + sqlite3_errmsg(db)));
}

Result<void> Statement::run() {
  for (;;) {
    auto r = step();
    if (!r) return fail(r.error());
    if (!*r) return {};
  }
}

Result<std::vector<std::string>> first_column(Statement& st) {
  StatementReset reset{&st};
  std::vector<std::string> out;
  for (;;) {
    auto row = st.step();
    if (!row) return fail(row.error());
    if (!*row) return out;
    out.push_back(st.text(0));
  }
}

TimePoint Statement::time(int col) const {
  auto t = parse_time(text(col));
  return t ? *t : TimePoint{};
}

Result<std::unique_ptr<Connection>> Connection::open(const std::filesystem::path& path, int flags) {
  // Memory statistics take a global mutex on every allocation; nothing here reads them.
  // sqlite3_config only works before SQLite initializes, hence once, before the first open.
  static const bool configured = [] {
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    return true;
  }();
  (void)configured;
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db, flags | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close_v2(db);
    return fail(
        Error(ErrorCode::unavailable, "cannot open the store " + path.string() + ": " + msg));
  }
  sqlite3_extended_result_codes(db, 1);
  return std::unique_ptr<Connection>(new Connection(db));
}

Connection::~Connection() {
  cache_.clear();
  sqlite3_close_v2(db_);
}

Result<void> Connection::exec(const std::string& sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : sqlite3_errmsg(db_);
    sqlite3_free(err);
    return fail(Error(ErrorCode::internal, "store: " + msg));
  }
  return {};
}

Result<Statement*> Connection::prepare(const std::string& sql) {
  if (auto it = cache_.find(sql); it != cache_.end()) {
    it->second->reset();
    return it->second.get();
  }
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                         &stmt, nullptr) != SQLITE_OK)
    return fail(error("prepare"));
  auto [it, _] = cache_.emplace(sql, std::make_unique<Statement>(stmt));
  return it->second.get();
}

Error Connection::error(std::string_view what) const {
  return Error(ErrorCode::internal, "store: " + std::string(what) + ": " + sqlite3_errmsg(db_));
}

}  // namespace redcell::memory::sqlite
