#pragma once
// An execution's report (src/report/) built from the store: GET
// /api/v1/executions/{id}/report?format= and `redcell report` read the same input.

#include <string>

#include "common/error.hpp"
#include "http/server/router.hpp"
#include "memory/store.hpp"
#include "report/report.hpp"

namespace redcell::api {

// Every finished work item of the caller's execution, with its prompt (from the seed
// prompt), what was sent, the reply, its scores and verdict; at most 100,000 of them.
Result<report::Input> report_input(memory::Store& store, const memory::Scope& scope,
                                   const std::string& execution_id);

}  // namespace redcell::api
