// `redcell db migrate|check|backup FILE|restore FILE`.
// check and backup only read, so they work while a server holds the store; migrate and
// restore need the writer lock and name the holder when they cannot have it.

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <iostream>

#include "app/commands.hpp"
#include "app/open_store.hpp"
#include "app/settings.hpp"
#include "common/files.hpp"
#include "memory/sqlite/writer_lock.hpp"

namespace redcell {

namespace fs = std::filesystem;

namespace {

int report_error(std::string_view action, const Error& e) {
  std::cerr << "redcell db " << action << ": " << e.message() << "\n";
  return 1;
}

int print_check(const StoreUrl& url) {
  auto store = open_store(url, true);
  if (!store) return report_error("check", store.error());
  auto r = (*store)->check();
  if (!r) return report_error("check", r.error());
  std::cout << "store:      " << url.str() << "\n"
            << "schema:     " << r->schema_version << " (this redcell knows "
            << r->known_schema_version << ")\n"
            << "integrity:  " << r->integrity << "\n";
  if (auto h = memory::WriterLock::holder(url.path))
    std::cout << "writer:     pid " << h->pid
              << (h->listen_url.empty() ? std::string() : " (server at " + h->listen_url + ")")
              << "\n";
  std::cout << (r->ok ? "ok" : "FAILED") << "\n";
  return r->ok ? 0 : 1;
}

Result<void> fsync_file(const fs::path& p) {
  int fd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 || ::fsync(fd) != 0) {
    if (fd >= 0) ::close(fd);
    return fail(Error(ErrorCode::unavailable, "cannot sync " + p.string()));
  }
  ::close(fd);
  return {};
}

int restore(const StoreUrl& target, const fs::path& file) {
  StoreUrl source;
  source.path = file;
  {
    auto src = open_store(source, true);
    if (!src) return report_error("restore", src.error());
    auto r = (*src)->check();
    if (!r) return report_error("restore", r.error());
    if (r->integrity != "ok")
      return report_error("restore", Error(ErrorCode::invalid_argument,
                                           "the backup " + file.string() +
                                               " fails its integrity check: " + r->integrity +
                                               "; the store was not changed"));
  }
  {
    std::error_code ec;
    if (auto made = create_private_directories(target.path.parent_path()); !made)
      return report_error("restore", made.error());
    auto lock = memory::WriterLock::acquire(target.path);
    if (!lock) return report_error("restore", lock.error());
    fs::path tmp = target.path.string() + ".restoring";
    fs::copy_file(file, tmp, fs::copy_options::overwrite_existing, ec);
    if (ec)
      return report_error("restore",
                          Error(ErrorCode::unavailable, "cannot copy the backup: " + ec.message()));
    if (auto ok = fsync_file(tmp); !ok) return report_error("restore", ok.error());
    // The old WAL belongs to the old database: it must never be replayed onto the new one.
    fs::remove(target.path.string() + "-wal", ec);
    fs::remove(target.path.string() + "-shm", ec);
    fs::rename(tmp, target.path, ec);
    if (ec)
      return report_error("restore",
                          Error(ErrorCode::unavailable,
                                "cannot move the restored store into place: " + ec.message()));
  }
  {
    auto opened = open_store(target, false);  // applies any newer migrations
    if (!opened) return report_error("restore", opened.error());
  }
  std::cout << "restored " << target.str() << " from " << file.string() << "\n";
  return print_check(target);
}

}  // namespace

int run_db(const Config& config, const std::string& action, const std::string& file_arg) {
  auto settings = parse_serve_settings(config, process_env(), fs::current_path());
  if (!settings) return report_error(action, settings.error());
  const StoreUrl& url = settings->store;
  if (url.kind != StoreUrl::Kind::sqlite)
    return report_error(action, Error(ErrorCode::invalid_argument,
                                      "redcell db works on sqlite:// stores in this build"));
  fs::path file = file_arg.empty() ? fs::path() : fs::absolute(file_arg).lexically_normal();

  if (action == "check") return print_check(url);
  if (action == "migrate") {
    auto store = open_store(url, false);
    if (!store) return report_error(action, store.error());
    std::cout << "store " << url.str() << " is at schema version "
              << (*store)->stats().schema_version << "\n";
    return 0;
  }
  if (action == "backup") {
    auto store = open_store(url, true);
    if (!store) return report_error(action, store.error());
    if (auto ok = (*store)->backup_to(file); !ok) return report_error(action, ok.error());
    std::cout << "backup written to " << file.string() << " (" << fs::file_size(file)
              << " bytes)\n";
    StoreUrl copy;
    copy.path = file;
    return print_check(copy);
  }
  if (action == "restore") return restore(url, file);
  return report_error(action, Error(ErrorCode::invalid_argument, "unknown action"));
}

}  // namespace redcell
