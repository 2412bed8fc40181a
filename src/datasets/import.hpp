#pragma once
// Reading a dataset file into seed prompts: PyRIT's seed-prompt YAML, its jailbreak templates
// and harm definitions, many-shot example files, CSV, JSON Lines and plain text. All or
// nothing: the first problem fails the whole file, naming its line and field, and nothing
// is returned. Writing a dataset back out as JSON Lines or PyRIT YAML (export.cpp).

#include <boost/json/value.hpp>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"
#include "memory/records.hpp"
#include "memory/store.hpp"

namespace redcell::datasets {

enum class Format { pyrit_yaml, jailbreak_template, harm_definition, many_shot, csv, jsonl, text };

std::string_view to_string(Format f);
std::optional<Format> format_from_string(std::string_view s);
// "pyrit_yaml, jailbreak_template, ..." for error messages and help.
std::string format_names();

// Which CSV column or JSON Lines field holds what. Empty: the usual names are tried
// ("value", "prompt", "text", "goal", "question"; "harm_categories", "category").
struct FieldMapping {
  std::string value;
  std::string harm_categories;
  std::string data_type;
};

struct ImportOptions {
  std::optional<Format> format;  // detected from the file name and content when empty
  std::string filename;          // for detection and the default dataset name
  FieldMapping mapping;
  std::size_t max_prompts = 1'000'000;
};

struct ImportedDataset {
  Format format = Format::text;
  std::string name;  // the file's own (dataset_name, name, category), else the file's stem
  std::string description;
  std::vector<std::string> fields;  // the columns, fields or keys the file has
  std::vector<memory::SeedPrompt> prompts;
};

// Caps every importer applies to each prompt.
inline constexpr std::size_t kMaxValueBytes = 1'000'000;
inline constexpr std::size_t kMaxHarmCategories = 100;
inline constexpr std::size_t kMaxHarmCategoryBytes = 1000;

// A field of PyRIT's seed (besides value): kept in a prompt's metadata under this name.
bool is_pyrit_seed_field(std::string_view name);

// invalid_argument naming the line (and field) of the first problem.
Result<ImportedDataset> import_dataset(std::string_view bytes, const ImportOptions& options);

// An import file read from disk in batches: JSON Lines and text line by line, so memory holds
// one batch whatever the file's size (a line holds at most 4 MiB); the other formats are
// read whole, as import_dataset reads them. The same checks and errors as import_dataset.
class ImportFile {
 public:
  static Result<ImportFile> open(const std::filesystem::path& path, const ImportOptions& options);
  ImportFile(ImportFile&&) noexcept;
  ImportFile& operator=(ImportFile&&) noexcept;
  ~ImportFile();

  // Appends up to `max` more prompts to `batch`; false once the file holds no more.
  Result<bool> next(std::vector<memory::SeedPrompt>& batch, std::size_t max);
  Format format() const;
  const std::string& name() const;
  const std::string& description() const;
  std::vector<std::string> fields() const;  // those seen so far

 private:
  struct State;
  explicit ImportFile(std::unique_ptr<State> s);
  std::unique_ptr<State> s_;
};

// Prompts per batch when a file is read in batches (ImportFile::next).
inline constexpr std::size_t kImportBatch = 2000;

// What a first pass over a file finds: every prompt checked and counted, the first `keep`
// kept for a preview; nothing more is held than one batch (and, for a format that is not
// read line by line, the file).
struct FileSummary {
  Format format = Format::text;
  std::string name, description;
  std::vector<std::string> fields;
  std::size_t count = 0;
  std::vector<memory::SeedPrompt> first;
};
Result<FileSummary> check_file(const std::filesystem::path& path, const ImportOptions& options,
                               std::size_t keep);

// The prompts to store (Store::add_dataset_streamed's source): `whole`'s in one batch when
// there is one (a starter, a body held in memory; it must outlive the store call), else the
// file at `path` read again, kImportBatch at a time.
Result<memory::DefinitionRepository::PromptSource> prompt_source(
    std::optional<ImportedDataset>& whole, const std::filesystem::path& path,
    const ImportOptions& options);

// A plain (unquoted) YAML scalar typed as PyYAML (YAML 1.1) reads it: null, true/yes/on,
// false/no/off, integers, decimals; anything else stays text.
boost::json::value plain_scalar(const std::string& s);

enum class ExportFormat { jsonl, pyrit_yaml };
std::optional<ExportFormat> export_format_from_string(std::string_view s);

// Importing the output gives back the same prompts (value, data_type, harm_categories,
// metadata) in the same order.
std::string export_dataset(const memory::Dataset& dataset,
                           const std::vector<memory::SeedPrompt>& prompts, ExportFormat format);

// Every prompt of one version of the scope's dataset, page by page from the store (what an
// export writes).
Result<std::vector<memory::SeedPrompt>> read_prompts(memory::Store& store,
                                                     const memory::Scope& scope,
                                                     const memory::Dataset& dataset);

}  // namespace redcell::datasets
