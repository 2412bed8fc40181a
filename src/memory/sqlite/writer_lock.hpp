#pragma once
// The SQLite store's writer lock: an flock(2) on "<db>.lock", held for the life of the one
// process that may write the store, released by the kernel when that process dies (so a
// crash never leaves a stale lock). The file records the holder's pid and, for a server,
// its listen URL, so a second process can say who holds the store and where to reach it.

#include <filesystem>
#include <optional>
#include <string>

#include "common/error.hpp"

namespace redcell::memory {

class WriterLock {
 public:
  struct Holder {
    long pid = 0;
    std::string listen_url;  // empty when the holder is not a server
    std::string started_at;
  };

  // Fails with `conflict` naming the holder when another process has the lock.
  static Result<WriterLock> acquire(const std::filesystem::path& db_path);
  // The holder, when some live process holds the lock for this store.
  static std::optional<Holder> holder(const std::filesystem::path& db_path);

  WriterLock(WriterLock&& other) noexcept;
  WriterLock& operator=(WriterLock&&) = delete;
  ~WriterLock();

  Result<void> set_listen_url(const std::string& url);

 private:
  WriterLock(int fd, std::filesystem::path path) : fd_(fd), path_(std::move(path)) {}
  Result<void> write_contents(const std::string& listen_url);
  int fd_ = -1;
  std::filesystem::path path_;
};

std::filesystem::path lock_path_for(const std::filesystem::path& db_path);

}  // namespace redcell::memory
