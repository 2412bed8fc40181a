#include "scan/scan_file.hpp"

#include <yaml-cpp/yaml.h>

#include <boost/json.hpp>
#include <fstream>
#include <set>
#include <sstream>

#include "common/json_input.hpp"
#include "datasets/starter.hpp"
#include "report/report.hpp"

namespace redcell::scan {

namespace {

namespace json = boost::json;
namespace fs = std::filesystem;

constexpr std::size_t kMaxNodes = 100'000;  // aliases can make a small file a huge tree
constexpr std::size_t kMaxText = 100'000;

// Reads the YAML tree as JSON, expanding ${ENV} in scalars and noting each node's line.
class Reader {
 public:
  Reader(ScanFile& file, const EnvLookup& env) : file_(file), env_(env) {}

  Result<json::value> read(const YAML::Node& n, const std::string& at) {
    if (nodes_++ >= kMaxNodes)
      return fail(file_.error(at, "at most " + std::to_string(kMaxNodes) + " YAML nodes"));
    if (n.Mark().line >= 0) file_.lines[at] = static_cast<std::size_t>(n.Mark().line) + 1;
    if (!n.IsDefined() || n.IsNull()) return json::value(nullptr);
    if (n.IsScalar()) {
      auto text = expand(n.Scalar(), at);
      if (!text) return fail(text.error());
      if (text->size() > kMaxText)
        return fail(file_.error(at, "text of at most " + std::to_string(kMaxText) + " bytes"));
      // Quoted text stays text; a plain scalar is typed as YAML 1.1 (and PyYAML) does.
      if (n.Tag() == "!") return json::value(*text);
      return datasets::plain_scalar(*text);
    }
    if (n.IsSequence()) {
      json::array a;
      std::size_t i = 0;
      for (const auto& item : n) {
        auto v = read(item, at + "/" + std::to_string(i++));
        if (!v) return fail(v.error());
        a.push_back(std::move(*v));
      }
      return json::value(std::move(a));
    }
    json::object o;
    for (const auto& kv : n) {
      if (!kv.first.IsScalar()) return fail(file_.error(at, "keys that are text"));
      const auto key = kv.first.Scalar();
      if (o.contains(key))
        return fail(file_.error(at + "/" + json_pointer_token(key), "a key given once"));
      auto v = read(kv.second, at + "/" + json_pointer_token(key));
      if (!v) return fail(v.error());
      o[key] = std::move(*v);
    }
    return json::value(std::move(o));
  }

 private:
  // ${NAME} and ${NAME:-default}; $$ is one $.
  Result<std::string> expand(const std::string& s, const std::string& at) {
    if (s.find('$') == std::string::npos) return s;
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
      if (s[i] != '$' || i + 1 >= s.size()) {
        out += s[i];
        continue;
      }
      if (s[i + 1] == '$') {
        out += '$';
        ++i;
        continue;
      }
      if (s[i + 1] != '{') {
        out += s[i];
        continue;
      }
      const auto close = s.find('}', i + 2);
      if (close == std::string::npos)
        return fail(file_.error(at, "a closing } after ${ (write $$ for a literal $)"));
      const std::string inner = s.substr(i + 2, close - i - 2);
      const auto dash = inner.find(":-");
      const std::string name = inner.substr(0, dash);
      const bool valid = !name.empty() &&
                         name.find_first_not_of(
                             "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstu"
                             "vwxyz0123456789_") == std::string::npos &&
                         (name[0] < '0' || name[0] > '9');
      if (!valid)
        return fail(file_.error(at, "${NAME} or ${NAME:-default} with NAME a variable name, not " +
                                        json::serialize(json::value(name))));
      auto value = env_(name);
      if (value) {
        file_.secrets.push_back(*value);
        out += *value;
      } else if (dash != std::string::npos) {
        out += inner.substr(dash + 2);
      } else {
        return fail(file_.error(at, "the environment variable " + name +
                                        " to be set (or a default: ${" + name + ":-value})"));
      }
      i = close;
    }
    return out;
  }

  ScanFile& file_;
  const EnvLookup& env_;
  std::size_t nodes_ = 0;
};

// Checks an object's members against `allowed`.
Result<void> only(const ScanFile& f, const json::object& o, const std::string& at,
                  const std::vector<std::string_view>& allowed) {
  for (const auto& kv : o) {
    if (std::find(allowed.begin(), allowed.end(), kv.key()) != allowed.end()) continue;
    std::string list;
    for (auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
    return fail(f.error(at + "/" + json_pointer_token(kv.key()), "a known member: one of " + list));
  }
  return {};
}

Result<std::string> text(const ScanFile& f, const json::object& o, std::string_view key,
                         const std::string& at, std::size_t max = 200) {
  const auto* v = o.if_contains(key);
  if (!v) return std::string();
  const std::string p = at + "/" + json_pointer_token(key);
  if (v->is_string() && v->as_string().size() <= max && !v->as_string().empty())
    return std::string(v->as_string());
  if (v->is_int64() || v->is_double())  // a number where a name was meant: as written
    return json::serialize(*v);
  return fail(f.error(p, "text of 1 to " + std::to_string(max) + " bytes"));
}

Result<std::optional<double>> number(const ScanFile& f, const json::object& o, std::string_view key,
                                     const std::string& at, double low, double high) {
  const auto* v = o.if_contains(key);
  if (!v) return std::optional<double>();
  double d = 0;
  if (v->is_int64())
    d = static_cast<double>(v->as_int64());
  else if (v->is_double())
    d = v->as_double();
  else
    return fail(f.error(at + "/" + std::string(key), "a number"));
  if (d < low || d > high)
    return fail(
        f.error(at + "/" + std::string(key), "a number from " + json::serialize(json::value(low)) +
                                                 " to " + json::serialize(json::value(high))));
  return std::optional<double>(d);
}

Result<void> read_targets(ScanFile& f, const json::value* v) {
  if (!v || !v->is_object() || v->as_object().empty())
    return fail(
        f.error("/targets", "a map of targets: key -> {type, endpoint, ...}, {id} or {name}"));
  if (v->as_object().size() > 10) return fail(f.error("/targets", "at most 10 targets"));
  for (const auto& kv : v->as_object()) {
    TargetEntry t;
    t.key = kv.key();
    t.pointer = "/targets/" + json_pointer_token(t.key);
    if (t.key.empty() || t.key.size() > 100)
      return fail(f.error(t.pointer, "a key of 1 to 100 bytes"));
    if (!kv.value().is_object()) return fail(f.error(t.pointer, "a target: {type, endpoint, ...}"));
    const auto& o = kv.value().as_object();
    if (!o.contains("type")) {
      if (auto ok = only(f, o, t.pointer, {"id", "name"}); !ok) return fail(ok.error());
      auto id = text(f, o, "id", t.pointer, 100);
      if (!id) return fail(id.error());
      auto name = text(f, o, "name", t.pointer);
      if (!name) return fail(name.error());
      if (id->empty() == name->empty())
        return fail(
            f.error(t.pointer, "a stored target by {id} or by {name}, or a new one with its type"));
      t.id = *id;
      t.name = *name;
    } else {
      t.body = o;
      if (!t.body.contains("name")) t.body["name"] = t.key;
      auto name = text(f, t.body, "name", t.pointer);
      if (!name) return fail(name.error());
      t.name = *name;
    }
    f.targets.push_back(std::move(t));
  }
  return {};
}

bool has_target(const ScanFile& f, const std::string& key) {
  return std::any_of(f.targets.begin(), f.targets.end(),
                     [&](const TargetEntry& t) { return t.key == key; });
}

Result<DatasetEntry> read_dataset(const ScanFile& f, const json::value& v, const std::string& at) {
  DatasetEntry d;
  d.pointer = at;
  json::object o;
  if (v.is_string()) {  // "starter:NAME" or a path
    const std::string s(v.as_string());
    if (s.rfind("starter:", 0) == 0)
      o["starter"] = s.substr(8);
    else
      o["file"] = s;
  } else if (v.is_object()) {
    o = v.as_object();
  } else {
    return fail(f.error(at, "{starter: NAME}, {file: PATH} or {id: ID}"));
  }
  if (auto ok = only(f, o, at,
                     {"starter", "file", "id", "version", "name", "format", "value_field",
                      "harm_categories_field", "data_type_field"});
      !ok)
    return fail(ok.error());
  const int kinds = o.contains("starter") + o.contains("file") + o.contains("id");
  if (kinds != 1) return fail(f.error(at, "exactly one of starter, file or id"));
  auto name = text(f, o, "name", at);
  if (!name) return fail(name.error());
  d.name = *name;
  if (o.contains("starter")) {
    auto s = text(f, o, "starter", at, 100);
    if (!s) return fail(s.error());
    if (!datasets::starter_dataset(*s)) {
      std::string names;
      for (const auto& sd : datasets::starter_datasets())
        names += (names.empty() ? "" : ", ") + std::string(sd.name);
      return fail(f.error(at + "/starter", "a starter dataset: one of " + names));
    }
    d.kind = DatasetEntry::Kind::starter;
    d.ref = *s;
    if (d.name.empty()) d.name = "starter: " + *s;
  } else if (o.contains("file")) {
    auto s = text(f, o, "file", at, 4096);
    if (!s) return fail(s.error());
    d.kind = DatasetEntry::Kind::file;
    d.ref = *s;
    d.path = fs::path(*s).is_absolute() ? fs::path(*s) : f.path.parent_path() / *s;
    std::error_code ec;
    if (!fs::is_regular_file(d.path, ec))
      return fail(f.error(at + "/file", "a file that exists (" + d.path.string() + ")"));
    if (const auto size = fs::file_size(d.path, ec); !ec && size > kMaxDatasetFileBytes)
      return fail(f.error(at + "/file",
                          "a dataset file of at most " + std::string(kMaxDatasetFileText) + " (" +
                              d.path.string() + " has " + std::to_string(size) + " bytes)"));
    d.options.filename = d.path.filename().string();
    if (auto fmt = text(f, o, "format", at, 50); !fmt) {
      return fail(fmt.error());
    } else if (!fmt->empty()) {
      d.options.format = datasets::format_from_string(*fmt);
      if (!d.options.format)
        return fail(f.error(at + "/format", "one of " + datasets::format_names()));
    }
    for (auto [key, field] :
         {std::pair{"value_field", &d.options.mapping.value},
          std::pair{"harm_categories_field", &d.options.mapping.harm_categories},
          std::pair{"data_type_field", &d.options.mapping.data_type}}) {
      auto s2 = text(f, o, key, at);
      if (!s2) return fail(s2.error());
      *field = *s2;
    }
  } else {
    auto id = text(f, o, "id", at, 100);
    if (!id) return fail(id.error());
    d.kind = DatasetEntry::Kind::stored;
    d.ref = *id;
    if (auto ver = number(f, o, "version", at, 1, 1e9); !ver)
      return fail(ver.error());
    else if (*ver)
      d.version = static_cast<int>(**ver);
  }
  if (d.kind != DatasetEntry::Kind::file)
    for (auto key : {"format", "value_field", "harm_categories_field", "data_type_field"})
      if (o.contains(key))
        return fail(f.error(at + "/" + key, "no " + std::string(key) + " (it is for files)"));
  if (d.kind != DatasetEntry::Kind::stored && o.contains("version"))
    return fail(f.error(at + "/version", "no version (it is for stored datasets, {id})"));
  return d;
}

Result<void> read_gates(ScanFile& f, const json::value* v) {
  if (!v) return {};
  if (!v->is_object()) return fail(f.error("/fail_on", "{success_rate, risk, achieved}"));
  const auto& o = v->as_object();
  if (auto ok = only(f, o, "/fail_on", {"success_rate", "risk", "achieved"}); !ok)
    return fail(ok.error());
  auto rate = number(f, o, "success_rate", "/fail_on", 0, 1);
  if (!rate) return fail(rate.error());
  auto risk = number(f, o, "risk", "/fail_on", 0, 10);
  if (!risk) return fail(risk.error());
  auto achieved = number(f, o, "achieved", "/fail_on", 1, 1e12);
  if (!achieved) return fail(achieved.error());
  f.gates.success_rate = *rate;
  f.gates.risk = *risk;
  if (*achieved) f.gates.achieved = static_cast<std::int64_t>(**achieved);
  return {};
}

Result<void> read_reports(ScanFile& f, const json::value* v) {
  if (!v) return {};
  if (!v->is_array() || v->as_array().size() > 20)
    return fail(f.error("/reports", "a list of at most 20 {format, output}"));
  std::size_t i = 0;
  for (const auto& r : v->as_array()) {
    const std::string at = "/reports/" + std::to_string(i++);
    if (!r.is_object()) return fail(f.error(at, "{format, output}"));
    if (auto ok = only(f, r.as_object(), at, {"format", "output"}); !ok) return fail(ok.error());
    auto format = text(f, r.as_object(), "format", at, 20);
    if (!format) return fail(format.error());
    if (!report::format_from_string(*format))
      return fail(f.error(at + "/format", "json, csv, junit, sarif, html or markdown"));
    auto output = text(f, r.as_object(), "output", at, 4096);
    if (!output) return fail(output.error());
    if (output->empty()) return fail(f.error(at + "/output", "the file to write"));
    ReportEntry e{*format, fs::path(*output), at};
    if (e.output.is_relative()) e.output = f.path.parent_path() / e.output;
    f.reports.push_back(std::move(e));
  }
  return {};
}

// Every `target_id` (and `adversarial_target_id`) naming a key becomes the stored id.
void resolve_target_keys(json::value& v, const std::map<std::string, std::string>& ids) {
  if (v.is_array())
    for (auto& item : v.as_array()) resolve_target_keys(item, ids);
  if (!v.is_object()) return;
  for (auto& kv : v.as_object()) {
    if ((kv.key() == "target_id" || kv.key() == "adversarial_target_id") && kv.value().is_string())
      if (auto it = ids.find(std::string(kv.value().as_string())); it != ids.end())
        kv.value() = it->second;
    resolve_target_keys(kv.value(), ids);
  }
}

}  // namespace

std::string ScanFile::where(std::string_view pointer) const {
  std::string p(pointer);
  for (;;) {
    if (auto it = lines.find(p); it != lines.end())
      return path.string() + ":" + std::to_string(it->second);
    const auto slash = p.rfind('/');
    if (slash == std::string::npos || p.empty()) break;
    p.resize(slash);
  }
  return path.string();
}

Error ScanFile::error(const std::string& pointer, const std::string& what) const {
  return Error::invalid(
      "/scan" + pointer, std::nullopt, what,
      where(pointer) + ": " + (pointer.empty() ? "/" : pointer) + ": expected " + what);
}

Result<ScanFile> parse_scan(std::string_view text_in, const fs::path& path, const EnvLookup& env) {
  ScanFile f;
  f.path = path;
  if (text_in.size() > kMaxScanFileBytes) return fail(f.error("", "a scan file of at most 1 MiB"));
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text_in));
  } catch (const YAML::Exception& e) {
    f.lines[""] = static_cast<std::size_t>(std::max(e.mark.line, 0)) + 1;
    return fail(f.error("", "valid YAML (" + e.msg + ")"));
  }
  Reader reader(f, env);
  auto doc = reader.read(root, "");
  if (!doc) return fail(doc.error());
  if (!doc->is_object()) return fail(f.error("", "a map: name, targets, datasets, scorers, ..."));
  auto& o = doc->as_object();
  if (auto ok = only(f, o, "",
                     {"name",
                      "description",
                      "target",
                      "targets",
                      "adversarial_target",
                      "datasets",
                      "prompts",
                      "type",
                      "converter_chains",
                      "scorers",
                      "objective_scorer",
                      "attempts",
                      "system_prompt",
                      "prepended_conversation",
                      "budget",
                      "max_in_flight",
                      "max_turns",
                      "max_backtracks",
                      "refusal_scorer",
                      "width",
                      "depth",
                      "branching_factor",
                      "on_topic_check",
                      "rank_scorer",
                      "seed",
                      "labels",
                      "fail_on",
                      "reports"});
      !ok)
    return fail(ok.error());
  auto name = text(f, o, "name", "");
  if (!name) return fail(name.error());
  f.name = name->empty() ? path.stem().string() : *name;
  if (auto ok = read_targets(f, o.if_contains("targets")); !ok) return fail(ok.error());
  auto target = text(f, o, "target", "", 100);
  if (!target) return fail(target.error());
  f.target = *target;
  auto adversarial = text(f, o, "adversarial_target", "", 100);
  if (!adversarial) return fail(adversarial.error());
  f.adversarial_target = *adversarial;
  if (f.target.empty()) {
    if (f.targets.size() != 1)
      return fail(f.error("/target", "the key of the target to attack (there are " +
                                         std::to_string(f.targets.size()) + " targets)"));
    f.target = f.targets.front().key;
  }
  if (!has_target(f, f.target))
    return fail(f.error("/target", "a key of targets, not " + f.target));
  if (!f.adversarial_target.empty() && !has_target(f, f.adversarial_target))
    return fail(f.error("/adversarial_target", "a key of targets, not " + f.adversarial_target));

  const auto* ds = o.if_contains("datasets");
  if (ds) {
    if (!ds->is_array() || ds->as_array().empty() || ds->as_array().size() > 100)
      return fail(f.error("/datasets", "a list of 1 to 100 datasets"));
    std::size_t i = 0;
    for (const auto& d : ds->as_array()) {
      auto entry = read_dataset(f, d, "/datasets/" + std::to_string(i++));
      if (!entry) return fail(entry.error());
      f.datasets.push_back(std::move(*entry));
    }
  } else if (!o.contains("prompts")) {
    return fail(f.error("/datasets", "datasets (a list) or prompts"));
  }
  if (!o.contains("scorers")) return fail(f.error("/scorers", "the scorers, the objective first"));
  if (auto ok = read_gates(f, o.if_contains("fail_on")); !ok) return fail(ok.error());
  if (auto ok = read_reports(f, o.if_contains("reports")); !ok) return fail(ok.error());
  if (const auto* labels = o.if_contains("labels"); labels && !labels->is_object())
    return fail(f.error("/labels", "a map of text labels"));

  for (const auto& kv : o) {
    static const std::set<std::string_view> kScanOwn{
        "name",     "description", "target", "targets", "adversarial_target",
        "datasets", "fail_on",     "reports"};
    if (!kScanOwn.count(kv.key())) f.orchestrator[kv.key()] = kv.value();
  }
  return f;
}

Result<ScanFile> read_scan_file(const fs::path& path, const EnvLookup& env) {
  std::error_code ec;
  const auto size = fs::file_size(path, ec);
  if (ec)
    return fail(Error::invalid("/scan", json::value(path.string()), "a scan file that exists",
                               path.string() + ": cannot read the scan file: " + ec.message()));
  if (size > kMaxScanFileBytes)
    return fail(Error::invalid("/scan", json::value(size), "a scan file of at most 1 MiB",
                               path.string() + ": a scan file holds at most 1 MiB"));
  std::ifstream in(path, std::ios::binary);
  std::stringstream buf;
  buf << in.rdbuf();
  if (!in && !in.eof())
    return fail(Error::invalid("/scan", json::value(path.string()), "a readable scan file",
                               path.string() + ": cannot read the scan file"));
  return parse_scan(buf.str(), path, env);
}

json::object orchestrator_body(const ScanFile& file, const std::map<std::string, std::string>& ids,
                               const json::array& dataset_refs) {
  json::object body = file.orchestrator;
  json::value resolved = body;
  resolve_target_keys(resolved, ids);
  body = std::move(resolved.as_object());
  body["name"] = "scan: " + file.name;
  if (!body.contains("type")) body["type"] = "prompt_sending";
  if (auto it = ids.find(file.target); it != ids.end()) body["target_id"] = it->second;
  if (!file.adversarial_target.empty())
    if (auto it = ids.find(file.adversarial_target); it != ids.end())
      body["adversarial_target_id"] = it->second;
  if (!dataset_refs.empty()) body["datasets"] = dataset_refs;
  json::object labels;
  if (const auto* l = body.if_contains("labels"); l && l->is_object()) labels = l->as_object();
  labels["scan"] = file.name;
  body["labels"] = std::move(labels);
  return body;
}

}  // namespace redcell::scan
