#pragma once
// The subcommands' entry points; main() parses the command line and calls one.

#include "common/config.hpp"

namespace redcell {

int run_serve(const Config& config);
int run_doctor(const Config& config, bool json);

}  // namespace redcell
