#pragma once
// The subcommands' entry points; main() parses the command line and calls one.

#include <string>

#include "common/config.hpp"

namespace redcell {

int run_serve(const Config& config);
int run_doctor(const Config& config, bool json);
// action: migrate | check | backup | restore; file for backup and restore.
int run_db(const Config& config, const std::string& action, const std::string& file);

}  // namespace redcell
