#pragma once
// Creating redcell's own directories: each one that is missing is created 0700 (owner
// only); a directory that already exists keeps its mode, whoever made it, so pointing
// --db at /tmp/x.db never touches /tmp.

#include <filesystem>

#include "common/error.hpp"

namespace redcell {

Result<void> create_private_directories(const std::filesystem::path& dir);

}  // namespace redcell
