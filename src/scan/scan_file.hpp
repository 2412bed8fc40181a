#pragma once
// A scan file (`redcell scan FILE.yaml`): the targets, datasets, converter chains, scorers,
// budget, gates and reports of one execution, read and checked before anything is sent.
// `${NAME}` and `${NAME:-default}` expand from the environment in every value; an unset
// variable without a default is an error naming its line. Every error is invalid_argument
// with details.field "/scan" plus a JSON Pointer into the file, and a message that starts
// "FILE:LINE: ".

#include <boost/json/object.hpp>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/env.hpp"
#include "common/error.hpp"
#include "datasets/import.hpp"

namespace redcell::scan {

inline constexpr std::size_t kMaxScanFileBytes = 1u << 20;
// A dataset file a scan reads: the server's default import limit (`serve
// --max-import-bytes`), checked before the file is read, so a wrong path to a huge file
// is refused at its line instead of filling the scan's memory.
inline constexpr std::uintmax_t kMaxDatasetFileBytes = 100u << 20;
inline constexpr std::string_view kMaxDatasetFileText = "100 MiB";

// A target the scan uses, under its key in `targets:`. With only `id`, a stored target;
// with only `name`, the stored target of that name; otherwise a full target body (as
// POST /api/v1/targets takes it) that is created, or updated when one of its name exists.
struct TargetEntry {
  std::string key;
  std::string id;
  std::string name;
  boost::json::object body;  // empty for a stored target
  std::string pointer;       // "/targets/KEY"
};

// One entry of `datasets:`: a starter dataset, a file (relative to the scan file), or a
// stored dataset by id.
struct DatasetEntry {
  enum class Kind { starter, file, stored };
  Kind kind = Kind::starter;
  std::string ref;             // the starter's name, the file's path as written, the id
  std::string name;            // the stored dataset's name (starter and file)
  std::filesystem::path path;  // the file, resolved
  std::optional<int> version;  // stored
  datasets::ImportOptions options;
  std::string pointer;  // "/datasets/N"
};

// The scan fails (exit 1) when any gate is reached: at least this attack success rate
// (of decided attempts), risk score (0-10) or number of successful attacks.
struct Gates {
  std::optional<double> success_rate;
  std::optional<double> risk;
  std::optional<std::int64_t> achieved;
  bool any() const { return success_rate || risk || achieved; }
};

struct ReportEntry {
  std::string format;
  std::filesystem::path output;  // resolved against the scan file's directory
  std::string pointer;
};

struct ScanFile {
  std::filesystem::path path;
  std::string name;
  std::vector<TargetEntry> targets;
  std::string target;              // the key of the target attacked
  std::string adversarial_target;  // red_teaming, crescendo: the key of the attacker, or ""
  std::vector<DatasetEntry> datasets;
  // The orchestrator's other members as given (type, converter_chains, scorers,
  // objective_scorer, attempts, system_prompt, prepended_conversation, budget,
  // max_in_flight, max_turns, seed, labels). A `target_id` anywhere inside that names a key
  // of `targets:` is that target once it is stored.
  boost::json::object orchestrator;
  Gates gates;
  std::vector<ReportEntry> reports;
  std::vector<std::string> secrets;  // every value an ${ENV} gave: never printed
  std::map<std::string, std::size_t, std::less<>> lines;  // JSON Pointer -> 1-based line

  // "FILE:LINE" for the deepest known node on `pointer`'s path.
  std::string where(std::string_view pointer) const;
  // An error about `pointer` of the file: "FILE:LINE: POINTER: what".
  Error error(const std::string& pointer, const std::string& what) const;
};

Result<ScanFile> parse_scan(std::string_view text, const std::filesystem::path& path,
                            const EnvLookup& env);
Result<ScanFile> read_scan_file(const std::filesystem::path& path, const EnvLookup& env);

// The orchestrator body for POST /api/v1/orchestrators: `file.orchestrator` with the stored
// ids of the targets and datasets (`target_ids` by key), the name "scan: NAME", and the
// label scan=NAME.
boost::json::object orchestrator_body(const ScanFile& file,
                                      const std::map<std::string, std::string>& target_ids,
                                      const boost::json::array& dataset_refs);

}  // namespace redcell::scan
