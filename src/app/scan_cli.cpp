// `redcell scan FILE.yaml`: one scan file, one execution, from a terminal or CI. The scan
// talks to a redcell server's REST API: the one holding the store (its URL from the writer
// lock), the one --server names, or, when no server holds the store, one it runs itself on
// a loopback port for the scan's duration (local mode). Every path therefore stores the same
// way, and the results land in the store `redcell serve` and its UI read.

#include <unistd.h>

#include <array>
#include <atomic>
#include <boost/json.hpp>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <thread>

#include "app/api_client.hpp"
#include "app/commands.hpp"
#include "app/settings.hpp"
#include "common/encoding.hpp"
#include "common/log.hpp"
#include "datasets/import.hpp"
#include "datasets/starter.hpp"
#include "memory/sqlite/writer_lock.hpp"
#include "scan/outcome.hpp"
#include "scan/scan_file.hpp"

namespace redcell {

namespace {

namespace json = boost::json;
using Clock = std::chrono::steady_clock;

// Ctrl-C (or SIGTERM) once pauses the execution and waits for it to settle; twice leaves
// at once.
std::atomic<int> interrupts{0};
extern "C" void on_interrupt(int /*sig*/) {
  ++interrupts;
}

// Where the scan's own words go: messages and progress on stderr; the summary on stdout,
// or with --json one JSON document there.
struct Out {
  bool json = false;
  bool tty = false;
  std::vector<std::string> secrets;

  std::string redact(std::string s) const {
    for (const auto& secret : secrets) {
      if (secret.size() < 4) continue;  // "1", "true": values, not secrets
      for (auto at = s.find(secret); at != std::string::npos; at = s.find(secret, at))
        s.replace(at, secret.size(), "***");
    }
    return s;
  }
  void say(const std::string& s) const {
    if (tty) std::cerr << "\r\033[K";
    std::cerr << redact(s) << "\n";
  }
};

// A failed step: the message, and the exit status it ends the scan with.
struct Stop {
  int status;
  std::string message;
};

std::string text_of(const json::value& v, std::string_view key) {
  if (!v.is_object()) return {};
  const auto* m = v.as_object().if_contains(key);
  return m && m->is_string() ? std::string(m->as_string()) : std::string();
}

std::int64_t int_of(const json::value& v, std::string_view key) {
  if (!v.is_object()) return 0;
  const auto* m = v.as_object().if_contains(key);
  return m && m->is_int64() ? m->as_int64() : 0;
}

class Scan {
 public:
  Scan(const ScanArgs& args, const scan::ScanFile& file, ApiClient& api, Out& out)
      : args_(args), file_(file), api_(api), out_(out) {}

  int run() {
    auto r = args_.resume.empty() ? start() : resume();
    if (!r) {
      out_.say("redcell scan: " + r.error().message);
      return r.error().status;
    }
    if (args_.dry_run) return scan::kPass;
    return follow_and_judge(*r);
  }

 private:
  // An answer that is not a success, as a Stop naming what failed.
  Stop refused(const ApiAnswer& a, const std::string& what) const {
    if (a.status == 401)
      return {scan::kConfigError, what + ": the server at " + api_.base_url() +
                                      " wants a sign-in: set REDCELL_API_KEY to an API key"};
    return {scan::kConfigError, what + ": " + a.message()};
  }
  // An error the server found in what the file made, told at the file's line.
  Stop at_file(const std::string& pointer, const ApiAnswer& a) const {
    return {scan::kConfigError, file_.where(pointer) + ": " + a.message()};
  }

  std::expected<ApiAnswer, Stop> call(const std::string& method, const std::string& path,
                                      std::string body = {},
                                      const std::string& type = "application/json") {
    auto a = api_.call(method, path, std::move(body), type, std::chrono::minutes(10));
    if (!a)
      return std::unexpected(Stop{
          scan::kConfigError,
          "cannot reach the redcell server at " + api_.base_url() + ": " + a.error().message()});
    return std::move(*a);
  }

  // Every item of a listing route, page by page.
  std::expected<json::array, Stop> list(const std::string& path) {
    json::array all;
    std::string cursor;
    for (int pages = 0; pages < 1000; ++pages) {
      auto a = call(
          "GET", path + "?limit=500" + (cursor.empty() ? "" : "&cursor=" + percent_encode(cursor)));
      if (!a) return std::unexpected(a.error());
      if (!a->ok()) return std::unexpected(refused(*a, "GET " + path));
      const auto& o = a->json.as_object();
      for (const auto& item : o.at("items").as_array()) all.push_back(item);
      cursor = text_of(a->json, "next_cursor");
      if (cursor.empty()) break;
    }
    return all;
  }

  std::expected<void, Stop> setup_targets() {
    auto stored = list("/api/v1/targets");
    if (!stored) return std::unexpected(stored.error());
    std::map<std::string, std::string> by_name;
    for (const auto& t : *stored) by_name.emplace(text_of(t, "name"), text_of(t, "id"));
    for (const auto& t : file_.targets) {
      if (!t.id.empty()) {
        auto a = call("GET", "/api/v1/targets/" + percent_encode(t.id));
        if (!a) return std::unexpected(a.error());
        if (a->status == 404)
          return std::unexpected(Stop{scan::kConfigError, file_.where(t.pointer + "/id") + ": " +
                                                              t.pointer + "/id: no target " + t.id +
                                                              " of yours"});
        if (!a->ok()) return std::unexpected(refused(*a, "target " + t.key));
        target_ids_[t.key] = t.id;
        continue;
      }
      auto found = by_name.find(t.name);
      if (t.body.empty()) {
        if (found == by_name.end())
          return std::unexpected(
              Stop{scan::kConfigError, file_.where(t.pointer + "/name") + ": " + t.pointer +
                                           "/name: none of your targets is called " + t.name});
        target_ids_[t.key] = found->second;
        continue;
      }
      auto a = found == by_name.end()
                   ? call("POST", "/api/v1/targets", json::serialize(t.body))
                   : call("PATCH", "/api/v1/targets/" + percent_encode(found->second),
                          json::serialize(t.body));
      if (!a) return std::unexpected(a.error());
      if (a->status == 400) return std::unexpected(at_file(t.pointer + a->field(), *a));
      if (!a->ok()) return std::unexpected(refused(*a, "target " + t.key));
      target_ids_[t.key] = text_of(a->json, "id");
    }
    return {};
  }

  // A starter or a file: read here (its errors name its line), then stored as a dataset of
  // that name, reusing the latest version when it holds the same prompts.
  std::expected<json::object, Stop> upload(const scan::DatasetEntry& d,
                                           const std::map<std::string, json::value>& by_name) {
    std::string bytes;
    if (d.kind == scan::DatasetEntry::Kind::starter) {
      bytes = std::string(datasets::starter_dataset(d.ref)->file);
    } else {
      // Read up to the limit and one byte more: a file that grew since the scan file was
      // checked is refused, not read whole.
      std::ifstream in(d.path, std::ios::binary);
      std::array<char, 1 << 16> chunk{};
      while (in && bytes.size() <= scan::kMaxDatasetFileBytes) {
        in.read(chunk.data(), chunk.size());
        bytes.append(chunk.data(), static_cast<std::size_t>(in.gcount()));
      }
      if (!in && !in.eof())
        return std::unexpected(
            Stop{scan::kConfigError, file_.where(d.pointer) + ": cannot read " + d.path.string()});
      if (bytes.size() > scan::kMaxDatasetFileBytes)
        return std::unexpected(Stop{scan::kConfigError, file_.where(d.pointer) + ": " +
                                                            d.path.string() + " is over " +
                                                            std::string(scan::kMaxDatasetFileText) +
                                                            ", the dataset limit"});
    }
    auto options = d.options;
    if (d.kind == scan::DatasetEntry::Kind::starter) options.filename = d.ref + ".prompt";
    auto imported = datasets::import_dataset(bytes, options);
    if (!imported)
      return std::unexpected(Stop{scan::kConfigError, file_.where(d.pointer) + ": " + d.pointer +
                                                          ": " + d.ref + ": " +
                                                          imported.error().message()});
    memory::Dataset meta;
    meta.name = d.name;
    const auto jsonl =
        datasets::export_dataset(meta, imported->prompts, datasets::ExportFormat::jsonl);
    std::string into;
    if (auto it = by_name.find(d.name); it != by_name.end()) {
      into = text_of(it->second, "id");
      auto stored =
          call("GET", "/api/v1/datasets/" + percent_encode(into) + "/export?format=jsonl");
      if (!stored) return std::unexpected(stored.error());
      if (stored->ok() && stored->body == jsonl)
        return json::object{{"id", into}, {"version", int_of(it->second, "version")}};
    }
    auto a = call("POST",
                  "/api/v1/datasets/import?format=jsonl&filename=scan.jsonl&name=" +
                      percent_encode(d.name) + (into.empty() ? "" : "&dataset_id=" + into),
                  jsonl, "application/x-ndjson");
    if (!a) return std::unexpected(a.error());
    if (!a->ok()) return std::unexpected(at_file(d.pointer, *a));
    return json::object{{"id", text_of(a->json, "id")}, {"version", int_of(a->json, "version")}};
  }

  std::expected<json::array, Stop> setup_datasets() {
    auto stored = list("/api/v1/datasets");
    if (!stored) return std::unexpected(stored.error());
    std::map<std::string, json::value> by_name;
    for (const auto& d : *stored) by_name.emplace(text_of(d, "name"), d);
    json::array refs;
    for (const auto& d : file_.datasets) {
      if (d.kind == scan::DatasetEntry::Kind::stored) {
        auto a = call("GET", "/api/v1/datasets/" + percent_encode(d.ref));
        if (!a) return std::unexpected(a.error());
        if (a->status == 404)
          return std::unexpected(Stop{scan::kConfigError, file_.where(d.pointer) + ": " +
                                                              d.pointer + "/id: no dataset " +
                                                              d.ref + " of yours"});
        if (!a->ok()) return std::unexpected(refused(*a, "dataset " + d.ref));
        json::object ref{{"id", d.ref}};
        if (d.version) ref["version"] = *d.version;
        refs.push_back(std::move(ref));
        continue;
      }
      auto ref = upload(d, by_name);
      if (!ref) return std::unexpected(ref.error());
      out_.say("dataset " + d.name + ": version " + std::to_string(ref->at("version").as_int64()));
      refs.push_back(std::move(*ref));
    }
    return refs;
  }

  // The server's pointer into the orchestrator body, as a pointer into the scan file.
  std::string file_pointer(const std::string& field) const {
    if (field == "/target_id") return "/target";
    if (field == "/adversarial_target_id") return "/adversarial_target";
    return field;
  }

  std::expected<std::string, Stop> setup_orchestrator(const json::array& refs) {
    auto body = scan::orchestrator_body(file_, target_ids_, refs);
    auto a = call("POST", "/api/v1/orchestrators", json::serialize(body));
    if (!a) return std::unexpected(a.error());
    if (a->status == 400) return std::unexpected(at_file(file_pointer(a->field()), *a));
    if (!a->ok()) return std::unexpected(refused(*a, "orchestrator"));
    return text_of(a->json, "id");
  }

  std::expected<std::string, Stop> start() {
    if (auto ok = setup_targets(); !ok) return std::unexpected(ok.error());
    auto refs = setup_datasets();
    if (!refs) return std::unexpected(refs.error());
    auto orchestrator = setup_orchestrator(*refs);
    if (!orchestrator) return std::unexpected(orchestrator.error());
    const std::string path = "/api/v1/orchestrators/" + *orchestrator + "/executions";
    if (args_.dry_run) {
      auto a = call("POST", path, R"({"dry_run": true})");
      if (!a) return std::unexpected(a.error());
      if (!a->ok()) return std::unexpected(refused(*a, "dry run"));
      const auto items = int_of(a->json, "work_items");
      const auto tokens = int_of(a->json, "estimated_prompt_tokens");
      if (out_.json)
        std::cout << json::serialize(json::object{{"dry_run", true},
                                                  {"orchestrator_id", *orchestrator},
                                                  {"work_items", items},
                                                  {"estimated_prompt_tokens", tokens}})
                  << "\n";
      else
        std::cout << "dry run: " << items << " work items, about " << tokens
                  << " prompt tokens; nothing was sent\n";
      return *orchestrator;
    }
    json::object labels{{"scan", file_.name}, {"scan_file", file_.path.filename().string()}};
    auto a = call("POST", path, json::serialize(json::object{{"labels", labels}}));
    if (!a) return std::unexpected(a.error());
    if (!a->ok()) return std::unexpected(refused(*a, "start"));
    const auto id = text_of(a->json, "id");
    out_.say("execution " + id +
             " started: " + std::to_string(int_of(a->json.at("counts"), "total")) + " work items");
    return id;
  }

  std::expected<std::string, Stop> resume() {
    const auto path = "/api/v1/executions/" + percent_encode(args_.resume);
    auto a = call("GET", path);
    if (!a) return std::unexpected(a.error());
    if (a->status == 404)
      return std::unexpected(Stop{scan::kConfigError, "--resume: no execution " + args_.resume});
    if (!a->ok()) return std::unexpected(refused(*a, "--resume"));
    const auto status = text_of(a->json, "status");
    if (status == "interrupted") {
      auto r = call("POST", path + "/resume");
      if (!r) return std::unexpected(r.error());
      if (!r->ok()) return std::unexpected(refused(*r, "--resume"));
      out_.say("execution " + args_.resume + " resumed");
    } else if (args_.dry_run) {
      return std::unexpected(Stop{scan::kConfigError, "--dry-run and --resume do not mix"});
    } else {
      out_.say("execution " + args_.resume + " is " + status);
    }
    return args_.resume;
  }

  void progress(const json::value& e, Clock::time_point started, std::int64_t done_at_start) {
    const auto& c = e.at("counts");
    const auto total = int_of(c, "total");
    const auto done = int_of(c, "sent") + int_of(c, "errors");
    const double secs = std::chrono::duration<double>(Clock::now() - started).count();
    const double rate = secs > 0.5 ? static_cast<double>(done - done_at_start) / secs : 0;
    std::string eta = "-";
    if (rate > 0 && total > done) {
      const auto left = static_cast<long long>(static_cast<double>(total - done) / rate);
      eta = std::to_string(left / 60) + "m" + std::to_string(left % 60) + "s";
    }
    char buf[256];
    const double share = total > 0 ? static_cast<double>(done) / static_cast<double>(total) : 0;
    if (out_.tty) {
      std::string bar(24, '-');
      for (std::size_t i = 0; i < static_cast<std::size_t>(share * 24); ++i) bar[i] = '#';
      std::snprintf(buf, sizeof buf,
                    "\r\033[K[%s] %lld/%lld %3.0f%%  %.1f/s  ETA %s  errors %lld  achieved %lld",
                    bar.c_str(), static_cast<long long>(done), static_cast<long long>(total),
                    100 * share, rate, eta.c_str(), static_cast<long long>(int_of(c, "errors")),
                    static_cast<long long>(int_of(c, "achieved")));
      std::cerr << buf << std::flush;
    } else {
      std::snprintf(buf, sizeof buf,
                    "progress: %lld/%lld work items (%.0f%%), %.1f/s, ETA %s, errors %lld, "
                    "achieved %lld",
                    static_cast<long long>(done), static_cast<long long>(total), 100 * share, rate,
                    eta.c_str(), static_cast<long long>(int_of(c, "errors")),
                    static_cast<long long>(int_of(c, "achieved")));
      std::cerr << buf << "\n";
    }
  }

  // Polls the execution until it ends; Ctrl-C pauses it (resumable with --resume).
  std::expected<json::value, Stop> follow(const std::string& id) {
    const auto path = "/api/v1/executions/" + percent_encode(id);
    const auto started = Clock::now();
    auto last_line = Clock::time_point{};
    std::int64_t done_at_start = -1;
    bool paused = false;
    int failures = 0;
    for (;;) {
      if (interrupts > 1)
        return std::unexpected(
            Stop{scan::kIncomplete, "interrupted twice: leaving execution " + id +
                                        " as the server has it; follow it with --resume " + id});
      if (interrupts > 0 && !paused) {
        out_.say("interrupted: pausing execution " + id + " (in-flight requests finish)");
        auto p = call("POST", path + "/pause");
        if (!p || !p->ok()) out_.say("could not pause: " + (p ? p->message() : p.error().message));
        paused = true;
      }
      auto a = call("GET", path);
      if (!a || !a->ok()) {
        if (++failures >= 20)
          return std::unexpected(
              Stop{scan::kIncomplete,
                   "lost the execution " + id + ": " + (a ? a->message() : a.error().message)});
      } else {
        failures = 0;
        const auto status = text_of(a->json, "status");
        const auto& c = a->json.at("counts");
        if (done_at_start < 0) done_at_start = int_of(c, "sent") + int_of(c, "errors");
        const bool ended = status != "queued" && status != "running";
        const auto every = out_.tty ? std::chrono::milliseconds(250) : std::chrono::seconds(10);
        if (ended || Clock::now() - last_line >= every) {
          progress(a->json, started, done_at_start);
          last_line = Clock::now();
        }
        if (ended) {
          if (out_.tty) std::cerr << "\n";
          return std::move(a->json);
        }
      }
      for (int i = 0; i < 5 && interrupts < 2 && (interrupts == 0 || paused); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }

  // Names of the datasets an execution read, for the summary table.
  std::map<std::string, std::string> dataset_names(const json::object& report) {
    std::map<std::string, std::string> names;
    for (const auto& a : report.at("attempts").as_array()) {
      const auto id = text_of(a, "dataset_id");
      if (id.empty() || names.count(id)) continue;
      auto d = call("GET", "/api/v1/datasets/" + percent_encode(id));
      names[id] = d && d->ok() ? text_of(d->json, "name") : id;
    }
    return names;
  }

  std::expected<void, Stop> write_reports(const std::string& id) {
    for (const auto& r : file_.reports) {
      auto a =
          call("GET", "/api/v1/executions/" + percent_encode(id) + "/report?format=" + r.format +
                          "&source_file=" + percent_encode(file_.path.filename().string()));
      if (!a) return std::unexpected(a.error());
      if (!a->ok())
        return std::unexpected(Stop{scan::kIncomplete, "report " + r.format + ": " + a->message()});
      std::ofstream f(r.output, std::ios::binary | std::ios::trunc);
      f << a->body;
      f.close();
      if (!f)
        return std::unexpected(Stop{
            scan::kIncomplete, file_.where(r.pointer) + ": cannot write " + r.output.string()});
      out_.say("report: " + r.output.string());
    }
    return {};
  }

  int follow_and_judge(const std::string& id) {
    auto e = follow(id);
    if (!e) {
      out_.say("redcell scan: " + e.error().message);
      return e.error().status;
    }
    const auto status = text_of(*e, "status");
    auto a = call("GET", "/api/v1/executions/" + percent_encode(id) + "/report?format=json");
    if (!a || !a->ok() || !a->json.is_object()) {
      out_.say("redcell scan: cannot read the results of " + id + ": " +
               (a ? a->message() : a.error().message));
      return scan::kIncomplete;
    }
    const auto& report = a->json.as_object();
    const auto& summary = report.at("summary").as_object();
    const auto overall = scan::rate_of(summary.at("overall"));
    const double risk = summary.at("risk").is_number() ? summary.at("risk").to_number<double>() : 0;
    const auto rows = scan::summary_rows(report, dataset_names(report));
    auto verdict = scan::judge(file_.gates, status, overall, risk);
    if (auto ok = write_reports(id); !ok) {
      out_.say("redcell scan: " + ok.error().message);
      if (verdict.exit_status == scan::kPass) verdict.exit_status = ok.error().status;
    }
    if (out_.json) {
      json::array table, gates;
      for (const auto& r : rows)
        table.push_back({{"dataset", r.dataset},
                         {"chain", r.chain},
                         {"attempts", r.rate.attempts},
                         {"errors", r.rate.errors},
                         {"achieved", r.rate.achieved},
                         {"undetermined", r.rate.undetermined},
                         {"success_rate", r.rate.rate ? json::value(*r.rate.rate) : nullptr}});
      for (const auto& g : verdict.gates)
        gates.push_back(
            {{"gate", g.gate}, {"limit", g.limit}, {"value", g.value}, {"reached", g.reached}});
      std::cout << json::serialize(json::object{{"execution_id", id},
                                                {"status", status},
                                                {"exit_status", verdict.exit_status},
                                                {"reason", verdict.reason},
                                                {"overall", summary.at("overall")},
                                                {"risk", risk},
                                                {"rows", std::move(table)},
                                                {"gates", std::move(gates)}})
                << "\n";
    } else {
      std::cout << "\nexecution " << id << ": " << status << "\n\n"
                << scan::summary_table(rows, overall) << "\n";
      char buf[64];
      std::snprintf(buf, sizeof buf, "%.1f", risk);
      std::cout << "attack success rate: " << report::describe(overall) << "; risk " << buf
                << "/10\n";
      for (const auto& g : verdict.gates)
        std::cout << "gate fail_on." << g.gate << " " << g.limit << ": " << g.value
                  << (g.reached ? "  REACHED" : "  ok") << "\n";
      if (verdict.exit_status == scan::kPass)
        std::cout << "PASS\n";
      else
        std::cout << (verdict.exit_status == scan::kGateReached ? "FAIL: " : "INCOMPLETE: ")
                  << verdict.reason << "\n";
    }
    if (status == "interrupted")
      out_.say("resume with: redcell scan " + file_.path.string() + " --resume " + id);
    return verdict.exit_status;
  }

  const ScanArgs& args_;
  const scan::ScanFile& file_;
  ApiClient& api_;
  Out& out_;
  std::map<std::string, std::string> target_ids_;
};

// The server holding the store `config` names, if one runs (its URL from the writer lock).
std::optional<std::string> running_server(const ServeSettings& settings) {
  if (settings.store.kind != StoreUrl::Kind::sqlite) return std::nullopt;
  auto holder = memory::WriterLock::holder(settings.store.path);
  if (!holder || holder->listen_url.empty()) return std::nullopt;
  return holder->listen_url;
}

// The settings of the server a scan runs itself: loopback only, quiet, and allowed to reach
// loopback and private targets (the scan's own machine, its own user).
Config embedded_config(const Config& config) {
  auto allow = config.get("target-allow");
  allow += std::string(allow.empty() ? "" : ",") + "loopback,private";
  Config c = config.with("listen", "127.0.0.1:0", "redcell scan")
                 .with("access-log", "false", "redcell scan")
                 .with("target-allow", allow, "redcell scan")
                 .with("threads", "1", "redcell scan")
                 .with("metrics-listen", std::nullopt, "redcell scan")
                 .with("demo-target", std::nullopt, "redcell scan");
  if (config.setting("log-level").source == Source::default_value)
    c = c.with("log-level", "warn", "redcell scan");
  return c;
}

}  // namespace

int run_scan(const ScanArgs& args, const Config& config) {
  Out out;
  out.json = args.json;
  out.tty = ::isatty(STDERR_FILENO) == 1;
  auto file = scan::read_scan_file(args.file, process_env());
  if (!file) {
    std::cerr << "redcell scan: " << file.error().message() << "\n";
    return scan::kConfigError;
  }
  out.secrets = file->secrets;
  for (const auto& s : file->secrets) log::add_secret(s);

  std::string api_key = process_env()("REDCELL_API_KEY").value_or("");
  std::string url = args.server;
  ServeControl control;
  std::thread embedded;
  if (url.empty()) {
    auto settings = parse_serve_settings(config, process_env(), std::filesystem::current_path());
    if (!settings) {
      std::cerr << "redcell scan: " << settings.error().message() << "\n";
      return scan::kConfigError;
    }
    if (auto running = running_server(*settings)) {
      url = *running;
    } else if (settings->auth != "local") {
      std::cerr << "redcell scan: no server holds " << settings->store.str() << " and --auth is "
                << settings->auth << ": start `redcell serve`, or give its URL with --server\n";
      return scan::kConfigError;
    } else {
      auto own = embedded_config(config);
      embedded = std::thread([own = std::move(own), &control] { run_serve(own, &control); });
      url = control.wait_for_url();
      if (url.empty()) {
        embedded.join();
        std::cerr << "redcell scan: could not open the store (see above)\n";
        return scan::kConfigError;
      }
    }
  }
  out.say("redcell scan: " + file->name + " through " + url);

  struct sigaction sa {};
  sa.sa_handler = on_interrupt;
  sigemptyset(&sa.sa_mask);
  struct sigaction old_int {
  }, old_term{};
  sigaction(SIGINT, &sa, &old_int);
  sigaction(SIGTERM, &sa, &old_term);
  int status = scan::kConfigError;
  {
    ApiClient api(url, api_key);
    Scan scan(args, *file, api, out);
    status = scan.run();
  }
  if (embedded.joinable()) {
    control.stop();
    embedded.join();
  }
  sigaction(SIGINT, &old_int, nullptr);
  sigaction(SIGTERM, &old_term, nullptr);
  log::flush();
  return status;
}

}  // namespace redcell
