#pragma once
// A thin layer over SQLite's C API for memory/sqlite only: a connection with a cache of
// prepared statements, and statements that bind and read by position. Errors come back as
// Result values with SQLite's message; nothing throws.
// (SQLiteCpp would throw and hide the statement cache and open flags this store tunes.)

#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"
#include "common/id.hpp"
#include "common/time.hpp"

namespace redcell::memory::sqlite {

class Statement {
 public:
  explicit Statement(sqlite3_stmt* stmt) : stmt_(stmt) {}
  Statement(const Statement&) = delete;
  ~Statement() { sqlite3_finalize(stmt_); }

  // Binds by 1-based position; an empty optional or nullptr binds NULL.
  // A UUID in canonical form is bound as its 16 bytes (ids are stored that way: a third of
  // the bytes, in rows and every index), and text() reads a 16-byte blob back as that
  // same string, so any text round-trips exactly and equal strings still compare equal.
  void bind(int i, std::string_view v) { bind_string(i, v, SQLITE_TRANSIENT); }
  void bind(int i, const std::string& v) { bind(i, std::string_view(v)); }
  // Always text: for a value SQL compares with text it computes (json_each's values).
  void bind_text(int i, std::string_view v) {
    sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  }
  // Binds without copying: v must stay alive and unchanged until the statement is reset
  // (reset() clears the bindings). For rows bound and stepped one by one from records the
  // caller holds; a temporary cannot be passed.
  void bind_borrowed(int i, const std::string& v) { bind_string(i, v, SQLITE_STATIC); }
  void bind_borrowed(int i, std::string&&) = delete;
  void bind(int i, const char* v) { bind(i, std::string_view(v)); }
  void bind(int i, std::int64_t v) { sqlite3_bind_int64(stmt_, i, v); }
  void bind(int i, int v) { sqlite3_bind_int64(stmt_, i, v); }
  void bind(int i, double v) { sqlite3_bind_double(stmt_, i, v); }
  void bind(int i, std::nullptr_t) { sqlite3_bind_null(stmt_, i); }
  void bind(int i, TimePoint t) { bind(i, format_time(t)); }
  template <class T>
  void bind(int i, const std::optional<T>& v) {
    if (v)
      bind(i, *v);
    else
      bind(i, nullptr);
  }
  // "" binds NULL: for optional references such as target_id.
  void bind_or_null(int i, const std::string& v) {
    if (v.empty())
      bind(i, nullptr);
    else
      bind(i, v);
  }

  // true: a row is ready; false: done.
  Result<bool> step();
  Result<void> run();  // steps to the end, expecting no rows
  void reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }

  bool is_null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  std::string text(int col) const {
    if (sqlite3_column_type(stmt_, col) == SQLITE_BLOB && sqlite3_column_bytes(stmt_, col) == 16)
      return uuid_text(static_cast<const std::uint8_t*>(sqlite3_column_blob(stmt_, col)));
    auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
    return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col)))
             : std::string();
  }
  std::int64_t int64(int col) const { return sqlite3_column_int64(stmt_, col); }
  double real(int col) const { return sqlite3_column_double(stmt_, col); }
  TimePoint time(int col) const;
  std::optional<std::string> opt_text(int col) const {
    return is_null(col) ? std::nullopt : std::optional(text(col));
  }
  std::optional<std::int64_t> opt_int64(int col) const {
    return is_null(col) ? std::nullopt : std::optional(int64(col));
  }
  std::optional<double> opt_real(int col) const {
    return is_null(col) ? std::nullopt : std::optional(real(col));
  }

 private:
  // A UUID as its 16 bytes (always copied: they live on this stack), other text as text,
  // copied or borrowed as `text_lifetime` says.
  void bind_string(int i, std::string_view v, sqlite3_destructor_type text_lifetime) {
    if (auto id = uuid_bytes(v))
      sqlite3_bind_blob(stmt_, i, id->data(), 16, SQLITE_TRANSIENT);
    else
      sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), text_lifetime);
  }

  sqlite3_stmt* stmt_;
};

// One connection, used by one thread at a time.
class Connection {
 public:
  static Result<std::unique_ptr<Connection>> open(const std::filesystem::path& path, int flags);
  ~Connection();

  Result<void> exec(const std::string& sql);
  // A cached statement, reset and ready to bind; valid until the connection closes.
  Result<Statement*> prepare(const std::string& sql);
  Error error(std::string_view what) const;
  sqlite3* handle() const { return db_; }
  std::int64_t changes() const { return sqlite3_changes64(db_); }
  std::size_t cached_statements() const { return cache_.size(); }

 private:
  explicit Connection(sqlite3* db) : db_(db) {}
  sqlite3* db_;
  std::map<std::string, std::unique_ptr<Statement>, std::less<>> cache_;
};

// Resets a cached statement when the scope ends, so it never holds a read snapshot open.
struct StatementReset {
  Statement* s;
  ~StatementReset() { s->reset(); }
};

// Steps a bound statement to its end and collects column 0 of each row as text; resets it.
Result<std::vector<std::string>> first_column(Statement& st);

}  // namespace redcell::memory::sqlite
