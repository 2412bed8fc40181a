#include "common/files.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace redcell {

namespace fs = std::filesystem;

Result<void> create_private_directories(const fs::path& dir) {
  std::vector<fs::path> missing;
  std::error_code ec;
  for (fs::path p = dir; !p.empty() && !fs::exists(p, ec); p = p.parent_path()) {
    missing.push_back(p);
    if (p == p.parent_path()) break;
  }
  for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
    // mkdir's mode is masked by the umask, which can only take bits away from 0700.
    if (::mkdir(it->c_str(), 0700) != 0 && errno != EEXIST)
      return fail(Error(ErrorCode::unavailable, "cannot create the directory " + it->string() +
                                                    ": " + std::strerror(errno)));
  }
  return {};
}

}  // namespace redcell
