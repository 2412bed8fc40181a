#pragma once
// Starter datasets written by us and shipped in the binary (data/datasets/*.prompt, PyRIT's
// seed-prompt format, embedded at build time), so a first scan needs no files: harm
// categories, refusal probes, prompt-injection probes and encoding probes.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace redcell::datasets {

struct StarterDataset {
  std::string_view name;  // "harm_categories", "refusal_probes", ...
  std::string_view file;  // its PyRIT YAML, for import_dataset
};

const std::vector<StarterDataset>& starter_datasets();

// What each starter dataset is, read from its own file once (a unit test keeps every one
// importable; one that is not would be left out).
struct StarterSummary {
  std::string_view name;
  std::string dataset_name;
  std::string description;
  std::size_t count = 0;
};
const std::vector<StarterSummary>& starter_summaries();
std::optional<StarterDataset> starter_dataset(std::string_view name);

}  // namespace redcell::datasets
