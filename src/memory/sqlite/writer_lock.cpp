#include "memory/sqlite/writer_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cerrno>
#include <cstring>

#include "common/clock.hpp"
#include "common/time.hpp"

namespace redcell::memory {

namespace fs = std::filesystem;

fs::path real_store_path(const fs::path& db_path) {
  std::error_code ec;
  auto real = fs::weakly_canonical(db_path, ec);
  return ec ? db_path : real;
}

fs::path lock_path_for(const fs::path& db_path) {
  return fs::path(real_store_path(db_path).string() + ".lock");
}

namespace {

std::optional<WriterLock::Holder> read_holder_file(int fd) {
  char buf[4096];
  auto n = pread(fd, buf, sizeof buf - 1, 0);
  WriterLock::Holder h;
  if (n <= 0) return h;
  boost::system::error_code ec;
  auto doc = boost::json::parse(std::string_view(buf, static_cast<std::size_t>(n)), ec);
  if (ec || !doc.is_object()) return h;
  auto& o = doc.as_object();
  if (auto* p = o.if_contains("pid"); p && p->is_int64()) h.pid = static_cast<long>(p->as_int64());
  if (auto* u = o.if_contains("listen_url"); u && u->is_string()) h.listen_url = u->as_string();
  if (auto* s = o.if_contains("started_at"); s && s->is_string()) h.started_at = s->as_string();
  return h;
}

Error held_error(const fs::path& db_path, const WriterLock::Holder& h) {
  std::string msg = "the store " + db_path.string() + " is in use by another redcell process";
  if (h.pid) msg += " (pid " + std::to_string(h.pid) + ")";
  if (!h.listen_url.empty())
    msg += ", a server at " + h.listen_url + ": use its API, or stop it first";
  else
    msg += ": wait for it to finish, or stop it";
  return Error(ErrorCode::conflict, msg,
               ErrorDetails{"--db", boost::json::value(db_path.string()),
                            "a store no other redcell process is writing"});
}

}  // namespace

Result<WriterLock> WriterLock::acquire(const fs::path& db_path) {
  const auto store = real_store_path(db_path);
  auto path = lock_path_for(db_path);
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0)
    return fail(Error(ErrorCode::unavailable,
                      "cannot open the lock file " + path.string() + ": " + std::strerror(errno)));
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    auto h = read_holder_file(fd);
    ::close(fd);
    return fail(held_error(db_path, h.value_or(Holder{})));
  }
  int store_fd = ::open(store.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOCTTY, 0600);
  if (store_fd < 0) {
    const int err = errno;
    ::close(fd);
    return fail(Error(ErrorCode::unavailable,
                      "cannot open the store " + store.string() + ": " + std::strerror(err)));
  }
  if (flock(store_fd, LOCK_EX | LOCK_NB) != 0) {
    // Another process writes this very file through another name (a hard link).
    ::close(store_fd);
    ::close(fd);
    return fail(Error(ErrorCode::conflict,
                      "the store " + db_path.string() +
                          " is in use by another redcell process that opened it through "
                          "another path (a hard link to the same file): stop it first",
                      ErrorDetails{"--db", boost::json::value(db_path.string()),
                                   "a store no other redcell process is writing"}));
  }
  WriterLock lock(fd, store_fd, path, store);
  if (auto ok = lock.write_contents(""); !ok) return fail(ok.error());
  return lock;
}

std::optional<WriterLock::Holder> WriterLock::holder(const fs::path& db_path) {
  auto path = lock_path_for(db_path);
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  std::optional<Holder> out;
  if (flock(fd, LOCK_SH | LOCK_NB) != 0) {
    out = read_holder_file(fd);
  } else {
    flock(fd, LOCK_UN);
  }
  ::close(fd);
  return out;
}

WriterLock::WriterLock(WriterLock&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      store_fd_(std::exchange(other.store_fd_, -1)),
      path_(std::move(other.path_)),
      store_path_(std::move(other.store_path_)) {}

WriterLock::~WriterLock() {
  if (store_fd_ >= 0) ::close(store_fd_);  // closing releases the flocks
  if (fd_ >= 0) ::close(fd_);
}

Result<void> WriterLock::set_listen_url(const std::string& url) {
  return write_contents(url);
}

Result<void> WriterLock::write_contents(const std::string& listen_url) {
  boost::json::object doc{{"pid", static_cast<std::int64_t>(getpid())},
                          {"listen_url", listen_url},
                          {"started_at", format_time(SystemClock::instance().now())}};
  auto text = boost::json::serialize(doc);
  if (ftruncate(fd_, 0) != 0 ||
      pwrite(fd_, text.data(), text.size(), 0) != static_cast<ssize_t>(text.size()))
    return fail(Error(ErrorCode::unavailable, "cannot write the lock file " + path_.string() +
                                                  ": " + std::strerror(errno)));
  return {};
}

}  // namespace redcell::memory
