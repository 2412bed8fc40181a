#pragma once
// The SQLite store's writer lock, held for the life of the one process that may write the
// store and released by the kernel when that process dies (so a crash never leaves a stale
// lock): an flock(2) on the store file itself, which any path to it (a symlink, a hard
// link) meets, and one on "<real path>.lock", a file that records the holder's pid and,
// for a server, its listen URL, so a second process can say who holds the store and where
// to reach it. The store file is created here, 0600, before SQLite opens it (SQLite gives
// its WAL and shared-memory files the same mode).
//
// The descriptor on the store file stays open until the lock is destroyed, after the
// store's connections: closing any descriptor of a file drops the process's POSIX locks
// on it, which SQLite holds.

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
  // The store's real path (symlinks resolved): what the connections open.
  const std::filesystem::path& store_path() const { return store_path_; }

 private:
  WriterLock(int fd, int store_fd, std::filesystem::path path, std::filesystem::path store)
      : fd_(fd), store_fd_(store_fd), path_(std::move(path)), store_path_(std::move(store)) {}
  Result<void> write_contents(const std::string& listen_url);
  int fd_ = -1;
  int store_fd_ = -1;
  std::filesystem::path path_;
  std::filesystem::path store_path_;
};

// The path with every symlink that exists resolved (the lock file lives beside it).
std::filesystem::path real_store_path(const std::filesystem::path& db_path);

std::filesystem::path lock_path_for(const std::filesystem::path& db_path);

}  // namespace redcell::memory
