// mock: the in-process twin of `redcell mock-target` (MockBehavior and an optional script,
// without a network hop; delays on the HTTP client's timers). The demo target and the tests'.
#include <boost/json.hpp>
#include <limits>
#include <mutex>
#include <unordered_map>

#include "http/client/client.hpp"
#include "targets/builders.hpp"
#include "targets/mock_behavior.hpp"
#include "targets/mock_script.hpp"
#include "targets/target_type.hpp"

namespace redcell {

namespace {

// In-process mock: MockBehavior without a network hop, delays on the client's timers.
class MockTarget final : public Target {
 public:
  MockTarget(http::HttpClient& client, MockBehavior behavior, TargetLimits limits,
             std::shared_ptr<const MockScript> script)
      : client_(client), behavior_(std::move(behavior)), script_(std::move(script)) {
    limits_ = limits;
  }

  void send(TargetRequest request, std::function<void(TargetResult)> done) override {
    std::string prompt = request.messages.empty() ? "" : request.messages.back().content;
    std::uint64_t n;
    {
      std::lock_guard lk(mu_);
      n = seen_[request.work_item_id]++;
    }
    auto d = behavior_.decide(prompt, request.work_item_id, n);
    if (script_ && d.fault == MockFault::none)
      if (auto scripted = script_->reply(request.messages)) d.reply = std::move(*scripted);
    TargetResult result;
    switch (d.fault) {
      case MockFault::none:
        result =
            TargetReply{d.reply, "none", "", estimate_tokens(prompt), estimate_tokens(d.reply)};
        break;
      case MockFault::rate_limit:
        result = std::unexpected(TargetFailure{
            "HTTP 429: mock rate limit", true,
            std::chrono::milliseconds(behavior_.options().retry_after_s * 1000), "unknown"});
        break;
      case MockFault::server_error:
        result =
            std::unexpected(TargetFailure{"HTTP 500: mock error", true, std::nullopt, "unknown"});
        break;
      case MockFault::timeout:
        result = std::unexpected(TargetFailure{"timed out", true, std::nullopt, "unknown"});
        d.delay = limits_.timeout;
        break;
      case MockFault::malformed:
        result = std::unexpected(
            TargetFailure{"the response is not valid JSON", true, std::nullopt, "processing"});
        break;
      case MockFault::reset:
        result = std::unexpected(
            TargetFailure{"connection reset by the server", true, std::nullopt, "unknown"});
        break;
    }
    if (d.delay.count() == 0) return done(std::move(result));
    client_.after(d.delay, [done = std::move(done), result = std::move(result)]() mutable {
      done(std::move(result));
    });
  }

 private:
  http::HttpClient& client_;
  MockBehavior behavior_;
  std::shared_ptr<const MockScript> script_;  // null: the behaviour answers
  std::mutex mu_;
  std::unordered_map<std::string, std::uint64_t> seen_;
};

Result<void> validate_mock(const JsonInput& body, boost::json::object& out) {
  auto behavior = body.opt_string("behavior", 20);
  if (!behavior) return fail(behavior.error());
  const std::string b = behavior->value_or("echo");
  if (b != "echo" && b != "refuse" && b != "comply" && b != "decode")
    return fail(Error::invalid(body.field("behavior"), boost::json::value(b),
                               "one of echo, refuse, comply, decode"));
  out["behavior"] = b;
  auto seed = body.opt_int("seed", 0, std::numeric_limits<std::int64_t>::max());
  if (!seed) return fail(seed.error());
  out["seed"] = seed->value_or(1);
  auto latency = body.opt_int("latency_ms", 0, 600'000);
  if (!latency) return fail(latency.error());
  out["latency_ms"] = latency->value_or(0);
  auto p = body.opt_number("comply_probability", 0, 1);
  if (!p) return fail(p.error());
  out["comply_probability"] = p->value_or(b == "refuse" ? 0.0 : 1.0);
  if (auto ok =
          copy_opt(out, "refuse_pattern", [&] { return body.opt_string("refuse_pattern", 1000); });
      !ok)
    return ok;
  if (const auto* script = body.get("script")) {
    // Rules played in order against each conversation (targets/mock_script.hpp).
    auto parsed = MockScript::parse(*script, body.field("script"));
    if (!parsed) return fail(parsed.error());
    out["script"] = (*parsed)->to_json();
  }
  return {};
}

Result<std::unique_ptr<Target>> build_mock(const boost::json::object& c, const TargetDeps& deps) {
  MockOptions o;
  o.behavior = config_string(c, "behavior");
  if (const auto* v = c.if_contains("seed"); v && v->is_int64())
    o.seed = static_cast<std::uint64_t>(v->as_int64());
  if (const auto* v = c.if_contains("latency_ms"); v && v->is_int64())
    o.latency_ms = static_cast<std::uint32_t>(v->as_int64());
  if (const auto* v = c.if_contains("comply_probability"); v && v->is_number())
    o.comply_probability = v->to_number<double>();
  o.refuse_pattern = config_string(c, "refuse_pattern");
  auto behavior = MockBehavior::create(o);
  if (!behavior) return fail(behavior.error());
  std::shared_ptr<const MockScript> script;
  if (const auto* v = c.if_contains("script")) {
    auto parsed = MockScript::parse(*v, "/script");
    if (!parsed) return fail(parsed.error());
    script = std::move(*parsed);
  }
  return std::make_unique<MockTarget>(deps.client, std::move(*behavior), limits_of(c),
                                      std::move(script));
}

}  // namespace

TargetType mock_type() {
  return TargetType{
      "mock",
      "An in-process mock LLM: echo, refuse, comply or decode, with latency, a seed and an "
      "optional script of rules (a guarded target, an attacker or a judge played "
      "deterministically)",
      {"behavior", "seed", "latency_ms", "comply_probability", "refuse_pattern", "script"},
      [](const JsonInput& body, const EndpointPolicy&, boost::json::object& out) {
        return validate_mock(body, out);
      },
      [](const boost::json::object& config, std::string, const TargetDeps& deps) {
        return build_mock(config, deps);
      }};
}

}  // namespace redcell
