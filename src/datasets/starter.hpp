#pragma once
// Starter datasets written by us and shipped in the binary (data/datasets/*.prompt, PyRIT's
// seed-prompt format, embedded at build time), so a first scan needs no files: harm
// categories, refusal probes, prompt-injection probes and encoding probes.

#include <optional>
#include <string_view>
#include <vector>

namespace redcell::datasets {

struct StarterDataset {
  std::string_view name;  // "harm_categories", "refusal_probes", ...
  std::string_view file;  // its PyRIT YAML, for import_dataset
};

const std::vector<StarterDataset>& starter_datasets();
std::optional<StarterDataset> starter_dataset(std::string_view name);

}  // namespace redcell::datasets
