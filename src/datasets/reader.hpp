#pragma once
// What the importers share (internal to datasets/): errors that name the line, the caps on
// each prompt, and one reader per family of formats.

#include <boost/json/value.hpp>
#include <memory>
#include <string>
#include <string_view>

#include "datasets/import.hpp"

namespace redcell::datasets::detail {

// invalid_argument: "line 12, /seeds/3/harm_categories: expected ...". `pointer` names the
// place in the file's own structure (JSON Pointer); details.field is "/file" + pointer.
Error at_line(std::size_t line, const std::string& pointer, std::optional<boost::json::value> value,
              const std::string& expected);

// The per-prompt caps (value size, harm categories) and the prompt count.
Result<void> check_prompt(const memory::SeedPrompt& p, std::size_t line,
                          const std::string& pointer);
Result<void> check_count(std::size_t count, const ImportOptions& options, std::size_t line);

// 1-based line of byte `offset`.
std::size_t line_of(std::string_view text, std::size_t offset);

// YAML: pyrit_yaml, jailbreak_template, harm_definition (yaml.cpp).
Result<ImportedDataset> read_yaml(std::string_view bytes, std::optional<Format> format,
                                  const ImportOptions& options);
// JSON Lines or text, one line at a time (`line` is its 1-based number): what read_jsonl and
// read_text do over a buffer, and ImportFile over a file too large to hold.
class LineImporter {
 public:
  virtual ~LineImporter() = default;
  virtual Format format() const = 0;
  virtual std::vector<std::string> fields() const = 0;  // the fields seen so far
  virtual Result<void> add(std::size_t line, std::string_view text,
                           std::vector<memory::SeedPrompt>& out) = 0;
};
std::unique_ptr<LineImporter> line_importer(Format format, const ImportOptions& options);

// many_shot, csv, jsonl, text (tabular.cpp).
Result<ImportedDataset> read_many_shot(std::string_view bytes, const ImportOptions& options);
Result<ImportedDataset> read_csv(std::string_view bytes, const ImportOptions& options);
Result<ImportedDataset> read_jsonl(std::string_view bytes, const ImportOptions& options);
Result<ImportedDataset> read_text(std::string_view bytes, const ImportOptions& options);

}  // namespace redcell::datasets::detail
