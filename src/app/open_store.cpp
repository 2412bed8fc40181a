#include "app/open_store.hpp"

namespace redcell {

Result<std::unique_ptr<memory::SqliteStore>> open_store(const StoreUrl& url, bool read_only) {
  if (url.kind == StoreUrl::Kind::postgresql)
    return fail(Error(ErrorCode::invalid_argument,
                      "PostgreSQL stores are not in this build yet; use a sqlite:// store",
                      ErrorDetails{"--db", boost::json::value(url.str()), "a sqlite:// URL"}));
  memory::SqliteOptions opts;
  opts.read_only = read_only;
  return memory::SqliteStore::open(url, opts);
}

}  // namespace redcell
