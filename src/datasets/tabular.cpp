// Line-oriented and tabular files: many-shot examples (a JSON array of {user, assistant,
// category}), CSV with a header row (RFC 4180 quoting), JSON Lines, and plain text with one
// prompt per line. A CSV column or JSON Lines field named by the mapping (or by a usual
// name) gives the prompt; the other columns or fields are kept in its metadata.
//
// The CSV reader is ours: Debian's only C CSV parser (libcsv) has not been released since
// 2013 and cannot say on which line a quoted field began, which the errors need.
#include <boost/json.hpp>

#include "datasets/reader.hpp"

namespace redcell::datasets::detail {

namespace {

namespace json = boost::json;

constexpr std::array<std::string_view, 6> kValueNames{"value", "prompt",   "text",
                                                      "goal",  "question", "query"};
constexpr std::array<std::string_view, 3> kHarmNames{"harm_categories", "harm_category",
                                                     "category"};

// The field to use: the mapping's when given (and present), else the first usual name.
Result<std::string> pick(const std::vector<std::string>& fields, const std::string& mapped,
                         std::string_view what, std::string_view option, bool required,
                         const auto& usual) {
  if (!mapped.empty()) {
    if (std::find(fields.begin(), fields.end(), mapped) != fields.end()) return mapped;
    std::string names;
    for (const auto& f : fields) names += (names.empty() ? "" : ", ") + f;
    return fail(Error::invalid(std::string("/query/") + std::string(option), json::value(mapped),
                               "one of the file's fields: " + names,
                               "the file has no field \"" + mapped + "\" (it has: " + names + ")"));
  }
  for (auto name : usual)
    if (std::find(fields.begin(), fields.end(), name) != fields.end()) return std::string(name);
  if (!required) return std::string();
  std::string names;
  for (const auto& f : fields) names += (names.empty() ? "" : ", ") + f;
  std::string tried;
  for (auto name : usual) tried += (tried.empty() ? "" : ", ") + std::string(name);
  return fail(Error::invalid(std::string("/query/") + std::string(option), nullptr,
                             "the name of the field that holds the " + std::string(what),
                             "no field is called " + tried + ": say which holds the " +
                                 std::string(what) + " (the file has: " + names + ")"));
}

// The fields that hold the prompt, its harm categories and its data type ("" for none).
struct Columns {
  std::string value, harm, type;
};

Result<Columns> columns_of(const std::vector<std::string>& fields, const ImportOptions& options) {
  auto value = pick(fields, options.mapping.value, "prompt", "value_field", true, kValueNames);
  if (!value) return fail(value.error());
  auto harm = pick(fields, options.mapping.harm_categories, "harm categories",
                   "harm_categories_field", false, kHarmNames);
  if (!harm) return fail(harm.error());
  auto type = pick(fields, options.mapping.data_type, "data type", "data_type_field", false,
                   std::array<std::string_view, 1>{"data_type"});
  if (!type) return fail(type.error());
  return Columns{std::move(*value), std::move(*harm), std::move(*type)};
}

// "a; b" or a JSON array of text.
Result<json::array> harm_list(const json::value& v, std::size_t line, const std::string& at) {
  json::array out;
  auto add = [&](std::string_view s) -> Result<void> {
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
    if (s.empty()) return {};
    if (s.size() > kMaxHarmCategoryBytes)
      return fail(at_line(
          line, at, json::value(s),
          "harm categories of at most " + std::to_string(kMaxHarmCategoryBytes) + " bytes"));
    out.emplace_back(s);
    return {};
  };
  if (v.is_null()) return out;
  if (v.is_string()) {
    std::string_view s = v.as_string();
    while (true) {
      auto semi = s.find(';');
      if (auto ok = add(s.substr(0, semi)); !ok) return fail(ok.error());
      if (semi == std::string_view::npos) break;
      s.remove_prefix(semi + 1);
    }
  } else if (v.is_array()) {
    for (const auto& item : v.as_array()) {
      if (!item.is_string()) return fail(at_line(line, at, item, "harm categories as text"));
      if (auto ok = add(item.as_string()); !ok) return fail(ok.error());
    }
  } else {
    return fail(at_line(line, at, v, "a list of harm categories, or text split by ';'"));
  }
  if (out.size() > kMaxHarmCategories)
    return fail(at_line(line, at, json::value(out.size()), "at most 100 harm categories"));
  return out;
}

// One record (a CSV row or a JSON Lines object) as a prompt. A record's own "metadata"
// object becomes the prompt's metadata as it is (redcell's JSON Lines export); every other
// field or column is kept under metadata's "metadata", PyRIT's place for a seed's extras.
Result<memory::SeedPrompt> prompt_of(const json::object& record, const std::string& value_field,
                                     const std::string& harm_field, const std::string& type_field,
                                     std::size_t line, const std::string& at) {
  memory::SeedPrompt p;
  const auto* value = record.if_contains(value_field);
  if (!value || !value->is_string())
    return fail(at_line(line, at + "/" + value_field, value ? *value : json::value(nullptr),
                        "the prompt as text"));
  p.value = std::string(value->as_string());
  json::object meta;
  if (const auto* m = record.if_contains("metadata"); m && value_field != "metadata") {
    if (!m->is_object()) return fail(at_line(line, at + "/metadata", *m, "an object"));
    meta = m->as_object();
  }
  json::object extras;
  if (const auto* e = meta.if_contains("metadata"); e && e->is_object()) extras = e->as_object();
  bool has_extras = false;
  for (const auto& kv : record) {
    const std::string key(kv.key());
    if (key == value_field || key == "metadata") continue;
    if (key == harm_field) {
      auto h = harm_list(kv.value(), line, at + "/" + key);
      if (!h) return fail(h.error());
      p.harm_categories = json::serialize(*h);
    } else if (key == type_field) {
      if (!kv.value().is_string())
        return fail(at_line(line, at + "/" + key, kv.value(), "a data type as text"));
      p.data_type = std::string(kv.value().as_string());
    } else if (extras.contains(key)) {
      return fail(at_line(line, at + "/" + key, json::value(key),
                          "a field that is not also in metadata.metadata"));
    } else {
      extras[key] = kv.value();
      has_extras = true;
    }
  }
  if (has_extras) meta["metadata"] = std::move(extras);
  p.metadata = json::serialize(meta);
  if (auto ok = check_prompt(p, line, at); !ok) return fail(ok.error());
  return p;
}

// The next line of `bytes` from `at` (without its end of line).
std::string_view next_line(std::string_view bytes, std::size_t& at) {
  auto end = bytes.find('\n', at);
  auto line = bytes.substr(at, end == std::string_view::npos ? bytes.npos : end - at);
  at = end == std::string_view::npos ? bytes.size() : end + 1;
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

// RFC 4180 records: fields split by commas, quoted fields may hold commas, doubled quotes
// and line breaks. `line` is the record's first line.
struct CsvRecord {
  std::vector<std::string> fields;
  std::size_t line = 0;
};

Result<std::vector<CsvRecord>> csv_records(std::string_view bytes, const ImportOptions& options) {
  std::vector<CsvRecord> out;
  std::size_t i = 0;
  std::size_t line = 1;
  while (i < bytes.size()) {
    CsvRecord rec;
    rec.line = line;
    std::string field;
    bool end_of_record = false;
    while (!end_of_record) {
      if (i < bytes.size() && bytes[i] == '"') {
        const std::size_t opened = line;
        ++i;
        while (true) {
          if (i >= bytes.size())
            return fail(at_line(opened, "", std::nullopt,
                                "a closing quote for the field opened on this line"));
          const char c = bytes[i++];
          if (c == '"') {
            if (i < bytes.size() && bytes[i] == '"') {
              field += '"';
              ++i;
              continue;
            }
            break;
          }
          if (c == '\n') ++line;
          field += c;
        }
        if (i < bytes.size() && bytes[i] != ',' && bytes[i] != '\n' && bytes[i] != '\r')
          return fail(at_line(line, "", std::nullopt,
                              "a comma or the end of the line after a closing quote"));
      } else {
        while (i < bytes.size() && bytes[i] != ',' && bytes[i] != '\n') {
          if (bytes[i] == '"')
            return fail(at_line(line, "", std::nullopt,
                                "quotes only around a whole field (\"a \"\"quoted\"\" word\")"));
          field += bytes[i++];
        }
        if (!field.empty() && field.back() == '\r' && (i >= bytes.size() || bytes[i] == '\n'))
          field.pop_back();
      }
      if (i < bytes.size() && bytes[i] == '\r') ++i;
      rec.fields.push_back(std::move(field));
      field.clear();
      if (i >= bytes.size() || bytes[i] == '\n') {
        end_of_record = true;
        if (i < bytes.size()) {
          ++i;
          ++line;
        }
      } else {
        ++i;  // the comma
      }
    }
    const bool blank = rec.fields.size() == 1 && rec.fields[0].empty();
    const std::size_t first_line = rec.line;
    if (!blank) out.push_back(std::move(rec));
    if (auto ok = check_count(out.size(), options, first_line); !ok) return fail(ok.error());
  }
  return out;
}

}  // namespace

Result<ImportedDataset> read_csv(std::string_view bytes, const ImportOptions& options) {
  auto records = csv_records(bytes, options);
  if (!records) return fail(records.error());
  if (records->empty())
    return fail(at_line(1, "", std::nullopt, "a header row naming the columns"));
  ImportedDataset out;
  out.format = Format::csv;
  out.fields = (*records)[0].fields;
  for (std::size_t c = 0; c < out.fields.size(); ++c) {
    if (out.fields[c].empty())
      return fail(at_line(1, "/" + std::to_string(c), std::nullopt, "a name for every column"));
    for (std::size_t d = 0; d < c; ++d)
      if (out.fields[d] == out.fields[c])
        return fail(
            at_line(1, "/" + out.fields[c], json::value(out.fields[c]), "each column named once"));
  }
  auto cols = columns_of(out.fields, options);
  if (!cols) return fail(cols.error());
  for (std::size_t r = 1; r < records->size(); ++r) {
    const auto& rec = (*records)[r];
    const std::string at = "/" + std::to_string(r);
    if (rec.fields.size() != out.fields.size())
      return fail(at_line(rec.line, at, json::value(rec.fields.size()),
                          std::to_string(out.fields.size()) + " fields, as the header has"));
    json::object record;
    for (std::size_t c = 0; c < rec.fields.size(); ++c) record[out.fields[c]] = rec.fields[c];
    auto p = prompt_of(record, cols->value, cols->harm, cols->type, rec.line, at);
    if (!p) return fail(p.error());
    out.prompts.push_back(std::move(*p));
  }
  return out;
}

namespace {

class JsonlLines final : public LineImporter {
 public:
  explicit JsonlLines(const ImportOptions& options) : options_(options) { opts_.max_depth = 64; }
  Format format() const override { return Format::jsonl; }
  std::vector<std::string> fields() const override { return fields_; }

  Result<void> add(std::size_t line, std::string_view text,
                   std::vector<memory::SeedPrompt>& out) override {
    if (text.find_first_not_of(" \t") == std::string_view::npos) return {};
    boost::system::error_code ec;
    auto v = json::parse(text, ec, {}, opts_);
    const std::string where = "/" + std::to_string(count_);
    if (ec)
      return fail(
          at_line(line, "", std::nullopt, "one JSON object per line (" + ec.message() + ")"));
    if (!v.is_object()) return fail(at_line(line, where, v, "a JSON object"));
    for (const auto& kv : v.as_object())
      if (std::find(fields_.begin(), fields_.end(), kv.key()) == fields_.end() &&
          fields_.size() < 1000)
        fields_.emplace_back(kv.key());
    if (!cols_) {  // the first record decides the mapping
      auto c = columns_of(fields_, options_);
      if (!c) return fail(c.error());
      cols_ = std::move(*c);
    }
    auto p = prompt_of(v.as_object(), cols_->value, cols_->harm, cols_->type, line, where);
    if (!p) return fail(p.error());
    out.push_back(std::move(*p));
    return check_count(++count_, options_, line);
  }

 private:
  const ImportOptions& options_;
  json::parse_options opts_;
  std::vector<std::string> fields_;
  std::optional<Columns> cols_;
  std::size_t count_ = 0;
};

class TextLines final : public LineImporter {
 public:
  explicit TextLines(const ImportOptions& options) : options_(options) {}
  Format format() const override { return Format::text; }
  std::vector<std::string> fields() const override { return {}; }

  Result<void> add(std::size_t line, std::string_view text,
                   std::vector<memory::SeedPrompt>& out) override {
    if (text.find_first_not_of(" \t") == std::string_view::npos) return {};
    memory::SeedPrompt p;
    p.value = std::string(text);
    if (auto ok = check_prompt(p, line, "/" + std::to_string(count_)); !ok) return ok;
    out.push_back(std::move(p));
    return check_count(++count_, options_, line);
  }

 private:
  const ImportOptions& options_;
  std::size_t count_ = 0;
};

Result<ImportedDataset> read_lines(std::string_view bytes, LineImporter& lines) {
  ImportedDataset out;
  out.format = lines.format();
  std::size_t at = 0;
  std::size_t line = 0;
  while (at < bytes.size())
    if (auto ok = lines.add(++line, next_line(bytes, at), out.prompts); !ok)
      return fail(ok.error());
  out.fields = lines.fields();
  return out;
}

}  // namespace

std::unique_ptr<LineImporter> line_importer(Format format, const ImportOptions& options) {
  if (format == Format::jsonl) return std::make_unique<JsonlLines>(options);
  return std::make_unique<TextLines>(options);
}

Result<ImportedDataset> read_jsonl(std::string_view bytes, const ImportOptions& options) {
  JsonlLines lines(options);
  return read_lines(bytes, lines);
}

Result<ImportedDataset> read_text(std::string_view bytes, const ImportOptions& options) {
  TextLines lines(options);
  return read_lines(bytes, lines);
}

Result<ImportedDataset> read_many_shot(std::string_view bytes, const ImportOptions& options) {
  json::parse_options opts;
  opts.max_depth = 64;
  boost::system::error_code ec;
  json::stream_parser parser({}, opts);
  const auto used = parser.write(bytes.data(), bytes.size(), ec);
  if (!ec) parser.finish(ec);
  if (ec)
    return fail(at_line(line_of(bytes, used), "", std::nullopt,
                        "a JSON array of {user, assistant, category} (" + ec.message() + ")"));
  const auto doc = parser.release();
  if (!doc.is_array())
    return fail(at_line(1, "", std::nullopt, "a JSON array of {user, assistant, category}"));
  ImportedDataset out;
  out.format = Format::many_shot;
  out.fields = {"user", "assistant", "category"};
  if (auto ok = check_count(doc.as_array().size(), options, 1); !ok) return fail(ok.error());
  std::size_t i = 0;
  for (const auto& item : doc.as_array()) {
    const std::string at = "/" + std::to_string(i++);
    if (!item.is_object()) return fail(at_line(1, at, item, "{user, assistant, category}"));
    const auto& o = item.as_object();
    for (const auto& kv : o)
      if (kv.key() != "user" && kv.key() != "assistant" && kv.key() != "category")
        return fail(at_line(1, at + "/" + std::string(kv.key()), json::value(kv.key()),
                            "only the fields user, assistant and category"));
    for (const char* key : {"user", "assistant"})
      if (!o.contains(key) || !o.at(key).is_string())
        return fail(
            at_line(1, at + "/" + key, o.contains(key) ? o.at(key) : json::value(nullptr), "text"));
    memory::SeedPrompt p;
    p.value = std::string(o.at("user").as_string());
    json::object extras{{"assistant", o.at("assistant")}};
    if (const auto* c = o.if_contains("category")) {
      if (!c->is_string() || c->as_string().size() > kMaxHarmCategoryBytes)
        return fail(at_line(1, at + "/category", *c,
                            "text of at most " + std::to_string(kMaxHarmCategoryBytes) + " bytes"));
      extras["category"] = *c;
      p.harm_categories = json::serialize(json::array{*c});
    }
    p.metadata = json::serialize(json::object{{"metadata", std::move(extras)}});
    if (auto ok = check_prompt(p, 1, at); !ok) return fail(ok.error());
    out.prompts.push_back(std::move(p));
  }
  return out;
}

}  // namespace redcell::datasets::detail
