#pragma once
// Jailbreak templates kept in the store: a text_jailbreak step may name a dataset holding a
// template (a PyRIT jailbreak template imports as a one-prompt dataset) with
// {"template_dataset": ID} instead of giving the text. The server reads the caller's
// dataset and writes its text into the step as "template", so a definition keeps the text it
// ran with even if the dataset changes later. Another user's dataset reads as unknown.

#include <boost/json/value.hpp>
#include <string>

#include "common/error.hpp"
#include "memory/store.hpp"

namespace redcell::api {

// Whether any step of `chain` (an array of {"type", "params"}) names a stored template.
bool names_stored_template(const boost::json::value& chain);

// Resolves every such step of `chain` in place; `at` is the chain's JSON Pointer.
Result<void> resolve_stored_templates(memory::Store& store, const memory::Scope& scope,
                                      boost::json::value& chain, const std::string& at);

}  // namespace redcell::api
