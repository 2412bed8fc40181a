// `redcell mock-target`: a deterministic LLM on our own HTTP server. POST
// /v1/chat/completions (OpenAI) and POST /v1/messages (Anthropic) answer per MockBehavior
// (latency, refusals, faults), GET /v1/models lists one model, GET /stats counts requests per
// outcome and per work item (X-Redcell-Work-Item), so tests can prove nothing was re-sent too
// often.

#include <boost/json.hpp>
#include <charconv>
#include <iostream>
#include <mutex>
#include <unordered_map>

#include "app/commands.hpp"
#include "app/settings.hpp"
#include "common/encoding.hpp"
#include "common/log.hpp"
#include "common/timer_queue.hpp"
#include "http/server/server.hpp"
#include "identity/identity.hpp"
#include "targets/mock_behavior.hpp"
#include "targets/mock_script.hpp"

namespace redcell {

std::vector<OptionSpec> mock_target_option_specs() {
  return {
      {"listen", "address and port to serve on", "127.0.0.1:9000", false},
      {"behavior", "echo, refuse, comply or decode", "echo", false},
      {"seed", "seed of every random decision", "1", false},
      {"latency-ms", "latency of every answer", "0", false},
      {"latency-jitter-ms", "extra latency, uniform in [0, N]", "0", false},
      {"comply-probability", "comply: the share of prompts answered (0-1)", "0.5", false},
      {"refuse-pattern", "refuse: refuse only prompts containing this text", "", false},
      {"fault", "KIND:RATE, repeatable: 429, 500, timeout, malformed, reset", "", false},
      {"retry-after", "seconds in the Retry-After header of a 429", "1", false},
      {"script", "YAML file of rules {match, system, min_user_turns, reply} and a default", "",
       false},
      {"threads", "event-loop threads (0: half the cores, at least one)", "1", false},
      {"log-level", "debug, info, warn or error", "info", false},
  };
}

namespace {

template <class T>
Result<T> number(const Config& c, const char* name, T min, T max) {
  const auto& s = c.setting(name);
  const std::string& text = s.text();
  T v{};
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || p != text.data() + text.size() || v < min || v > max)
    return fail(
        Error::invalid(s.origin, boost::json::value(text),
                       "a number from " + std::to_string(min) + " to " + std::to_string(max)));
  return v;
}

Result<MockOptions> mock_options(const Config& c) {
  MockOptions o;
  o.behavior = c.get("behavior");
  auto seed = number<std::uint64_t>(c, "seed", 0, UINT64_MAX);
  if (!seed) return fail(seed.error());
  o.seed = *seed;
  auto latency = number<std::uint32_t>(c, "latency-ms", 0, 3'600'000);
  if (!latency) return fail(latency.error());
  o.latency_ms = *latency;
  auto jitter = number<std::uint32_t>(c, "latency-jitter-ms", 0, 3'600'000);
  if (!jitter) return fail(jitter.error());
  o.latency_jitter_ms = *jitter;
  auto retry = number<std::uint32_t>(c, "retry-after", 0, 3600);
  if (!retry) return fail(retry.error());
  o.retry_after_s = *retry;
  const auto& p = c.setting("comply-probability");
  char* end = nullptr;
  o.comply_probability = std::strtod(p.text().c_str(), &end);
  if (end != p.text().c_str() + p.text().size() ||
      !(o.comply_probability >= 0 && o.comply_probability <= 1))
    return fail(Error::invalid(p.origin, boost::json::value(p.text()), "a number from 0 to 1"));
  o.refuse_pattern = c.get("refuse-pattern");
  const std::string faults = c.get("fault");
  std::size_t start = 0;
  while (start < faults.size()) {
    auto comma = faults.find(',', start);
    auto item =
        faults.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (!item.empty()) {
      auto f = parse_mock_fault(item);
      if (!f) return fail(f.error());
      o.faults.push_back(*f);
    }
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return o;
}

// A message's text: a string, or the text parts of a content array.
std::string content_text(const boost::json::value* content) {
  if (!content) return "";
  if (content->is_string()) return std::string(content->as_string());
  std::string out;
  if (content->is_array())
    for (const auto& part : content->as_array())
      if (part.is_object() && part.as_object().contains("text") &&
          part.as_object().at("text").is_string())
        out += part.as_object().at("text").as_string();
  return out;
}

// The conversation a request carries: Anthropic's top-level `system`, then `messages`.
std::vector<ChatTurn> chat_turns(const boost::json::value& body) {
  std::vector<ChatTurn> turns;
  if (!body.is_object()) return turns;
  const auto& o = body.as_object();
  if (const auto* system = o.if_contains("system"))
    turns.push_back({"system", content_text(system)});
  const auto* messages = o.if_contains("messages");
  if (!messages || !messages->is_array()) return turns;
  for (const auto& m : messages->as_array()) {
    if (!m.is_object()) continue;
    const auto* role = m.as_object().if_contains("role");
    if (!role || !role->is_string()) continue;
    turns.push_back(
        {std::string(role->as_string()), content_text(m.as_object().if_contains("content"))});
  }
  return turns;
}

std::string last_user_text(const std::vector<ChatTurn>& turns) {
  for (auto it = turns.rbegin(); it != turns.rend(); ++it)
    if (it->role == "user") return it->content;
  return "";
}

class MockStats {
 public:
  void count(const std::string& key, MockFault outcome) {
    std::lock_guard lk(mu_);
    ++requests_;
    ++by_outcome_[std::string(to_string(outcome))];
    if (!key.empty()) ++per_item_[key];
  }
  std::uint64_t next(const std::string& key) {
    std::lock_guard lk(mu_);
    return seen_[key]++;
  }
  // A request is being answered until ended(): the most at once shows a client's concurrency.
  void started() {
    std::lock_guard lk(mu_);
    most_in_flight_ = std::max(most_in_flight_, ++in_flight_);
  }
  void ended() {
    std::lock_guard lk(mu_);
    --in_flight_;
  }
  boost::json::object json(bool detail) {
    std::lock_guard lk(mu_);
    boost::json::object outcomes, items;
    for (const auto& [k, v] : by_outcome_) outcomes[k] = v;
    std::uint64_t max = 0;
    for (const auto& [k, v] : per_item_) {
      max = std::max(max, v);
      if (detail) items[k] = v;
    }
    boost::json::object out{{"requests", requests_},
                            {"by_outcome", std::move(outcomes)},
                            {"items", per_item_.size()},
                            {"max_per_item", max},
                            {"most_in_flight", most_in_flight_}};
    if (detail) out["per_item"] = std::move(items);
    return out;
  }
  void reset() {
    std::lock_guard lk(mu_);
    requests_ = 0;
    by_outcome_.clear();
    per_item_.clear();
    seen_.clear();
    most_in_flight_ = in_flight_;
  }

 private:
  std::mutex mu_;
  std::uint64_t requests_ = 0, in_flight_ = 0, most_in_flight_ = 0;
  std::unordered_map<std::string, std::uint64_t> by_outcome_, per_item_, seen_;
};

// The wire format a request came in: OpenAI's chat completions or Anthropic's messages.
enum class Dialect { openai, anthropic };

http::Response api_error(Dialect dialect, unsigned status, const std::string& type,
                         const std::string& message) {
  if (dialect == Dialect::anthropic)
    return http::Response::json(
        status, {{"type", "error"}, {"error", {{"type", type}, {"message", message}}}});
  return http::Response::json(
      status, {{"error", {{"message", message}, {"type", type}, {"code", nullptr}}}});
}

http::Response answer(Dialect dialect, const MockDecision& d, const MockOptions& o,
                      const std::string& model, const std::string& prompt, std::uint64_t n) {
  const bool anthropic = dialect == Dialect::anthropic;
  switch (d.fault) {
    case MockFault::rate_limit: {
      auto r = api_error(dialect, 429, anthropic ? "rate_limit_error" : "rate_limit_exceeded",
                         "mock: rate limit reached");
      r.headers.emplace_back("Retry-After", std::to_string(o.retry_after_s));
      return r;
    }
    case MockFault::server_error:
      return api_error(dialect, 500, anthropic ? "api_error" : "server_error",
                       "mock: internal error");
    case MockFault::malformed:
      return http::Response::text(200, R"({"choices": [{"message": {"content": "trunc)",
                                  "application/json");
    case MockFault::reset: {
      http::Response r;
      r.reset_connection = true;
      return r;
    }
    default:
      break;
  }
  const auto pt = estimate_tokens(prompt), ct = estimate_tokens(d.reply);
  if (anthropic)
    return http::Response::json(200, {{"id", "msg_mock_" + std::to_string(n)},
                                      {"type", "message"},
                                      {"role", "assistant"},
                                      {"model", model},
                                      {"content", {{{"type", "text"}, {"text", d.reply}}}},
                                      {"stop_reason", "end_turn"},
                                      {"usage", {{"input_tokens", pt}, {"output_tokens", ct}}}});
  return http::Response::json(
      200,
      {{"id", "chatcmpl-mock-" + std::to_string(n)},
       {"object", "chat.completion"},
       {"model", model},
       {"choices",
        {{{"index", 0},
          {"message", {{"role", "assistant"}, {"content", d.reply}}},
          {"finish_reason", "stop"}}}},
       {"usage", {{"prompt_tokens", pt}, {"completion_tokens", ct}, {"total_tokens", pt + ct}}}});
}

// The mock's routes: both chat dialects (answered by `mock`, or `script` when it matches),
// the model list and the counters. Everything referenced outlives the router.
void add_mock_routes(http::Router& router, MockStats& stats, TimerQueue& timers,
                     const MockBehavior& mock, std::shared_ptr<const MockScript> script) {
  http::RouteOptions open;
  open.authenticated = false;
  open.summary = "OpenAI-compatible chat completion";
  open.json_body = true;
  // Both dialects share the decisions, the counters and the latency.
  auto serve = [&stats, &timers, &mock, script](Dialect dialect, std::shared_ptr<http::Request> req,
                                                http::Reply reply) {
    const auto turns = chat_turns(req->json);
    const std::string prompt = last_user_text(turns);
    auto item = req->header("x-redcell-work-item");
    const std::string key = item ? std::string(*item) : sha256_hex(prompt);
    const auto n = stats.next(key);
    auto d = mock.decide(prompt, key, n);
    if (script && d.fault == MockFault::none)
      if (auto scripted = script->reply(turns)) d.reply = std::move(*scripted);
    stats.count(item ? key : "", d.fault);
    stats.started();
    auto answer_with = [&stats, reply](http::Response r) {
      stats.ended();
      reply(std::move(r));
    };
    std::string model = "mock-llm";
    if (const auto* m =
            req->json.is_object() ? req->json.as_object().if_contains("model") : nullptr;
        m && m->is_string())
      model = std::string(m->as_string());
    if (d.fault == MockFault::timeout) {
      // Held far beyond any sane client timeout; dropped when the mock stops.
      timers.after(std::chrono::minutes(10), [answer_with, dialect] {
        answer_with(api_error(dialect, 504, "timeout", "mock: too late"));
      });
      return;
    }
    auto response = answer(dialect, d, mock.options(), model, prompt, n);
    if (d.delay.count() == 0) return answer_with(std::move(response));
    timers.after(d.delay, [answer_with, response = std::move(response)]() mutable {
      answer_with(std::move(response));
    });
  };
  router.add_async(
      "POST", "/v1/chat/completions",
      [serve](std::shared_ptr<http::Request> req, http::Reply reply) {
        serve(Dialect::openai, std::move(req), std::move(reply));
      },
      open);
  open.summary = "Anthropic-compatible messages";
  router.add_async(
      "POST", "/v1/messages",
      [serve](std::shared_ptr<http::Request> req, http::Reply reply) {
        serve(Dialect::anthropic, std::move(req), std::move(reply));
      },
      open);
  open.json_body = false;
  open.summary = "The one mock model";
  router.add(
      "GET", "/v1/models",
      [](http::Request&) {
        return http::Response::json(
            200, {{"object", "list"},
                  {"data", {{{"id", "mock-llm"}, {"object", "model"}, {"owned_by", "redcell"}}}}});
      },
      open);
  open.summary =
      "Request counts per outcome and per work item (?detail=1 lists items), and the most "
      "answered at once";
  router.add(
      "GET", "/stats",
      [&stats](http::Request& req) {
        return http::Response::json(200, stats.json(req.query_param("detail").has_value()));
      },
      open);
  open.summary = "Zero the counters";
  router.add(
      "POST", "/stats/reset",
      [&stats](http::Request&) {
        stats.reset();
        return http::Response::json(200, {{"reset", true}});
      },
      open);
}

}  // namespace

int run_mock_target(const Config& config) {
  const auto& lvl = config.setting("log-level");
  auto level = log::parse_level(lvl.text());
  if (!level) {
    std::cerr << "redcell mock-target: " << lvl.origin << ": expected debug, info, warn or error\n";
    return 2;
  }
  log::init(*level);
  auto options = mock_options(config);
  if (!options) {
    std::cerr << "redcell mock-target: " << options.error().message() << "\n";
    return 2;
  }
  auto behavior = MockBehavior::create(*options);
  if (!behavior) {
    std::cerr << "redcell mock-target: " << behavior.error().message() << "\n";
    return 2;
  }
  std::shared_ptr<const MockScript> script;  // null: the behaviour answers
  if (const auto path = config.get("script"); !path.empty()) {
    auto loaded = MockScript::load(path);
    if (!loaded) {
      std::cerr << "redcell mock-target: " << loaded.error().message() << "\n";
      return 2;
    }
    script = std::move(*loaded);
  }
  const auto& listen = config.setting("listen");
  auto hp = parse_listen(listen.text(), listen.origin);
  if (!hp) {
    std::cerr << "redcell mock-target: " << hp.error().message() << "\n";
    return 2;
  }
  auto threads = number<unsigned>(config, "threads", 0, 256);
  if (!threads) {
    std::cerr << "redcell mock-target: " << threads.error().message() << "\n";
    return 2;
  }

  MockStats stats;
  TimerQueue timers;
  http::Router router;
  add_mock_routes(router, stats, timers, *behavior, script);

  http::MetricsRegistry metrics;
  http::HttpMetrics http_metrics(metrics, router);
  LocalAuthenticator nobody(Identity{"mock", "redcell:mock", "mock", "mock", "mock", {}});
  http::ServerOptions so;
  so.host = hp->first;
  so.port = hp->second;
  so.threads = *threads;
  so.body_limit = 16 << 20;
  so.allowed_hosts = {"*"};
  so.access_log = false;
  so.shutdown_timeout = std::chrono::seconds(2);
  http::Server server(so, router, nobody, http_metrics);
  if (auto ok = server.listen(); !ok) {
    std::cerr << "redcell mock-target: " << ok.error().message() << "\n";
    return 1;
  }
  log::info("listening", {{"url", server.url()},
                          {"behavior", options->behavior},
                          {"seed", options->seed},
                          {"latency_ms", options->latency_ms},
                          {"faults", config.get("fault")},
                          {"script", config.get("script")}});
  server.run();
  timers.stop();
  log::flush();
  return 0;
}

}  // namespace redcell
