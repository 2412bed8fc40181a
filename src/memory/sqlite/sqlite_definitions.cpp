// SqliteStore: API keys, idempotency keys, targets and orchestrators.
#include "memory/prepare.hpp"
#include "memory/sqlite/sqlite_store_impl.hpp"

namespace redcell::memory {

namespace {

constexpr const char* kApiKeyCols =
    "id, owner, name, prefix, secret_hash, created_at, last_used_at, revoked_at";
ApiKey read_api_key(const Statement& s) {
  ApiKey k{s.text(0), s.text(1), s.text(2), s.text(3), s.text(4), s.time(5), {}, {}};
  if (!s.is_null(6)) k.last_used_at = s.time(6);
  if (!s.is_null(7)) k.revoked_at = s.time(7);
  return k;
}

constexpr const char* kTargetCols =
    "id, owner, name, type, config, secret_ciphertext, api_key_env, created_at, updated_at";
Target read_target(const Statement& s) {
  return Target{s.text(0), s.text(1), s.text(2), s.text(3), s.text(4),
                s.text(5), s.text(6), s.time(7), s.time(8)};
}

constexpr const char* kOrchestratorCols =
    "id, owner, name, type, definition, config_hash, created_at, updated_at";
Orchestrator read_orchestrator(const Statement& s) {
  return Orchestrator{s.text(0), s.text(1), s.text(2), s.text(3), s.text(4),
                      s.text(5), s.time(6), s.time(7), false};
}

constexpr const char* kIdemCols = "owner, key, request_hash, status, response_body, created_at";
IdempotencyRecord read_idem(const Statement& s) {
  return IdempotencyRecord{s.text(0), s.text(1), s.text(2), static_cast<int>(s.int64(3)),
                           s.text(4), s.time(5), false};
}

// One owned, live row re-read inside a write.
template <class T, class Read>
Result<T> reread(Connection& c, const char* table, const char* cols, const std::string& id,
                 Read read_row, std::string_view what) {
  auto st = c.prepare(std::string("SELECT ") + cols + " FROM " + table + " WHERE id = ?");
  if (!st) return fail(st.error());
  (*st)->bind(1, id);
  return one_row<T>(**st, read_row, what);
}

// UPDATE ... WHERE id = ? [AND owner = ?] [AND deleted_at IS NULL]; not_found when no row
// of the scope matched. `bind_set` binds the SET values from position 1.
template <class BindSet>
Result<void> update_owned(Connection& c, const std::string& sql_prefix, int set_count,
                          const std::string& id, const std::string& owner, bool live_only,
                          BindSet bind_set, std::string_view what) {
  std::string sql = sql_prefix + " WHERE id = ?" + (owner.empty() ? "" : " AND owner = ?") +
                    (live_only ? " AND deleted_at IS NULL" : "");
  auto st = c.prepare(sql);
  if (!st) return fail(st.error());
  StatementReset reset{*st};
  bind_set(**st);
  (*st)->bind(set_count + 1, id);
  if (!owner.empty()) (*st)->bind(set_count + 2, owner);
  if (auto ok = (*st)->run(); !ok) return fail(ok.error());
  if (c.changes() == 0) return fail(not_found(what));
  return {};
}

}  // namespace

// --- API keys ----------------------------------------------------------------------------

Future<ApiKey> SqliteStore::add_api_key(const Scope& scope, ApiKey key) {
  auto* im = impl_.get();
  if (auto ok = prepare_api_key(scope, key, im->ids, im->clock); !ok)
    return Impl::failed<ApiKey>(ok.error());
  return im->submit<ApiKey>([key = std::move(key)](Connection& c) -> Result<ApiKey> {
    auto st = c.prepare(std::string("INSERT INTO api_keys (") + kApiKeyCols +
                        ") VALUES (?, ?, ?, ?, ?, ?, NULL, NULL)");
    if (!st) return fail(st.error());
    StatementReset reset{*st};
    auto& s = **st;
    s.bind(1, key.id);
    s.bind(2, key.owner);
    s.bind(3, key.name);
    s.bind(4, key.prefix);
    s.bind(5, key.secret_hash);
    s.bind(6, key.created_at);
    if (auto ok = s.run(); !ok) return fail(ok.error());
    return key;
  });
}

Result<Page<ApiKey>> SqliteStore::list_api_keys(const Scope& scope, const PageRequest& page) {
  return impl_->list_owned<ApiKey>(scope, "api_keys", kApiKeyCols, page, read_api_key,
                                   [&](Query& q) { (void)q; });
}

Future<ApiKey> SqliteStore::revoke_api_key(const Scope& scope, std::string id) {
  auto now = impl_->clock.now();
  return impl_->submit<ApiKey>(
      [id, owner = scope_owner(scope), now](Connection& c) -> Result<ApiKey> {
        auto ok = update_owned(
            c, "UPDATE api_keys SET revoked_at = COALESCE(revoked_at, ?)", 1, id, owner, false,
            [&](Statement& s) { s.bind(1, now); }, "api key");
        if (!ok) return fail(ok.error());
        return reread<ApiKey>(c, "api_keys", kApiKeyCols, id, read_api_key, "api key");
      },
      &impl_->identity_gen);
}

std::uint64_t SqliteStore::identity_generation() const {
  return impl_->identity_gen.load();
}

Result<ApiKey> SqliteStore::find_api_key(const Scope& scope, std::string_view prefix) {
  if (!scope.is_system())
    return fail(Error(ErrorCode::forbidden, "API keys are looked up by the system scope"));
  return impl_->read([&](Connection& c) -> Result<ApiKey> {
    auto st = c.prepare(std::string("SELECT ") + kApiKeyCols + " FROM api_keys WHERE prefix = ?");
    if (!st) return fail(st.error());
    (*st)->bind(1, prefix);
    return one_row<ApiKey>(**st, read_api_key, "api key");
  });
}

Future<ApiKey> SqliteStore::touch_api_key(const Scope& scope, std::string id, TimePoint used_at) {
  return impl_->submit<ApiKey>(
      [id, owner = scope_owner(scope), used_at](Connection& c) -> Result<ApiKey> {
        auto ok = update_owned(
            c, "UPDATE api_keys SET last_used_at = ?", 1, id, owner, false,
            [&](Statement& s) { s.bind(1, used_at); }, "api key");
        if (!ok) return fail(ok.error());
        return reread<ApiKey>(c, "api_keys", kApiKeyCols, id, read_api_key, "api key");
      });
}

// --- idempotency keys ----------------------------------------------------------------------

Future<IdempotencyRecord> SqliteStore::claim_idempotency_key(const Scope& scope, std::string key,
                                                             std::string request_hash) {
  auto owner = owner_for(scope, "", "/owner");
  if (!owner) return Impl::failed<IdempotencyRecord>(owner.error());
  if (key.empty() || key.size() > 255)
    return Impl::failed<IdempotencyRecord>(
        Error::invalid("/headers/idempotency-key", boost::json::value(key), "1 to 255 characters"));
  auto now = impl_->clock.now();
  return impl_->submit<IdempotencyRecord>(
      [owner = *owner, key, request_hash, now](Connection& c) -> Result<IdempotencyRecord> {
        auto ins = c.prepare(std::string("INSERT INTO idempotency_keys (") + kIdemCols +
                             ") VALUES (?, ?, ?, 0, '', ?) ON CONFLICT DO NOTHING");
        if (!ins) return fail(ins.error());
        bool fresh = false;
        {
          StatementReset reset{*ins};
          (*ins)->bind(1, owner);
          (*ins)->bind(2, key);
          (*ins)->bind(3, request_hash);
          (*ins)->bind(4, now);
          if (auto ok = (*ins)->run(); !ok) return fail(ok.error());
          fresh = c.changes() == 1;
        }
        auto get = c.prepare(std::string("SELECT ") + kIdemCols +
                             " FROM idempotency_keys WHERE owner = ? AND key = ?");
        if (!get) return fail(get.error());
        (*get)->bind(1, owner);
        (*get)->bind(2, key);
        auto rec = one_row<IdempotencyRecord>(**get, read_idem, "idempotency key");
        if (rec) rec->fresh = fresh;
        return rec;
      });
}

Future<IdempotencyRecord> SqliteStore::complete_idempotency_key(const Scope& scope, std::string key,
                                                                int status, std::string body) {
  auto owner = owner_for(scope, "", "/owner");
  if (!owner) return Impl::failed<IdempotencyRecord>(owner.error());
  return impl_->submit<IdempotencyRecord>([owner = *owner, key, status,
                                           body](Connection& c) -> Result<IdempotencyRecord> {
    auto st = c.prepare(
        "UPDATE idempotency_keys SET status = ?, response_body = ? WHERE owner = ? AND key = ?");
    if (!st) return fail(st.error());
    {
      StatementReset reset{*st};
      (*st)->bind(1, status);
      (*st)->bind(2, body);
      (*st)->bind(3, owner);
      (*st)->bind(4, key);
      if (auto ok = (*st)->run(); !ok) return fail(ok.error());
      if (c.changes() == 0) return fail(not_found("idempotency key"));
    }
    auto get = c.prepare(std::string("SELECT ") + kIdemCols +
                         " FROM idempotency_keys WHERE owner = ? AND key = ?");
    if (!get) return fail(get.error());
    (*get)->bind(1, owner);
    (*get)->bind(2, key);
    return one_row<IdempotencyRecord>(**get, read_idem, "idempotency key");
  });
}

// --- targets ---------------------------------------------------------------------------------

Future<Target> SqliteStore::add_target(const Scope& scope, Target target) {
  auto* im = impl_.get();
  target.id.clear();
  if (auto ok = prepare_target(scope, target, im->ids, im->clock); !ok)
    return Impl::failed<Target>(ok.error());
  return im->submit<Target>([t = std::move(target)](Connection& c) -> Result<Target> {
    auto st = c.prepare(std::string("INSERT INTO targets (") + kTargetCols +
                        ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
    if (!st) return fail(st.error());
    StatementReset reset{*st};
    auto& s = **st;
    s.bind(1, t.id);
    s.bind(2, t.owner);
    s.bind(3, t.name);
    s.bind(4, t.type);
    s.bind(5, t.config);
    s.bind_or_null(6, t.secret_ciphertext);
    s.bind_or_null(7, t.api_key_env);
    s.bind(8, t.created_at);
    s.bind(9, t.updated_at);
    if (auto ok = s.run(); !ok) return fail(ok.error());
    return t;
  });
}

Future<Target> SqliteStore::update_target(const Scope& scope, Target target) {
  auto* im = impl_.get();
  if (target.id.empty())
    return Impl::failed<Target>(Error::invalid("/id", nullptr, "the id of the target to update"));
  if (auto ok = prepare_target(scope, target, im->ids, im->clock); !ok)
    return Impl::failed<Target>(ok.error());
  return im->submit<Target>(
      [t = std::move(target), owner = scope_owner(scope)](Connection& c) -> Result<Target> {
        auto ok = update_owned(
            c,
            "UPDATE targets SET name = ?, type = ?, config = ?, secret_ciphertext = ?, "
            "api_key_env = ?, updated_at = ?",
            6, t.id, owner, true,
            [&](Statement& s) {
              s.bind(1, t.name);
              s.bind(2, t.type);
              s.bind(3, t.config);
              s.bind_or_null(4, t.secret_ciphertext);
              s.bind_or_null(5, t.api_key_env);
              s.bind(6, t.updated_at);
            },
            "target");
        if (!ok) return fail(ok.error());
        return reread<Target>(c, "targets", kTargetCols, t.id, read_target, "target");
      });
}

Result<Target> SqliteStore::get_target(const Scope& scope, std::string_view id) {
  return impl_->get_owned<Target>(scope, "targets", kTargetCols, id, read_target, "target",
                                  "deleted_at IS NULL");
}

Result<Page<Target>> SqliteStore::list_targets(const Scope& scope, const PageRequest& page) {
  return impl_->list_owned<Target>(scope, "targets", kTargetCols, page, read_target,
                                   [&](Query& q) { q.where("deleted_at IS NULL"); });
}

Future<Target> SqliteStore::delete_target(const Scope& scope, std::string id) {
  auto now = impl_->clock.now();
  return impl_->submit<Target>(
      [id, owner = scope_owner(scope), now](Connection& c) -> Result<Target> {
        auto before = reread<Target>(c, "targets", kTargetCols, id, read_target, "target");
        auto ok = update_owned(
            c, "UPDATE targets SET deleted_at = ?", 1, id, owner, true,
            [&](Statement& s) { s.bind(1, now); }, "target");
        if (!ok) return fail(ok.error());
        return before;
      });
}

// --- scorer configs --------------------------------------------------------------------------

namespace {
constexpr const char* kScorerConfigCols = "id, owner, name, scorer, created_at, updated_at";
ScorerConfig read_scorer_config(const Statement& s) {
  return ScorerConfig{s.text(0), s.text(1), s.text(2), s.text(3), s.time(4), s.time(5)};
}
}  // namespace

Future<ScorerConfig> SqliteStore::add_scorer_config(const Scope& scope, ScorerConfig config) {
  auto* im = impl_.get();
  config.id.clear();
  if (auto ok = prepare_scorer_config(scope, config, im->ids, im->clock); !ok)
    return Impl::failed<ScorerConfig>(ok.error());
  return im->submit<ScorerConfig>(
      [c = std::move(config)](Connection& conn) -> Result<ScorerConfig> {
        auto st = conn.prepare(std::string("INSERT INTO scorer_configs (") + kScorerConfigCols +
                               ") VALUES (?, ?, ?, ?, ?, ?)");
        if (!st) return fail(st.error());
        StatementReset reset{*st};
        auto& s = **st;
        s.bind(1, c.id);
        s.bind(2, c.owner);
        s.bind(3, c.name);
        s.bind(4, c.scorer);
        s.bind(5, c.created_at);
        s.bind(6, c.updated_at);
        if (auto ok = s.run(); !ok) return fail(ok.error());
        return c;
      });
}

Future<ScorerConfig> SqliteStore::update_scorer_config(const Scope& scope, ScorerConfig config) {
  auto* im = impl_.get();
  if (config.id.empty())
    return Impl::failed<ScorerConfig>(
        Error::invalid("/id", nullptr, "the id of the scorer config to update"));
  if (auto ok = prepare_scorer_config(scope, config, im->ids, im->clock); !ok)
    return Impl::failed<ScorerConfig>(ok.error());
  return im->submit<ScorerConfig>([c = std::move(config), owner = scope_owner(scope)](
                                      Connection& conn) -> Result<ScorerConfig> {
    auto ok = update_owned(
        conn, "UPDATE scorer_configs SET name = ?, scorer = ?, updated_at = ?", 3, c.id, owner,
        true,
        [&](Statement& s) {
          s.bind(1, c.name);
          s.bind(2, c.scorer);
          s.bind(3, c.updated_at);
        },
        "scorer config");
    if (!ok) return fail(ok.error());
    return reread<ScorerConfig>(conn, "scorer_configs", kScorerConfigCols, c.id, read_scorer_config,
                                "scorer config");
  });
}

Result<ScorerConfig> SqliteStore::get_scorer_config(const Scope& scope, std::string_view id) {
  return impl_->get_owned<ScorerConfig>(scope, "scorer_configs", kScorerConfigCols, id,
                                        read_scorer_config, "scorer config", "deleted_at IS NULL");
}

namespace {
constexpr const char* kEvaluationCols =
    "id, owner, scorer_config_id, scorer, scorer_hash, report, created_at";
ScorerEvaluation read_evaluation(const Statement& s) {
  return ScorerEvaluation{s.text(0), s.text(1), s.text(2), s.text(3),
                          s.text(4), s.text(5), s.time(6)};
}
}  // namespace

Future<ScorerEvaluation> SqliteStore::add_scorer_evaluation(const Scope& scope,
                                                            ScorerEvaluation evaluation) {
  auto* im = impl_.get();
  if (auto ok = prepare_scorer_evaluation(scope, evaluation, im->ids, im->clock); !ok)
    return Impl::failed<ScorerEvaluation>(ok.error());
  return im->submit<ScorerEvaluation>(
      [e = std::move(evaluation)](Connection& conn) -> Result<ScorerEvaluation> {
        auto st = conn.prepare(std::string("INSERT INTO scorer_evaluations (") + kEvaluationCols +
                               ") VALUES (?, ?, ?, ?, ?, ?, ?)");
        if (!st) return fail(st.error());
        StatementReset reset{*st};
        auto& s = **st;
        s.bind(1, e.id);
        s.bind(2, e.owner);
        s.bind(3, e.scorer_config_id);
        s.bind(4, e.scorer);
        s.bind_text(5, e.scorer_hash);
        s.bind(6, e.report);
        s.bind(7, e.created_at);
        if (auto ok = s.run(); !ok) return fail(ok.error());
        return e;
      });
}

Result<Page<ScorerEvaluation>> SqliteStore::list_scorer_evaluations(const Scope& scope,
                                                                    const EvaluationFilter& filter,
                                                                    const PageRequest& page) {
  return impl_->list_owned<ScorerEvaluation>(
      scope, "scorer_evaluations", kEvaluationCols, page, read_evaluation, [&](Query& q) {
        if (filter.scorer_config_id) q.where("scorer_config_id = ?", *filter.scorer_config_id);
        if (filter.scorer_hash) {
          q.where("scorer_hash = ?");
          q.args.emplace_back(Query::Text{*filter.scorer_hash});
        }
      });
}

Result<Page<ScorerConfig>> SqliteStore::list_scorer_configs(const Scope& scope,
                                                            const PageRequest& page) {
  return impl_->list_owned<ScorerConfig>(scope, "scorer_configs", kScorerConfigCols, page,
                                         read_scorer_config,
                                         [&](Query& q) { q.where("deleted_at IS NULL"); });
}

Future<ScorerConfig> SqliteStore::delete_scorer_config(const Scope& scope, std::string id) {
  auto now = impl_->clock.now();
  return impl_->submit<ScorerConfig>(
      [id, owner = scope_owner(scope), now](Connection& c) -> Result<ScorerConfig> {
        auto before = reread<ScorerConfig>(c, "scorer_configs", kScorerConfigCols, id,
                                           read_scorer_config, "scorer config");
        auto ok = update_owned(
            c, "UPDATE scorer_configs SET deleted_at = ?", 1, id, owner, true,
            [&](Statement& s) { s.bind(1, now); }, "scorer config");
        if (!ok) return fail(ok.error());
        return before;
      });
}

// --- orchestrators ---------------------------------------------------------------------------

Future<Orchestrator> SqliteStore::add_orchestrator(const Scope& scope, Orchestrator o) {
  auto* im = impl_.get();
  if (auto ok = prepare_orchestrator(scope, o, im->ids, im->clock); !ok)
    return Impl::failed<Orchestrator>(ok.error());
  return im->submit<Orchestrator>([o = std::move(o)](Connection& c) -> Result<Orchestrator> {
    // The same owner's identical live definition is returned, not stored twice.
    auto same = c.prepare(std::string("SELECT ") + kOrchestratorCols +
                          " FROM orchestrators WHERE owner = ? AND config_hash = ? AND "
                          "deleted_at IS NULL ORDER BY id LIMIT 1");
    if (!same) return fail(same.error());
    (*same)->bind(1, o.owner);
    (*same)->bind(2, o.config_hash);
    auto existing = one_row<Orchestrator>(**same, read_orchestrator, "orchestrator");
    if (existing) {
      existing->reused = true;
      return existing;
    }
    if (existing.error().code() != ErrorCode::not_found) return existing;
    auto st = c.prepare(std::string("INSERT INTO orchestrators (") + kOrchestratorCols +
                        ") VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    if (!st) return fail(st.error());
    StatementReset reset{*st};
    auto& s = **st;
    s.bind(1, o.id);
    s.bind(2, o.owner);
    s.bind(3, o.name);
    s.bind(4, o.type);
    s.bind(5, o.definition);
    s.bind(6, o.config_hash);
    s.bind(7, o.created_at);
    s.bind(8, o.updated_at);
    if (auto ok = s.run(); !ok) return fail(ok.error());
    return o;
  });
}

std::optional<Orchestrator> SqliteStore::cached_orchestrator(const Scope& scope,
                                                             std::string_view id) {
  auto* im = impl_.get();
  auto gen = im->orchestrator_gen.load();
  std::lock_guard lock(im->orchestrators_mu);
  auto it = im->orchestrators.find(std::string(id));
  if (it == im->orchestrators.end() || it->second.gen != gen) return std::nullopt;
  if (!scope.is_system() && it->second.row.owner != scope.user_id()) return std::nullopt;
  return it->second.row;
}

Result<Orchestrator> SqliteStore::get_orchestrator(const Scope& scope, std::string_view id) {
  if (auto hit = cached_orchestrator(scope, id)) return std::move(*hit);
  auto* im = impl_.get();
  auto gen = im->orchestrator_gen.load();  // before the read: see Impl::orchestrator_gen
  auto o = im->get_owned<Orchestrator>(scope, "orchestrators", kOrchestratorCols, id,
                                       read_orchestrator, "orchestrator", "deleted_at IS NULL");
  if (o) {
    std::lock_guard lock(im->orchestrators_mu);
    if (im->orchestrators.size() >= Impl::kMaxCachedOrchestrators) im->orchestrators.clear();
    im->orchestrators[o->id] = Impl::CachedOrchestrator{gen, *o};
  }
  return o;
}

Result<Page<Orchestrator>> SqliteStore::list_orchestrators(const Scope& scope,
                                                           const PageRequest& page) {
  return impl_->list_owned<Orchestrator>(scope, "orchestrators", kOrchestratorCols, page,
                                         read_orchestrator,
                                         [&](Query& q) { q.where("deleted_at IS NULL"); });
}

Future<Orchestrator> SqliteStore::delete_orchestrator(const Scope& scope, std::string id) {
  auto now = impl_->clock.now();
  return impl_->submit<Orchestrator>(
      [id, owner = scope_owner(scope), now](Connection& c) -> Result<Orchestrator> {
        auto before = reread<Orchestrator>(c, "orchestrators", kOrchestratorCols, id,
                                           read_orchestrator, "orchestrator");
        auto ok = update_owned(
            c, "UPDATE orchestrators SET deleted_at = ?", 1, id, owner, true,
            [&](Statement& s) { s.bind(1, now); }, "orchestrator");
        if (!ok) return fail(ok.error());
        return before;
      },
      &impl_->orchestrator_gen);
}

}  // namespace redcell::memory
