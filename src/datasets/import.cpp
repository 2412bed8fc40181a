#include "datasets/import.hpp"

#include <algorithm>
#include <array>
#include <fstream>
#include <utility>

#include "common/encoding.hpp"
#include "datasets/reader.hpp"
#include "datasets/starter.hpp"

namespace redcell::datasets {

namespace {

constexpr std::array<std::pair<Format, std::string_view>, 7> kNames{{
    {Format::pyrit_yaml, "pyrit_yaml"},
    {Format::jailbreak_template, "jailbreak_template"},
    {Format::harm_definition, "harm_definition"},
    {Format::many_shot, "many_shot"},
    {Format::csv, "csv"},
    {Format::jsonl, "jsonl"},
    {Format::text, "text"},
}};

std::string lower_extension(std::string_view filename) {
  auto slash = filename.find_last_of("/\\");
  if (slash != std::string_view::npos) filename.remove_prefix(slash + 1);
  auto dot = filename.rfind('.');
  if (dot == std::string_view::npos) return {};
  std::string ext(filename.substr(dot + 1));
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return ext;
}

std::string stem(std::string_view filename) {
  auto slash = filename.find_last_of("/\\");
  if (slash != std::string_view::npos) filename.remove_prefix(slash + 1);
  auto dot = filename.rfind('.');
  if (dot != std::string_view::npos && dot > 0) filename = filename.substr(0, dot);
  return std::string(filename.substr(0, 200));
}

// The first character that is not blank, nor inside a '#' comment line.
char first_meaningful(std::string_view bytes) {
  bool comment = false;
  for (char c : bytes) {
    if (comment) {
      comment = c != '\n';
      continue;
    }
    if (c == '#') {
      comment = true;
      continue;
    }
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n') return c;
  }
  return '\0';
}

// A YAML mapping's first key line: "name:" or "name: value" at column 0.
bool looks_like_yaml(std::string_view bytes) {
  std::size_t at = 0;
  while (at < bytes.size()) {
    auto end = bytes.find('\n', at);
    auto line = bytes.substr(at, end == std::string_view::npos ? bytes.npos : end - at);
    at = end == std::string_view::npos ? bytes.size() : end + 1;
    if (line.empty() || line[0] == '#' || line == "---" || line == "\r") continue;
    auto colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) return false;
    return std::all_of(line.begin(), line.begin() + static_cast<std::ptrdiff_t>(colon),
                       [](unsigned char c) { return std::isalnum(c) || c == '_'; }) &&
           (colon + 1 == line.size() || line[colon + 1] == ' ' || line[colon + 1] == '\r');
  }
  return false;
}

// nullopt: a YAML family format, told apart once the document is parsed.
std::optional<Format> detect(std::string_view bytes, std::string_view filename, bool& yaml) {
  yaml = false;
  const auto ext = lower_extension(filename);
  if (ext == "prompt" || ext == "yaml" || ext == "yml") {
    yaml = true;
    return std::nullopt;
  }
  if (ext == "csv") return Format::csv;
  if (ext == "jsonl" || ext == "ndjson") return Format::jsonl;
  if (ext == "txt") return Format::text;
  if (ext == "json") return Format::many_shot;
  const char first = first_meaningful(bytes);
  if (first == '[') return Format::many_shot;
  if (first == '{') return Format::jsonl;
  if (looks_like_yaml(bytes)) {
    yaml = true;
    return std::nullopt;
  }
  return Format::text;
}

Result<void> check_utf8(std::string_view bytes) {
  std::size_t at = 0;
  while (at < bytes.size()) {
    auto n = utf8_sequence_length(bytes, at);
    if (n == 0)
      return fail(detail::at_line(detail::line_of(bytes, at), "", std::nullopt,
                                  "UTF-8 text (byte " + std::to_string(at) + " is not)"));
    at += n;
  }
  return {};
}

}  // namespace

std::string_view to_string(Format f) {
  for (const auto& [format, name] : kNames)
    if (format == f) return name;
  return "text";
}

std::optional<Format> format_from_string(std::string_view s) {
  for (const auto& [format, name] : kNames)
    if (name == s) return format;
  return std::nullopt;
}

std::string format_names() {
  std::string out;
  for (const auto& [format, name] : kNames) {
    if (!out.empty()) out += ", ";
    out += name;
  }
  return out;
}

namespace detail {

Error at_line(std::size_t line, const std::string& pointer, std::optional<boost::json::value> value,
              const std::string& expected) {
  std::string where = "line " + std::to_string(line);
  if (!pointer.empty()) where += ", " + pointer;
  return Error::invalid("/file" + pointer, std::move(value), expected,
                        where + ": expected " + expected);
}

std::size_t line_of(std::string_view text, std::size_t offset) {
  offset = std::min(offset, text.size());
  return 1 + static_cast<std::size_t>(std::count(
                 text.begin(), text.begin() + static_cast<std::ptrdiff_t>(offset), '\n'));
}

Result<void> check_prompt(const memory::SeedPrompt& p, std::size_t line,
                          const std::string& pointer) {
  if (p.value.empty()) return fail(at_line(line, pointer, std::nullopt, "a non-empty prompt"));
  if (p.value.size() > kMaxValueBytes)
    return fail(at_line(line, pointer, boost::json::value(p.value.size()),
                        "a prompt of at most " + std::to_string(kMaxValueBytes) + " bytes"));
  if (p.data_type.empty() || p.data_type.size() > 50)
    return fail(at_line(line, pointer + "/data_type", boost::json::value(p.data_type),
                        "a data type of 1 to 50 bytes"));
  return {};
}

Result<void> check_count(std::size_t count, const ImportOptions& options, std::size_t line) {
  if (count <= options.max_prompts) return {};
  return fail(at_line(line, "", boost::json::value(count),
                      "at most " + std::to_string(options.max_prompts) + " prompts in one file"));
}

}  // namespace detail

Result<ImportedDataset> import_dataset(std::string_view bytes, const ImportOptions& options) {
  if (auto ok = check_utf8(bytes); !ok) return fail(ok.error());
  if (bytes.size() >= 3 && bytes.substr(0, 3) == "\xEF\xBB\xBF") bytes.remove_prefix(3);  // BOM
  bool yaml = false;
  std::optional<Format> format = options.format;
  if (format) {
    yaml = *format == Format::pyrit_yaml || *format == Format::jailbreak_template ||
           *format == Format::harm_definition;
  } else {
    format = detect(bytes, options.filename, yaml);
  }
  Result<ImportedDataset> out = yaml ? detail::read_yaml(bytes, format, options)
                                : *format == Format::many_shot
                                    ? detail::read_many_shot(bytes, options)
                                : *format == Format::csv   ? detail::read_csv(bytes, options)
                                : *format == Format::jsonl ? detail::read_jsonl(bytes, options)
                                                           : detail::read_text(bytes, options);
  if (!out) return out;
  if (out->prompts.empty())
    return fail(detail::at_line(1, "", std::nullopt, "at least one prompt in the file"));
  if (out->name.empty()) out->name = stem(options.filename);
  if (out->name.empty()) out->name = "imported";
  return out;
}

struct ImportFile::State {
  ImportOptions options;
  Format format = Format::text;
  std::string name, description;
  // Read whole: the prompts, served batch by batch.
  std::optional<ImportedDataset> whole;
  std::size_t served = 0;
  // Line by line.
  std::ifstream in;
  std::unique_ptr<detail::LineImporter> lines;
  std::string buffer;  // bytes read past the current line
  std::size_t line = 0;
  std::size_t count = 0;
  bool eof = false;

  // The next line without its end of line; false at the end of the file.
  Result<bool> read_line(std::string& out) {
    constexpr std::size_t kMaxLine = 4u << 20;
    for (;;) {
      auto nl = buffer.find('\n');
      if (nl != std::string::npos) {
        out.assign(buffer, 0, nl);
        buffer.erase(0, nl + 1);
        break;
      }
      if (buffer.size() > kMaxLine)
        return fail(detail::at_line(line + 1, "", std::nullopt, "a line of at most 4 MiB"));
      if (eof) {
        if (buffer.empty()) return false;
        out = std::move(buffer);
        buffer.clear();
        break;
      }
      char chunk[1 << 16];
      in.read(chunk, sizeof chunk);
      buffer.append(chunk, static_cast<std::size_t>(in.gcount()));
      if (!in) eof = true;
    }
    if (!out.empty() && out.back() == '\r') out.pop_back();
    if (++line == 1 && out.rfind("\xEF\xBB\xBF", 0) == 0) out.erase(0, 3);  // BOM
    return true;
  }
};

ImportFile::ImportFile(std::unique_ptr<State> s) : s_(std::move(s)) {}
ImportFile::ImportFile(ImportFile&&) noexcept = default;
ImportFile& ImportFile::operator=(ImportFile&&) noexcept = default;
ImportFile::~ImportFile() = default;

Result<ImportFile> ImportFile::open(const std::filesystem::path& path,
                                    const ImportOptions& options) {
  auto s = std::make_unique<State>();
  s->options = options;
  s->in.open(path, std::ios::binary);
  if (!s->in) return fail(Error(ErrorCode::unavailable, "cannot read the file " + path.string()));
  std::string head(std::size_t{64} << 10, '\0');
  s->in.read(head.data(), static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<std::size_t>(s->in.gcount()));
  s->in.clear();
  s->in.seekg(0);
  std::string_view view(head);
  if (view.rfind("\xEF\xBB\xBF", 0) == 0) view.remove_prefix(3);
  bool yaml = false;
  std::optional<Format> format = options.format;
  if (!format) format = detect(view, options.filename, yaml);
  if (format == Format::jsonl || format == Format::text) {
    s->format = *format;
    s->lines = detail::line_importer(*format, s->options);
  } else {
    std::string bytes((std::istreambuf_iterator<char>(s->in)), {});
    auto whole = import_dataset(bytes, options);
    if (!whole) return fail(whole.error());
    s->format = whole->format;
    s->name = whole->name;
    s->description = whole->description;
    s->whole = std::move(*whole);
  }
  if (s->name.empty()) s->name = stem(options.filename);
  if (s->name.empty()) s->name = "imported";
  return ImportFile(std::move(s));
}

Result<bool> ImportFile::next(std::vector<memory::SeedPrompt>& batch, std::size_t max) {
  auto& s = *s_;
  if (s.whole) {
    auto& all = s.whole->prompts;
    for (std::size_t n = 0; n < max && s.served < all.size(); ++n)
      batch.push_back(std::move(all[s.served++]));
    return s.served < all.size();
  }
  std::string text;
  for (std::size_t added = 0; added < max;) {
    auto got = s.read_line(text);
    if (!got) return fail(got.error());
    if (!*got) {
      if (s.count == 0)
        return fail(detail::at_line(1, "", std::nullopt, "at least one prompt in the file"));
      return false;
    }
    if (auto ok = check_utf8(text); !ok)
      return fail(detail::at_line(s.line, "", std::nullopt, "UTF-8 text"));
    const auto before = batch.size();
    if (auto ok = s.lines->add(s.line, text, batch); !ok) return fail(ok.error());
    added += batch.size() - before;
    s.count += batch.size() - before;
  }
  return true;
}

Result<FileSummary> check_file(const std::filesystem::path& path, const ImportOptions& options,
                               std::size_t keep) {
  auto file = ImportFile::open(path, options);
  if (!file) return fail(file.error());
  FileSummary out;
  std::vector<memory::SeedPrompt> batch;
  for (bool more = true; more;) {
    batch.clear();
    auto next = file->next(batch, kImportBatch);
    if (!next) return fail(next.error());
    more = *next;
    for (auto& p : batch)
      if (out.first.size() < keep) out.first.push_back(std::move(p));
    out.count += batch.size();
  }
  out.format = file->format();
  out.name = file->name();
  out.description = file->description();
  out.fields = file->fields();
  return out;
}

Result<memory::DefinitionRepository::PromptSource> prompt_source(
    std::optional<ImportedDataset>& whole, const std::filesystem::path& path,
    const ImportOptions& options) {
  if (whole)
    return [&whole](std::vector<memory::SeedPrompt>& batch) -> Result<bool> {
      batch = std::move(whole->prompts);
      return false;
    };
  auto opened = ImportFile::open(path, options);
  if (!opened) return fail(opened.error());
  auto file = std::make_shared<ImportFile>(std::move(*opened));
  return [file](std::vector<memory::SeedPrompt>& batch) { return file->next(batch, kImportBatch); };
}

Format ImportFile::format() const {
  return s_->format;
}
const std::string& ImportFile::name() const {
  return s_->name;
}
const std::string& ImportFile::description() const {
  return s_->description;
}
std::vector<std::string> ImportFile::fields() const {
  return s_->whole ? s_->whole->fields : s_->lines->fields();
}

const std::vector<StarterSummary>& starter_summaries() {
  static const std::vector<StarterSummary> all = [] {
    std::vector<StarterSummary> out;
    for (const auto& d : starter_datasets()) {
      ImportOptions o;
      o.filename = std::string(d.name) + ".prompt";
      auto imported = import_dataset(d.file, o);
      if (imported)
        out.push_back({d.name, imported->name, imported->description, imported->prompts.size()});
    }
    return out;
  }();
  return all;
}

}  // namespace redcell::datasets
