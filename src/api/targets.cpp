// /api/v1/targets: the LLM endpoints attacks are sent to. A target's api_key is sealed with
// the deployment's SecretBox (or named by api_key_env) and never appears in an answer.
#include <boost/json.hpp>
#include <chrono>
#include <mutex>
#include <unordered_map>

#include "api/handlers.hpp"
#include "api/routes.hpp"
#include "common/json_input.hpp"
#include "common/secret_box.hpp"
#include "common/time.hpp"
#include "engine/target_spec.hpp"
#include "http/wire.hpp"
#include "memory/store.hpp"
#include "targets/key_env_policy.hpp"
#include "targets/target.hpp"
#include "targets/target_config.hpp"
#include "targets/target_type.hpp"

namespace redcell::api {

namespace {

boost::json::object target_json(const memory::Target& t) {
  boost::json::object o{{"id", t.id}, {"name", t.name}, {"type", t.type}};
  auto config = boost::json::parse(t.config);
  if (config.is_object())
    for (const auto& kv : config.as_object()) o[kv.key()] = kv.value();
  o["has_api_key"] = !t.secret_ciphertext.empty();
  o["api_key_env"] =
      t.api_key_env.empty() ? boost::json::value(nullptr) : boost::json::value(t.api_key_env);
  o["created_at"] = format_time(t.created_at);
  o["updated_at"] = format_time(t.updated_at);
  return o;
}

// Fills `t` from a full target body: name, type, config, and the secret when given.
// `keep_secret` is the stored ciphertext an update keeps when the body names no api_key.
Result<void> fill_target(const Services& s, const boost::json::object& body, memory::Target& t,
                         const std::string& keep_secret) {
  JsonInput in(body, "");
  auto name = in.string("name", 200);
  if (!name) return fail(name.error());
  auto config = normalize_target_config(in, s.endpoints, TargetTypes::of(s.target_deps));
  if (!config) return fail(config.error());
  auto key = in.opt_string("api_key", 10000);
  if (!key) return fail(key.error());
  auto env = in.opt_string("api_key_env", 200);
  if (!env) return fail(env.error());
  if (*env)
    if (auto ok = s.target_deps.key_env.check(**env); !ok) return fail(ok.error());
  if (*key && !http::wire::is_field_value(**key))
    return fail(Error::invalid("/api_key", "(withheld)",
                               "a key without CR, LF, NUL or other control characters"));
  if (*key && *env)
    return fail(Error::invalid("/api_key_env", boost::json::value(**env),
                               "either api_key or api_key_env, not both"));
  t.name = *name;
  t.type = std::string(body.at("type").as_string());
  t.config = boost::json::serialize(*config);
  t.api_key_env = env->value_or("");
  t.secret_ciphertext = keep_secret;
  if (*key) {
    auto sealed = s.secrets.seal(**key);
    if (!sealed) return fail(sealed.error());
    t.secret_ciphertext = *sealed;
  }
  if (*env) t.secret_ciphertext.clear();
  return {};
}

http::Response create(const Services& s, http::Request& req) {
  auto body = JsonInput::of(req.json, "", "a target object {\"name\", \"type\", ...}");
  if (!body) return http::Response::error(body.error());
  memory::Target t;
  if (auto ok = fill_target(s, body->object(), t, ""); !ok)
    return http::Response::error(ok.error());
  auto stored = s.store.add_target(scope_of(req), std::move(t)).get();
  if (!stored) return http::Response::error(stored.error());
  audit(s.store, req, "target.create", "target", stored->id,
        {{"name", stored->name}, {"type", stored->type}});
  return http::Response::json(201, target_json(*stored));
}

// PATCH: the stored target overlaid with the given members; null removes a member.
http::Response update(const Services& s, http::Request& req) {
  auto patch = JsonInput::of(req.json, "", "an object of the members to change");
  if (!patch) return http::Response::error(patch.error());
  auto scope = scope_of(req);
  auto current = s.store.get_target(scope, req.param("id"));
  if (!current) return http::Response::error(current.error());
  boost::json::object merged = boost::json::parse(current->config).as_object();
  merged["name"] = current->name;
  merged["type"] = current->type;
  if (!current->api_key_env.empty()) merged["api_key_env"] = current->api_key_env;
  std::string keep = current->secret_ciphertext;
  for (const auto& kv : patch->object()) {
    if (kv.key() == "api_key" && kv.value().is_null()) keep.clear();
    if (kv.value().is_null())
      merged.erase(kv.key());
    else
      merged[kv.key()] = kv.value();
  }
  if (merged.contains("api_key")) merged.erase("api_key_env");
  // A stored key goes only where it was first sent: a new endpoint, type or headers
  // without the key re-sent forgets it (else PATCHing the endpoint to one's own host and
  // probing would hand the "never shown again" key over).
  const auto config_before = boost::json::parse(current->config).as_object();
  auto member_changed = [&](const char* key) {
    const auto* before = config_before.if_contains(key);
    const auto* after = merged.if_contains(key);
    return (before == nullptr) != (after == nullptr) || (before && *before != *after);
  };
  const bool moved = member_changed("endpoint") || member_changed("headers") ||
                     !merged.contains("type") ||
                     merged.at("type") != boost::json::value(current->type);
  const bool forget_key = moved && !keep.empty() && !patch->object().contains("api_key");
  if (forget_key) keep.clear();
  memory::Target t;
  t.id = current->id;
  if (auto ok = fill_target(s, merged, t, keep); !ok) return http::Response::error(ok.error());
  auto stored = s.store.update_target(scope, std::move(t)).get();
  if (!stored) return http::Response::error(stored.error());
  boost::json::array changed;
  for (const auto& kv : patch->object()) changed.emplace_back(kv.key());
  boost::json::object details{{"changed", std::move(changed)}};
  if (forget_key) details["api_key_forgotten"] = true;
  audit(s.store, req, "target.update", "target", stored->id, std::move(details));
  return http::Response::json(200, target_json(*stored));
}

// Probes in flight, bounded per user and in total: a probe holds no thread while it waits
// (the target's own client answers), but each holds a connection to someone's endpoint.
class ProbeSlots {
 public:
  static constexpr int kPerUser = 4;
  static constexpr int kTotal = 32;

  bool try_take(const std::string& user) {
    std::lock_guard lock(mu_);
    if (total_ >= kTotal || by_user_[user] >= kPerUser) return false;
    ++total_;
    ++by_user_[user];
    return true;
  }
  void give_back(const std::string& user) {
    std::lock_guard lock(mu_);
    --total_;
    if (--by_user_[user] == 0) by_user_.erase(user);
  }

 private:
  std::mutex mu_;
  int total_ = 0;
  std::unordered_map<std::string, int> by_user_;
};

boost::json::object probe_json(const std::string& target_id, double ms, const TargetResult& r) {
  boost::json::object out{{"target_id", target_id}, {"latency_ms", ms}};
  if (r) {
    out["ok"] = r->response_error == "none";
    out["reply"] = r->text;
    out["response_error"] = r->response_error;
    out["error"] = r->error_message.empty() ? boost::json::value(nullptr)
                                            : boost::json::value(r->error_message);
    out["prompt_tokens"] =
        r->prompt_tokens ? boost::json::value(*r->prompt_tokens) : boost::json::value(nullptr);
    out["completion_tokens"] = r->completion_tokens ? boost::json::value(*r->completion_tokens)
                                                    : boost::json::value(nullptr);
  } else {
    out["ok"] = false;
    out["reply"] = nullptr;
    out["response_error"] = r.error().response_error;
    out["error"] = r.error().message;
    out["retryable"] = r.error().retryable;
  }
  return out;
}

// One probe through the target as an execution would send it: the reply or the error, and
// how long it took; nothing is stored. The store read runs on the pool; the send is
// asynchronous and answers from the client's thread, bounded by min(the target's timeout,
// --probe-timeout).
void probe(const Services& s, const std::shared_ptr<ProbeSlots>& slots,
           std::chrono::milliseconds probe_timeout, std::shared_ptr<http::Request> req,
           http::Reply reply) {
  auto body = JsonInput::of(req->json, "", "an object {\"prompt\"?}");
  if (!body) return reply(http::Response::error(body.error()));
  if (auto ok = body->only({"prompt"}); !ok) return reply(http::Response::error(ok.error()));
  auto prompt = body->opt_string("prompt", 100000);
  if (!prompt) return reply(http::Response::error(prompt.error()));
  const std::string user = req->identity ? req->identity->user_id : std::string();
  if (!slots->try_take(user)) {
    auto r = http::Response::error(Error(
        ErrorCode::too_many_requests, "too many target probes in flight (at most " +
                                          std::to_string(ProbeSlots::kPerUser) + " of yours and " +
                                          std::to_string(ProbeSlots::kTotal) +
                                          " on this server); retry when one has answered"));
    r.headers.emplace_back("Retry-After", "5");
    return reply(std::move(r));
  }
  // The slot is handed back exactly once, whichever way the answer goes.
  auto release = std::shared_ptr<void>(nullptr, [slots, user](void*) { slots->give_back(user); });
  s.pool.post([s, req, reply = std::move(reply),
               text = prompt->value_or("Reply with the word: ready"), release,
               probe_timeout]() mutable {
    auto row = s.store.get_target(scope_of(*req), req->param("id"));
    if (!row) return reply(http::Response::error(row.error()));
    auto config = boost::json::parse(row->config).as_object();
    auto& limits = config["limits"];
    if (!limits.is_object()) limits = boost::json::object();
    auto& timeout = limits.as_object()["timeout_ms"];
    timeout = std::min<std::int64_t>(timeout.is_int64() ? timeout.as_int64() : 60'000,
                                     probe_timeout.count());
    row->config = boost::json::serialize(config);
    auto made = make_target(target_spec(*row), s.target_deps);
    if (!made) return reply(http::Response::error(made.error()));
    std::shared_ptr<Target> target = std::move(*made);
    TargetRequest request;
    request.messages.push_back({"user", std::move(text)});
    request.work_item_id = "probe-" + std::string(req->request_id);
    const auto started = std::chrono::steady_clock::now();
    // The target stays alive until its answer, which its timeout bounds.
    target->send(std::move(request), [target, id = row->id, started, reply = std::move(reply),
                                      release](TargetResult r) {
      const double ms =
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
              .count();
      reply(http::Response::json(200, probe_json(id, ms, r)));
    });
  });
}

}  // namespace

Result<bool> ensure_demo_target(const Services& s, const memory::Scope& scope,
                                const std::string& endpoint) {
  PageRequest page;
  page.limit = 200;
  for (;;) {
    auto listed = s.store.list_targets(scope, page);
    if (!listed) return fail(listed.error());
    for (const auto& t : listed->items)
      if (t.name == kDemoTargetName) return false;
    if (!listed->next) break;
    page.after = listed->next;
  }
  boost::json::object body{{"name", kDemoTargetName},
                           {"type", "openai_chat"},
                           {"endpoint", endpoint},
                           {"model", "mock"}};
  memory::Target t;
  if (auto ok = fill_target(s, body, t, ""); !ok) return fail(ok.error());
  auto stored = s.store.add_target(scope, std::move(t)).get();
  if (!stored) return fail(stored.error());
  return true;
}

void add_target_routes(http::Router& router, const Services& s,
                       std::chrono::milliseconds probe_timeout) {
  http::RouteOptions opts;
  opts.summary = "Create a target (openai_chat, anthropic_messages, http, mock)";
  add_creating(
      router, "/api/v1/targets", s.store, s.pool,
      [s](http::Request& req) { return create(s, req); }, opts);

  opts = {};
  opts.summary = "The target types this server offers and the members each accepts";
  router.add(
      "GET", "/api/v1/target-types",
      [s](http::Request&) {
        const TargetTypes& types = TargetTypes::of(s.target_deps);
        boost::json::array items;
        for (const auto& t : types.types()) {
          boost::json::array members{"name", "type", "limits"};
          for (const auto& m : t.members) members.emplace_back(m);
          items.push_back({{"type", t.type},
                           {"description", t.description},
                           {"members", std::move(members)},
                           {"takes_api_key", t.takes_api_key()}});
        }
        return http::Response::json(
            200, boost::json::object{{"items", std::move(items)}, {"next_cursor", nullptr}});
      },
      opts);

  opts.summary = "Your targets";
  add_blocking(
      router, "GET", "/api/v1/targets", s.pool,
      [s](http::Request& req) {
        auto page = page_of(req);
        if (!page) return http::Response::error(page.error());
        return page_json(s.store.list_targets(scope_of(req), *page), target_json);
      },
      opts);

  opts.summary = "One target (never its api key)";
  add_blocking(
      router, "GET", "/api/v1/targets/{id}", s.pool,
      [s](http::Request& req) {
        auto t = s.store.get_target(scope_of(req), req.param("id"));
        if (!t) return http::Response::error(t.error());
        return http::Response::json(200, target_json(*t));
      },
      opts);

  opts.summary = "Change a target's members; null removes one (api_key: null forgets the key)";
  opts.json_body = true;
  add_blocking(
      router, "PATCH", "/api/v1/targets/{id}", s.pool,
      [s](http::Request& req) { return update(s, req); }, opts);

  opts.summary =
      "Send one probe through a target: latency and the reply or the error (at most 4 of "
      "yours at once: 429 with Retry-After above that)";
  router.add_async(
      "POST", "/api/v1/targets/{id}/test",
      [s, slots = std::make_shared<ProbeSlots>(), probe_timeout](std::shared_ptr<http::Request> req,
                                                                 http::Reply reply) {
        probe(s, slots, probe_timeout, std::move(req), std::move(reply));
      },
      opts);

  opts = {};
  opts.summary = "Delete a target; executions that used it stay readable";
  add_blocking(
      router, "DELETE", "/api/v1/targets/{id}", s.pool,
      [s](http::Request& req) {
        auto t = s.store.delete_target(scope_of(req), std::string(req.param("id"))).get();
        if (!t) return http::Response::error(t.error());
        audit(s.store, req, "target.delete", "target", t->id, {{"name", t->name}});
        return http::Response::json(200, target_json(*t));
      },
      opts);
}

}  // namespace redcell::api
