// SqliteStore: versioned datasets with their seed prompts, executions, work items and
// attack results.
#include <unordered_map>
#include <unordered_set>

#include "memory/prepare.hpp"
#include "memory/sqlite/sqlite_store_impl.hpp"

namespace redcell::memory {

namespace {

std::string owner_clause(const std::string& owner, const char* column = "owner") {
  return owner.empty() ? "" : std::string(" AND ") + column + " = ?";
}

constexpr const char* kDatasetFrom =
    "datasets d JOIN dataset_versions v ON v.dataset_id = d.id AND v.version = d.latest_version";
constexpr const char* kDatasetCols =
    "d.id, d.owner, v.name, v.description, v.version, v.prompt_count, v.created_at";
Dataset read_dataset(const Statement& s) {
  return Dataset{s.text(0),  s.text(1), s.text(2), s.text(3), static_cast<int>(s.int64(4)),
                 s.int64(5), s.time(6)};
}

constexpr const char* kPromptCols =
    "id, owner, dataset_id, version, position, value, data_type, harm_categories, metadata";
SeedPrompt read_prompt(const Statement& s) {
  return SeedPrompt{s.text(0),  s.text(1), s.text(2), static_cast<int>(s.int64(3)),
                    s.int64(4), s.text(5), s.text(6), s.text(7),
                    s.text(8)};
}

constexpr const char* kExecutionCols =
    "id, owner, orchestrator_id, status, total, sent, errors, scored, achieved, snapshot, error, "
    "created_at, started_at, finished_at, updated_at, undetermined";
Execution read_execution(const Statement& s) {
  Execution e;
  e.id = s.text(0);
  e.owner = s.text(1);
  e.orchestrator_id = s.text(2);
  e.status = s.text(3);
  e.counts = {s.int64(4), s.int64(5), s.int64(6), s.int64(7), s.int64(8), s.int64(15)};
  e.snapshot = s.text(9);
  e.error = s.text(10);
  e.created_at = s.time(11);
  if (!s.is_null(12)) e.started_at = s.time(12);
  if (!s.is_null(13)) e.finished_at = s.time(13);
  e.updated_at = s.time(14);
  return e;
}

// The next place in an execution's finishing order: its counter, moved on by add_counts in
// the same transaction; one writer, so no two items share a place.
Result<void> add_counts(Connection& c, const std::string& execution_id,
                        const ExecutionCounts& delta, const std::string& now,
                        std::int64_t finished);

constexpr const char* kNextFinishSeq = "(SELECT last_finish_seq + 1 FROM executions WHERE id = ?)";

constexpr const char* kWorkItemCols =
    "id, owner, execution_id, prompt_id, chain_index, attempt, status, claimed_by, "
    "lease_expires_at, conversation_id, error, updated_at, finish_seq, achieved";
WorkItem read_work_item(const Statement& s) {
  WorkItem w;
  w.id = s.text(0);
  w.owner = s.text(1);
  w.execution_id = s.text(2);
  w.prompt_id = s.text(3);
  w.chain_index = static_cast<int>(s.int64(4));
  w.attempt = static_cast<int>(s.int64(5));
  w.status = s.text(6);
  w.claimed_by = s.text(7);
  if (!s.is_null(8)) w.lease_expires_at = s.time(8);
  w.conversation_id = s.text(9);
  w.error = s.text(10);
  w.updated_at = s.time(11);
  if (!s.is_null(12)) w.finish_seq = s.int64(12);
  if (!s.is_null(13)) w.achieved = s.int64(13) != 0;
  return w;
}

constexpr const char* kAttackCols =
    "id, owner, execution_id, conversation_id, objective, outcome, turns, metadata, created_at";
AttackResult read_attack(const Statement& s) {
  return AttackResult{s.text(0),
                      s.text(1),
                      s.text(2),
                      s.text(3),
                      s.text(4),
                      s.text(5),
                      static_cast<int>(s.int64(6)),
                      s.text(7),
                      s.time(8)};
}

// The dataset of the scope at `version` (latest when 0), read inside a write or a read.
Result<Dataset> dataset_in(Connection& c, const std::string& id, const std::string& owner,
                           int version) {
  std::string sql = std::string("SELECT ") + kDatasetCols +
                    " FROM datasets d JOIN dataset_versions v ON v.dataset_id = d.id AND "
                    "v.version = CASE WHEN ? > 0 THEN ? ELSE d.latest_version END "
                    "WHERE d.id = ? AND d.deleted_at IS NULL" +
                    owner_clause(owner, "d.owner");
  auto st = c.prepare(sql);
  if (!st) return fail(st.error());
  (*st)->bind(1, version);
  (*st)->bind(2, version);
  (*st)->bind(3, id);
  if (!owner.empty()) (*st)->bind(4, owner);
  return one_row<Dataset>(**st, read_dataset, "dataset");
}

Result<void> insert_version_row(Connection& c, const std::string& id, int version,
                                const std::string& name, const std::string& description,
                                std::int64_t count, TimePoint now) {
  auto v = c.prepare(
      "INSERT INTO dataset_versions (dataset_id, version, name, description, prompt_count, "
      "created_at) VALUES (?, ?, ?, ?, ?, ?)");
  if (!v) return fail(v.error());
  StatementReset reset{*v};
  (*v)->bind(1, id);
  (*v)->bind(2, version);
  (*v)->bind(3, name);
  (*v)->bind(4, description);
  (*v)->bind(5, count);
  (*v)->bind(6, now);
  return (*v)->run();
}

Result<void> insert_prompts(Connection& c, const std::string& id, int version,
                            const std::vector<SeedPrompt>& prompts) {
  auto st = c.prepare(std::string("INSERT INTO seed_prompts (") + kPromptCols +
                      ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
  if (!st) return fail(st.error());
  auto& s = **st;
  StatementReset reset{&s};
  for (const auto& p : prompts) {
    s.reset();
    s.bind(1, p.id);
    s.bind(2, p.owner);
    s.bind(3, id);
    s.bind(4, version);
    s.bind(5, p.position);
    s.bind(6, p.value);
    s.bind(7, p.data_type);
    s.bind(8, p.harm_categories);
    s.bind(9, p.metadata);
    if (auto ok = s.run(); !ok) return fail(ok.error());
  }
  return {};
}

Result<void> insert_version(Connection& c, const std::string& id, int version,
                            const std::string& name, const std::string& description,
                            const std::vector<SeedPrompt>& prompts, TimePoint now) {
  if (auto ok = insert_version_row(c, id, version, name, description,
                                   static_cast<std::int64_t>(prompts.size()), now);
      !ok)
    return ok;
  return insert_prompts(c, id, version, prompts);
}

Result<void> run_update(Connection& c, const char* sql, std::int64_t value, const std::string& id,
                        int version = 0) {
  auto st = c.prepare(sql);
  if (!st) return fail(st.error());
  StatementReset reset{*st};
  (*st)->bind(1, value);
  (*st)->bind(2, id);
  if (version) (*st)->bind(3, version);
  return (*st)->run();
}

Result<Execution> execution_in(Connection& c, const std::string& id, const std::string& owner) {
  auto st = c.prepare(std::string("SELECT ") + kExecutionCols + " FROM executions WHERE id = ?" +
                      owner_clause(owner));
  if (!st) return fail(st.error());
  (*st)->bind(1, id);
  if (!owner.empty()) (*st)->bind(2, owner);
  return one_row<Execution>(**st, read_execution, "execution");
}

}  // namespace

// --- datasets --------------------------------------------------------------------------------

Future<Dataset> SqliteStore::add_dataset(const Scope& scope, Dataset dataset,
                                         std::vector<SeedPrompt> prompts) {
  auto* im = impl_.get();
  auto owner = owner_for(scope, dataset.owner, "/owner");
  if (!owner) return Impl::failed<Dataset>(owner.error());
  if (dataset.name.empty())
    return Impl::failed<Dataset>(
        Error::invalid("/name", boost::json::value(dataset.name), "a non-empty string"));
  if (auto ok = prepare_seed_prompts(scope, prompts, im->ids); !ok)
    return Impl::failed<Dataset>(ok.error());
  dataset.id = im->ids.next();
  dataset.owner = *owner;
  auto now = im->clock.now();
  return im->submit<Dataset>([d = std::move(dataset), prompts = std::move(prompts),
                              now](Connection& c) -> Result<Dataset> {
    auto st = c.prepare(
        "INSERT INTO datasets (id, owner, latest_version, created_at) VALUES (?, ?, 1, ?)");
    if (!st) return fail(st.error());
    {
      StatementReset reset{*st};
      (*st)->bind(1, d.id);
      (*st)->bind(2, d.owner);
      (*st)->bind(3, now);
      if (auto ok = (*st)->run(); !ok) return fail(ok.error());
    }
    if (auto ok = insert_version(c, d.id, 1, d.name, d.description, prompts, now); !ok)
      return fail(ok.error());
    return dataset_in(c, d.id, "", 1);
  });
}

Future<Dataset> SqliteStore::add_dataset_version(const Scope& scope, std::string id,
                                                 std::vector<SeedPrompt> prompts) {
  auto* im = impl_.get();
  if (auto ok = prepare_seed_prompts(scope, prompts, im->ids); !ok)
    return Impl::failed<Dataset>(ok.error());
  auto now = im->clock.now();
  return im->submit<Dataset>([id, owner = scope_owner(scope), prompts = std::move(prompts),
                              now](Connection& c) -> Result<Dataset> {
    auto current = dataset_in(c, id, owner, 0);
    if (!current) return current;
    int next = current->version + 1;
    if (auto ok = insert_version(c, id, next, current->name, current->description, prompts, now);
        !ok)
      return fail(ok.error());
    auto st = c.prepare("UPDATE datasets SET latest_version = ? WHERE id = ?");
    if (!st) return fail(st.error());
    {
      StatementReset reset{*st};
      (*st)->bind(1, next);
      (*st)->bind(2, id);
      if (auto ok = (*st)->run(); !ok) return fail(ok.error());
    }
    return dataset_in(c, id, "", next);
  });
}

namespace {

// While a streamed import writes, the writer's page cache is kept small: its pages are
// written once and never read again, and a 64 MiB cache of them would be memory that grows
// with the file (up to the cache's size) and pushes out the pages other work reads.
class SmallCacheWhile {
 public:
  explicit SmallCacheWhile(Connection& c) : c_(c) {
    if (auto st = c_.prepare("PRAGMA cache_size")) {
      StatementReset reset{*st};
      if ((*st)->step().value_or(false)) before_ = (*st)->int64(0);
    }
    (void)c_.exec("PRAGMA cache_size = -4096");
  }
  SmallCacheWhile(const SmallCacheWhile&) = delete;
  SmallCacheWhile& operator=(const SmallCacheWhile&) = delete;
  ~SmallCacheWhile() {
    if (before_) (void)c_.exec("PRAGMA cache_size = " + std::to_string(*before_));
  }

 private:
  Connection& c_;
  std::optional<std::int64_t> before_;
};

}  // namespace

Future<Dataset> SqliteStore::add_dataset_streamed(const Scope& scope, Dataset dataset,
                                                  std::string into, PromptSource source) {
  auto* im = impl_.get();
  if (into.empty()) {
    auto owner = owner_for(scope, dataset.owner, "/owner");
    if (!owner) return Impl::failed<Dataset>(owner.error());
    if (dataset.name.empty())
      return Impl::failed<Dataset>(
          Error::invalid("/name", boost::json::value(dataset.name), "a non-empty string"));
    dataset.id = im->ids.next();
    dataset.owner = *owner;
  }
  const auto now = im->clock.now();
  return im->submit<Dataset>([im, scope, d = std::move(dataset), into = std::move(into),
                              source = std::move(source), now](Connection& c) -> Result<Dataset> {
    std::string id = into.empty() ? d.id : into;
    int version = 1;
    std::string name = d.name, description = d.description;
    if (into.empty()) {
      auto st = c.prepare(
          "INSERT INTO datasets (id, owner, latest_version, created_at) VALUES (?, ?, 1, ?)");
      if (!st) return fail(st.error());
      StatementReset reset{*st};
      (*st)->bind(1, id);
      (*st)->bind(2, d.owner);
      (*st)->bind(3, now);
      if (auto ok = (*st)->run(); !ok) return fail(ok.error());
    } else {
      auto current = dataset_in(c, id, scope_owner(scope), 0);
      if (!current) return current;
      version = current->version + 1;
      name = current->name;
      description = current->description;
    }
    if (auto ok = insert_version_row(c, id, version, name, description, 0, now); !ok)
      return fail(ok.error());
    const SmallCacheWhile small_cache(c);
    std::vector<SeedPrompt> batch;
    std::size_t count = 0;
    for (bool more = true; more;) {
      batch.clear();
      auto next = source(batch);
      if (!next) return fail(next.error());
      more = *next;
      if (auto ok = prepare_seed_prompts(scope, batch, im->ids, count); !ok)
        return fail(ok.error());
      if (auto ok = insert_prompts(c, id, version, batch); !ok) return fail(ok.error());
      count += batch.size();
    }
    if (count == 0)
      return fail(Error::invalid("/prompts", boost::json::array(), "at least one prompt"));
    if (auto ok = run_update(
            c, "UPDATE dataset_versions SET prompt_count = ? WHERE dataset_id = ? AND version = ?",
            static_cast<std::int64_t>(count), id, version);
        !ok)
      return fail(ok.error());
    if (auto ok = run_update(c, "UPDATE datasets SET latest_version = ? WHERE id = ?", version, id);
        !ok)
      return fail(ok.error());
    return dataset_in(c, id, "", version);
  });
}

Result<Dataset> SqliteStore::get_dataset(const Scope& scope, std::string_view id,
                                         std::optional<int> version) {
  return impl_->read([&](Connection& c) {
    return dataset_in(c, std::string(id), scope_owner(scope), version.value_or(0));
  });
}

Result<std::int64_t> SqliteStore::count_stored_prompts(const Scope& scope) {
  const std::string owner = scope_owner(scope);
  return impl_->read([&](Connection& c) -> Result<std::int64_t> {
    auto st = c.prepare(
        "SELECT COALESCE(SUM(v.prompt_count), 0) FROM datasets d JOIN dataset_versions v ON "
        "v.dataset_id = d.id WHERE d.deleted_at IS NULL" +
        owner_clause(owner, "d.owner"));
    if (!st) return fail(st.error());
    StatementReset reset{*st};
    if (!owner.empty()) (*st)->bind(1, owner);
    auto row = (*st)->step();
    if (!row) return fail(row.error());
    return *row ? (*st)->int64(0) : 0;
  });
}

Result<Page<Dataset>> SqliteStore::list_datasets(const Scope& scope, const PageRequest& page) {
  return impl_->list_owned<Dataset>(scope, kDatasetFrom, kDatasetCols, page, read_dataset,
                                    [](Query& q) { q.where("deleted_at IS NULL"); });
}

Result<Page<SeedPrompt>> SqliteStore::list_seed_prompts(const Scope& scope, std::string_view id,
                                                        int version, const PageRequest& page,
                                                        std::string_view contains) {
  auto dataset = get_dataset(scope, id, version);
  if (!dataset) return fail(dataset.error());
  return impl_->list_owned<SeedPrompt>(scope, "seed_prompts", kPromptCols, page, read_prompt,
                                       [&](Query& q) {
                                         q.where("dataset_id = ?", std::string(id));
                                         q.where("version = ?");
                                         q.args.emplace_back(std::int64_t{dataset->version});
                                         if (!contains.empty()) {
                                           q.where("instr(lower(value), lower(?)) > 0");
                                           q.args.emplace_back(Query::Text{std::string(contains)});
                                         }
                                       });
}

Future<std::vector<SeedPrompt>> SqliteStore::get_seed_prompts(const Scope& scope,
                                                              std::vector<std::string> ids) {
  if (ids.empty()) return Impl::ready<std::vector<SeedPrompt>>(std::vector<SeedPrompt>{});
  auto query = [ids = std::move(ids),
                owner = scope_owner(scope)](Connection& c) -> Result<std::vector<SeedPrompt>> {
    // One statement shape for every call: chunks of kChunk ids, the last padded with its
    // final id (a repeat in IN changes nothing).
    constexpr std::size_t kChunk = 100;
    std::string sql = std::string("SELECT ") + kPromptCols + " FROM seed_prompts WHERE id IN (?";
    for (std::size_t i = 1; i < kChunk; ++i) sql += ", ?";
    sql += ")" + owner_clause(owner);
    auto st = c.prepare(sql);
    if (!st) return fail(st.error());
    auto& s = **st;
    std::vector<SeedPrompt> out;
    for (std::size_t at = 0; at < ids.size(); at += kChunk) {
      StatementReset reset{&s};
      for (std::size_t i = 0; i < kChunk; ++i)
        s.bind(static_cast<int>(i + 1), ids[std::min(at + i, ids.size() - 1)]);
      if (!owner.empty()) s.bind(static_cast<int>(kChunk + 1), owner);
      for (;;) {
        auto row = s.step();
        if (!row) return fail(row.error());
        if (!*row) break;
        out.push_back(read_prompt(s));
      }
    }
    return out;
  };
  // A read-only store (`redcell report` beside a running server) has no writer: a reader.
  if (impl_->opts.read_only) return Impl::ready<std::vector<SeedPrompt>>(impl_->read(query));
  return impl_->submit<std::vector<SeedPrompt>>(std::move(query));
}

Future<Dataset> SqliteStore::delete_dataset(const Scope& scope, std::string id) {
  auto now = impl_->clock.now();
  return impl_->submit<Dataset>(
      [id, owner = scope_owner(scope), now](Connection& c) -> Result<Dataset> {
        auto current = dataset_in(c, id, owner, 0);
        if (!current) return current;
        auto st = c.prepare("UPDATE datasets SET deleted_at = ? WHERE id = ?");
        if (!st) return fail(st.error());
        StatementReset reset{*st};
        (*st)->bind(1, now);
        (*st)->bind(2, id);
        if (auto ok = (*st)->run(); !ok) return fail(ok.error());
        return current;
      });
}

// --- executions ------------------------------------------------------------------------------

Future<Execution> SqliteStore::add_execution(const Scope& scope, Execution e) {
  auto* im = impl_.get();
  if (auto ok = prepare_execution(scope, e, im->ids, im->clock); !ok)
    return Impl::failed<Execution>(ok.error());
  return im->submit<Execution>([e = std::move(e)](Connection& c) -> Result<Execution> {
    auto st = c.prepare(
        "INSERT INTO executions (id, owner, orchestrator_id, status, snapshot, created_at, "
        "updated_at) VALUES (?, ?, ?, 'queued', ?, ?, ?)");
    if (!st) return fail(st.error());
    StatementReset reset{*st};
    (*st)->bind(1, e.id);
    (*st)->bind(2, e.owner);
    (*st)->bind(3, e.orchestrator_id);
    (*st)->bind(4, e.snapshot);
    (*st)->bind(5, e.created_at);
    (*st)->bind(6, e.updated_at);
    if (auto ok = (*st)->run(); !ok) return fail(ok.error());
    return e;
  });
}

Result<Execution> SqliteStore::get_execution(const Scope& scope, std::string_view id) {
  return impl_->get_owned<Execution>(scope, "executions", kExecutionCols, id, read_execution,
                                     "execution");
}

Result<Page<Execution>> SqliteStore::list_executions(const Scope& scope,
                                                     const ExecutionFilter& filter,
                                                     const PageRequest& page) {
  return impl_->list_owned<Execution>(
      scope, "executions", kExecutionCols, page, read_execution, [&](Query& q) {
        if (filter.orchestrator_id) q.where("orchestrator_id = ?", *filter.orchestrator_id);
        if (filter.status) q.where("status = ?", *filter.status);
        if (filter.finished_before)
          q.where("finished_at < ?", format_time(*filter.finished_before));
        if (filter.target_id) {
          q.where("json_extract(snapshot, '$.target.id') = ?");
          q.args.emplace_back(Query::Text{*filter.target_id});
        }
        if (filter.created_after) q.where("created_at >= ?", format_time(*filter.created_after));
        if (filter.created_before) q.where("created_at < ?", format_time(*filter.created_before));
        if (filter.label) {
          // The key is a plain name (the API checks it), quoted as one JSON path member.
          q.where("json_extract(snapshot, ?) = ?");
          q.args.emplace_back(Query::Text{"$.labels.\"" + filter.label->first + "\""});
          q.args.emplace_back(Query::Text{filter.label->second});
        }
      });
}

Result<std::vector<SuccessGroup>> SqliteStore::attack_success(const Scope& scope,
                                                              SuccessGrouping by) {
  std::string key;
  std::string label = "''";
  std::string join;
  switch (by) {
    case SuccessGrouping::target:
      key = "json_extract(e.snapshot, '$.target.id')";
      label = "MAX(json_extract(e.snapshot, '$.target.name'))";
      break;
    case SuccessGrouping::converter_chain:
      key = "json_extract(e.snapshot, '$.definition.converter_chains[' || w.chain_index || ']')";
      break;
    case SuccessGrouping::harm_category:
      key = "j.value";
      join = " JOIN seed_prompts p ON p.id = w.prompt_id, json_each(p.harm_categories) j";
      break;
  }
  return impl_->read([&](Connection& c) -> Result<std::vector<SuccessGroup>> {
    Query q{"SELECT " + key + " AS k, " + label +
            ", COUNT(DISTINCT w.execution_id), COUNT(*), SUM(w.achieved IS NOT NULL), "
            "SUM(w.achieved = 1) FROM work_items w JOIN executions e ON e.id = w.execution_id" +
            join};
    q.where("w.status = 'done'");
    if (!scope.is_system()) q.where("w.owner = ?", scope_owner(scope));
    q.sql += " GROUP BY k HAVING k IS NOT NULL ORDER BY COUNT(*) DESC, k LIMIT 200";
    auto st = c.prepare(q.sql);
    if (!st) return fail(st.error());
    StatementReset reset{*st};
    q.bind(**st);
    std::vector<SuccessGroup> out;
    for (;;) {
      auto row = (*st)->step();
      if (!row) return fail(row.error());
      if (!*row) break;
      auto& s = **st;
      out.push_back(
          SuccessGroup{s.text(0), s.text(1), s.int64(2), s.int64(3), s.int64(4), s.int64(5)});
    }
    return out;
  });
}

Future<Execution> SqliteStore::set_execution_status(const Scope& scope, std::string id,
                                                    std::string status, std::string error) {
  auto now = impl_->clock.now();
  return impl_->submit<Execution>([id, owner = scope_owner(scope), status, error,
                                   now](Connection& c) -> Result<Execution> {
    auto current = execution_in(c, id, owner);
    if (!current) return current;
    if (!execution_transition_allowed(current->status, status))
      return fail(Error(ErrorCode::conflict,
                        "an execution that is " + current->status + " cannot become " + status,
                        ErrorDetails{"/status", boost::json::value(status),
                                     "a status reachable from " + current->status}));
    auto st = c.prepare(
        "UPDATE executions SET status = ?, error = ?, updated_at = ?, "
        "started_at = CASE WHEN ? = 'running' THEN COALESCE(started_at, ?) ELSE started_at END, "
        "finished_at = CASE WHEN ? THEN ? ELSE NULL END WHERE id = ?");
    if (!st) return fail(st.error());
    {
      StatementReset reset{*st};
      auto& s = **st;
      s.bind(1, status);
      s.bind(2, error);
      s.bind(3, now);
      s.bind(4, status);
      s.bind(5, now);
      s.bind(6, execution_status_is_terminal(status) ? 1 : 0);
      s.bind(7, now);
      s.bind(8, id);
      if (auto ok = s.run(); !ok) return fail(ok.error());
    }
    return execution_in(c, id, "");
  });
}

Future<Execution> SqliteStore::add_execution_counts(const Scope& scope, std::string id,
                                                    ExecutionCounts d) {
  auto now = impl_->clock.now();
  return impl_->submit<Execution>(
      [id, owner = scope_owner(scope), d, now](Connection& c) -> Result<Execution> {
        auto st = c.prepare(
            "UPDATE executions SET total = total + ?, sent = sent + ?, errors = errors + ?, "
            "scored = scored + ?, achieved = achieved + ?, undetermined = undetermined + ?, "
            "updated_at = ? WHERE id = ?" +
            owner_clause(owner));
        if (!st) return fail(st.error());
        {
          StatementReset reset{*st};
          auto& s = **st;
          s.bind(1, d.total);
          s.bind(2, d.sent);
          s.bind(3, d.errors);
          s.bind(4, d.scored);
          s.bind(5, d.achieved);
          s.bind(6, d.undetermined);
          s.bind(7, now);
          s.bind(8, id);
          if (!owner.empty()) s.bind(9, owner);
          if (auto ok = s.run(); !ok) return fail(ok.error());
          if (c.changes() == 0) return fail(not_found("execution"));
        }
        return execution_in(c, id, "");
      });
}

Future<std::int64_t> SqliteStore::delete_execution(const Scope& scope, std::string id) {
  return impl_->submit<std::int64_t>(
      [id, owner = scope_owner(scope)](Connection& c) -> Result<std::int64_t> {
        auto current = execution_in(c, id, owner);
        if (!current) return fail(current.error());
        // Scores go with their messages (ON DELETE CASCADE); work items and attack results
        // with the execution.
        auto msgs = c.prepare("DELETE FROM messages WHERE execution_id = ?");
        if (!msgs) return fail(msgs.error());
        std::int64_t removed = 0;
        {
          StatementReset reset{*msgs};
          (*msgs)->bind(1, id);
          if (auto ok = (*msgs)->run(); !ok) return fail(ok.error());
          removed = c.changes();
        }
        auto ex = c.prepare("DELETE FROM executions WHERE id = ?");
        if (!ex) return fail(ex.error());
        StatementReset reset{*ex};
        (*ex)->bind(1, id);
        if (auto ok = (*ex)->run(); !ok) return fail(ok.error());
        return removed;
      });
}

// --- work items ------------------------------------------------------------------------------

Future<std::int64_t> SqliteStore::add_work_items(const Scope& scope, std::vector<WorkItem> items) {
  auto* im = impl_.get();
  if (auto ok = prepare_work_items(scope, items, im->clock); !ok)
    return Impl::failed<std::int64_t>(ok.error());
  return im->submit<std::int64_t>(
      [items = std::move(items)](Connection& c) -> Result<std::int64_t> {
        auto st = c.prepare(
            "INSERT INTO work_items (id, owner, execution_id, prompt_id, chain_index, attempt, "
            "status, updated_at, conversation_id) SELECT ?, ?, ?, ?, ?, ?, 'pending', ?, ? WHERE "
            "EXISTS (SELECT 1 FROM executions WHERE id = ? AND owner = ?) ON CONFLICT (id) DO "
            "NOTHING");
        if (!st) return fail(st.error());
        auto& s = **st;
        StatementReset reset{&s};
        std::int64_t added = 0;
        for (std::size_t i = 0; i < items.size(); ++i) {
          const auto& w = items[i];
          s.reset();
          s.bind(1, w.id);
          s.bind(2, w.owner);
          s.bind(3, w.execution_id);
          s.bind(4, w.prompt_id);
          s.bind(5, w.chain_index);
          s.bind(6, w.attempt);
          s.bind(7, w.updated_at);
          s.bind(8, w.conversation_id);
          s.bind(9, w.execution_id);
          s.bind(10, w.owner);
          if (auto ok = s.run(); !ok) return fail(ok.error());
          added += c.changes();
        }
        return added;
      });
}

Future<std::vector<WorkItem>> SqliteStore::claim_work_items(const Scope& scope,
                                                            std::string execution_id,
                                                            std::string worker, std::size_t max,
                                                            TimePoint lease_until) {
  auto now = impl_->clock.now();
  if (worker.empty())
    return Impl::failed<std::vector<WorkItem>>(
        Error::invalid("/worker", boost::json::value(""), "a worker name"));
  const TimePoint stale = renewal_threshold(now, lease_until);
  return impl_->submit<std::vector<WorkItem>>(
      [execution_id, worker, max, lease_until, now, stale,
       owner = scope_owner(scope)](Connection& c) -> Result<std::vector<WorkItem>> {
        // The worker's own claims are renewed, so a slow worker keeps what it holds; those
        // renewed within the last eighth of a lease are left as they are (a claim comes
        // every few hundred items, and rewriting every held row each time was a fifth of
        // the writer's row writes).
        const std::string own = owner_clause(owner);
        auto renew = c.prepare(
            "UPDATE work_items SET lease_expires_at = ? WHERE execution_id = ? AND status = "
            "'claimed' AND claimed_by = ? AND lease_expires_at < ?" +
            own);
        if (!renew) return fail(renew.error());
        {
          StatementReset reset{*renew};
          (*renew)->bind(1, lease_until);
          (*renew)->bind(2, execution_id);
          (*renew)->bind(3, worker);
          (*renew)->bind(4, stale);
          if (!owner.empty()) (*renew)->bind(5, owner);
          if (auto ok = (*renew)->run(); !ok) return fail(ok.error());
        }
        // Pending items and other workers' expired claims are read as two index ranges of
        // (execution_id, status, id), each cut at `max`: a claim costs O(max), however
        // many items the execution has.
        auto st = c.prepare(
            "UPDATE work_items SET status = 'claimed', claimed_by = ?, lease_expires_at = ?, "
            "updated_at = ? WHERE id IN (SELECT id FROM ("
            "SELECT id FROM (SELECT id FROM work_items WHERE execution_id = ? AND status = "
            "'pending'" +
            own +
            " ORDER BY id LIMIT ?) UNION ALL "
            "SELECT id FROM (SELECT id FROM work_items WHERE execution_id = ? AND status = "
            "'claimed' AND lease_expires_at < ? AND claimed_by <> ?" +
            own +
            " ORDER BY id LIMIT ?)"
            ") ORDER BY id LIMIT ?) RETURNING " +
            kWorkItemCols);
        if (!st) return fail(st.error());
        auto& s = **st;
        StatementReset reset{&s};
        const auto limit = static_cast<std::int64_t>(max);
        int next = 1;
        s.bind(next++, worker);
        s.bind(next++, lease_until);
        s.bind(next++, now);
        s.bind(next++, execution_id);
        if (!owner.empty()) s.bind(next++, owner);
        s.bind(next++, limit);
        s.bind(next++, execution_id);
        s.bind(next++, now);
        s.bind(next++, worker);
        if (!owner.empty()) s.bind(next++, owner);
        s.bind(next++, limit);
        s.bind(next, limit);
        std::vector<WorkItem> out;
        for (;;) {
          auto row = s.step();
          if (!row) return fail(row.error());
          if (!*row) break;
          out.push_back(read_work_item(s));
        }
        std::sort(out.begin(), out.end(),
                  [](const WorkItem& a, const WorkItem& b) { return a.id < b.id; });
        return out;
      });
}

Future<WorkItem> SqliteStore::finish_work_item(const Scope& scope, std::string id,
                                               std::string worker, std::string status,
                                               std::string conversation_id, std::string error) {
  if (status != "done" && status != "failed")
    return Impl::failed<WorkItem>(
        Error::invalid("/status", boost::json::value(status), "done or failed"));
  auto now = impl_->clock.now();
  return impl_->submit<WorkItem>([=,
                                  owner = scope_owner(scope)](Connection& c) -> Result<WorkItem> {
    auto get = c.prepare(std::string("SELECT ") + kWorkItemCols + " FROM work_items WHERE id = ?" +
                         owner_clause(owner));
    if (!get) return fail(get.error());
    (*get)->bind(1, id);
    if (!owner.empty()) (*get)->bind(2, owner);
    auto item = one_row<WorkItem>(**get, read_work_item, "work item");
    if (!item) return item;
    if (item->status != "claimed" || item->claimed_by != worker)
      return fail(Error(ErrorCode::conflict,
                        "the work item is " + item->status +
                            (item->claimed_by.empty() ? std::string() : " by " + item->claimed_by) +
                            ", not claimed by " + worker));
    auto st = c.prepare(
        std::string(
            "UPDATE work_items SET status = ?, conversation_id = ?, error = ?, updated_at = ?, "
            "lease_expires_at = NULL, finish_seq = ") +
        kNextFinishSeq + " WHERE id = ?");
    if (!st) return fail(st.error());
    StatementReset reset{*st};
    (*st)->bind(1, status);
    (*st)->bind(2, conversation_id);
    (*st)->bind(3, error);
    (*st)->bind(4, now);
    (*st)->bind(5, item->execution_id);
    (*st)->bind(6, id);
    if (auto ok = (*st)->run(); !ok) return fail(ok.error());
    if (auto ok = add_counts(c, item->execution_id, ExecutionCounts{}, format_time(now), 1); !ok)
      return fail(ok.error());
    item->status = status;
    item->conversation_id = conversation_id;
    item->error = error;
    item->updated_at = now;
    auto seq = c.prepare("SELECT finish_seq FROM work_items WHERE id = ?");
    if (!seq) return fail(seq.error());
    StatementReset reset_seq{*seq};
    (*seq)->bind(1, id);
    if (auto row = (*seq)->step(); !row) return fail(row.error());
    item->finish_seq = (*seq)->int64(0);
    item->lease_expires_at.reset();
    return item;
  });
}

Result<Page<WorkItem>> SqliteStore::list_work_items(const Scope& scope,
                                                    std::string_view execution_id,
                                                    const WorkItemFilter& filter,
                                                    const PageRequest& page) {
  return impl_->list_owned<WorkItem>(
      scope, "work_items", kWorkItemCols, page, read_work_item, [&](Query& q) {
        q.where("execution_id = ?", std::string(execution_id));
        if (filter.status) q.where("status = ?", *filter.status);
        if (filter.chain_index) {
          q.where("chain_index = ?");
          q.args.emplace_back(std::int64_t{*filter.chain_index});
        }
        if (filter.achieved) q.where(*filter.achieved ? "achieved = 1" : "achieved IS NOT 1");
        if (filter.undetermined) q.where("status = 'done' AND achieved IS NULL");
        if (filter.harm_category) {
          q.where(
              "EXISTS (SELECT 1 FROM seed_prompts p, json_each(p.harm_categories) h "
              "WHERE p.id = work_items.prompt_id AND h.value = ?)");
          q.args.emplace_back(Query::Text{*filter.harm_category});
        }
      });
}

Result<std::vector<WorkItem>> SqliteStore::list_finished_work_items(const Scope& scope,
                                                                    std::string_view execution_id,
                                                                    std::int64_t after_seq,
                                                                    std::size_t limit) {
  return impl_->read([&](Connection& c) -> Result<std::vector<WorkItem>> {
    Query q{std::string("SELECT ") + kWorkItemCols + " FROM work_items"};
    q.where("execution_id = ?", std::string(execution_id));
    q.where("finish_seq > ?");
    q.args.emplace_back(after_seq);
    if (!scope.is_system()) q.where("owner = ?", scope_owner(scope));
    q.sql += " ORDER BY finish_seq LIMIT ?";
    q.args.emplace_back(static_cast<std::int64_t>(limit));
    auto st = c.prepare(q.sql);
    if (!st) return fail(st.error());
    StatementReset reset{*st};
    q.bind(**st);
    std::vector<WorkItem> out;
    for (;;) {
      auto row = (*st)->step();
      if (!row) return fail(row.error());
      if (!*row) break;
      out.push_back(read_work_item(**st));
    }
    return out;
  });
}

// --- attack results --------------------------------------------------------------------------

namespace {
// An attack result of one of the owner's executions (prepared: id, owner, created_at).
Result<void> insert_attack_result(Connection& c, const AttackResult& r) {
  auto st = c.prepare(std::string("INSERT INTO attack_results (") + kAttackCols +
                      ") SELECT ?, ?, ?, ?, ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM "
                      "executions WHERE id = ? AND owner = ?)");
  if (!st) return fail(st.error());
  StatementReset reset{*st};
  auto& s = **st;
  s.bind(1, r.id);
  s.bind(2, r.owner);
  s.bind(3, r.execution_id);
  s.bind(4, r.conversation_id);
  s.bind(5, r.objective);
  s.bind(6, r.outcome);
  s.bind(7, r.turns);
  s.bind(8, r.metadata);
  s.bind(9, r.created_at);
  s.bind(10, r.execution_id);
  s.bind(11, r.owner);
  if (auto ok = s.run(); !ok) return fail(ok.error());
  if (c.changes() == 0)
    return fail(Error::invalid("/execution_id", boost::json::value(r.execution_id),
                               "the id of one of your executions", "no execution with that id"));
  return {};
}

}  // namespace

Future<AttackResult> SqliteStore::add_attack_result(const Scope& scope, AttackResult r) {
  auto* im = impl_.get();
  if (auto ok = prepare_attack_result(scope, r, im->ids, im->clock); !ok)
    return Impl::failed<AttackResult>(ok.error());
  return im->submit<AttackResult>([r = std::move(r)](Connection& c) -> Result<AttackResult> {
    if (auto ok = insert_attack_result(c, r); !ok) return fail(ok.error());
    return r;
  });
}

Result<Page<AttackResult>> SqliteStore::list_attack_results(const Scope& scope,
                                                            std::string_view execution_id,
                                                            const PageRequest& page) {
  return impl_->list_owned<AttackResult>(
      scope, "attack_results", kAttackCols, page, read_attack,
      [&](Query& q) { q.where("execution_id = ?", std::string(execution_id)); });
}

}  // namespace redcell::memory

namespace redcell::memory {

namespace {

// The result's item exists (for this owner) and is claimed by the result's worker.
Result<void> check_claim(Connection& c, const WorkItemResult& r, const std::string& owner) {
  auto get =
      c.prepare("SELECT status, claimed_by FROM work_items WHERE id = ? AND execution_id = ?" +
                owner_clause(owner));
  if (!get) return fail(get.error());
  {
    StatementReset reset{*get};
    (*get)->bind(1, r.work_item_id);
    (*get)->bind(2, r.execution_id);
    if (!owner.empty()) (*get)->bind(3, owner);
    auto row = (*get)->step();
    if (!row) return fail(row.error());
    if (!*row) return fail(not_found("work item"));
    if ((*get)->text(0) != "claimed" || (*get)->text(1) != r.worker)
      return fail(Error(ErrorCode::conflict,
                        "the work item is " + (*get)->text(0) + ", not claimed by " + r.worker));
  }
  return {};
}

// The next place in the execution's finishing order.
Result<std::int64_t> next_finish_seq(Connection& c, const std::string& execution_id) {
  auto st = c.prepare(std::string("SELECT ") + kNextFinishSeq);
  if (!st) return fail(st.error());
  StatementReset reset{*st};
  (*st)->bind(1, execution_id);
  auto row = (*st)->step();
  if (!row) return fail(row.error());
  return (*st)->int64(0);
}

// The counters of `finished` more work items (their places in the finishing order taken).
Result<void> add_counts(Connection& c, const std::string& execution_id,
                        const ExecutionCounts& delta, const std::string& now,
                        std::int64_t finished) {
  auto counts = c.prepare(
      "UPDATE executions SET sent = sent + ?, errors = errors + ?, scored = scored + ?, "
      "achieved = achieved + ?, undetermined = undetermined + ?, updated_at = ?, "
      "last_finish_seq = last_finish_seq + ? WHERE id = ?");
  if (!counts) return fail(counts.error());
  StatementReset reset{*counts};
  (*counts)->bind(1, delta.sent);
  (*counts)->bind(2, delta.errors);
  (*counts)->bind(3, delta.scored);
  (*counts)->bind(4, delta.achieved);
  (*counts)->bind(5, delta.undetermined);
  (*counts)->bind(6, now);
  (*counts)->bind(7, finished);
  (*counts)->bind(8, execution_id);
  return (*counts)->run();
}

// One result's final item status at place `seq`, then its messages and scores; the caller
// adds the counters and rolls back on an error. The update is the claim check: it changes
// the item only while it is claimed by the result's worker (and owned by `owner`, unless
// empty), so the common path needs no separate read.
Result<void> write_result(Connection& c, const WorkItemResult& r, const std::string& owner,
                          const std::string& now, std::int64_t seq) {
  {
    auto fin = c.prepare(
        "UPDATE work_items SET status = ?, conversation_id = ?, error = ?, updated_at = ?, "
        "lease_expires_at = NULL, achieved = ?, finish_seq = ? WHERE id = ? AND execution_id = ? "
        "AND status = 'claimed' AND claimed_by = ?" +
        owner_clause(owner));
    if (!fin) return fail(fin.error());
    StatementReset reset{*fin};
    auto& s = **fin;
    s.bind(1, r.status);
    s.bind(2, r.conversation_id);
    s.bind(3, r.error);
    s.bind(4, now);
    if (r.achieved)
      s.bind(5, *r.achieved ? 1 : 0);
    else
      s.bind(5, nullptr);
    s.bind(6, seq);
    s.bind(7, r.work_item_id);
    s.bind(8, r.execution_id);
    s.bind(9, r.worker);
    if (!owner.empty()) s.bind(10, owner);
    if (auto ok = s.run(); !ok) return ok;
    if (c.changes() == 0)
      return fail(Error(ErrorCode::conflict, "the work item is not claimed by " + r.worker));
  }
  if (auto ok = insert_messages(c, r.messages); !ok) return ok;
  // The scores' messages are the result's own, written just above with the scores' owner.
  if (auto ok = insert_scores_of_written_messages(c, r.scores); !ok) return ok;
  if (r.attack)
    if (auto ok = insert_attack_result(c, *r.attack); !ok) return ok;
  return {};
}

// All checked results in one savepoint, with one counter update and one finish_seq read
// per execution. False when one failed (the caller rolls back).
Result<bool> write_all(Connection& c, const std::vector<WorkItemResult>& results,
                       const std::vector<std::size_t>& valid, const std::string& owner,
                       TimePoint now) {
  const std::string stamp = format_time(now);
  struct PerExecution {
    std::int64_t next_seq = 0;
    std::int64_t finished = 0;
    ExecutionCounts delta;
  };
  std::unordered_map<std::string_view, PerExecution> executions;
  for (auto i : valid) {
    const auto& r = results[i];
    auto [it, fresh] = executions.try_emplace(r.execution_id);
    if (fresh) {
      auto seq = next_finish_seq(c, r.execution_id);
      if (!seq) return fail(seq.error());
      it->second.next_seq = *seq;
    }
    if (!write_result(c, r, owner, stamp, it->second.next_seq++)) return false;
    ++it->second.finished;
    auto& d = it->second.delta;
    d.sent += r.counts.sent;
    d.errors += r.counts.errors;
    d.scored += r.counts.scored;
    d.achieved += r.counts.achieved;
    d.undetermined += r.counts.undetermined;
  }
  for (const auto& [id, e] : executions)
    if (!add_counts(c, std::string(id), e.delta, stamp, e.finished)) return false;
  return true;
}

// One result in its own savepoint: the path after write_all failed, so only the failing
// result is left out.
Result<void> write_one(Connection& c, const WorkItemResult& r, const std::string& owner,
                       TimePoint now) {
  auto seq = next_finish_seq(c, r.execution_id);
  if (!seq) return fail(seq.error());
  const std::string stamp = format_time(now);
  if (auto ok = write_result(c, r, owner, stamp, *seq); !ok) return ok;
  return add_counts(c, r.execution_id, r.counts, stamp, 1);
}

}  // namespace

Future<std::int64_t> SqliteStore::checkpoint_work_item(const Scope& scope, WorkItemResult r) {
  auto* im = impl_.get();
  if (auto ok = prepare_messages(scope, r.messages, im->ids, im->clock); !ok)
    return Impl::failed<std::int64_t>(ok.error());
  for (auto& [index, score] : r.scores) {
    if (index >= r.messages.size())
      return Impl::failed<std::int64_t>(
          Error::invalid("/scores", nullptr, "an index into the messages"));
    score.message_id = r.messages[index].id;
    score.owner = r.messages[index].owner;
    if (auto ok = prepare_score(scope, score, im->ids, im->clock); !ok)
      return Impl::failed<std::int64_t>(ok.error());
  }
  return im->submit<std::int64_t>(
      [r = std::move(r), owner = scope_owner(scope)](Connection& c) -> Result<std::int64_t> {
        if (auto claimed = check_claim(c, r, owner); !claimed) return fail(claimed.error());
        if (auto ok = insert_messages(c, r.messages); !ok) return fail(ok.error());
        if (auto ok = insert_scores_of_written_messages(c, r.scores); !ok) return fail(ok.error());
        return static_cast<std::int64_t>(r.messages.size());
      });
}

Future<std::vector<std::optional<Error>>> SqliteStore::record_work_item_results(
    const Scope& scope, std::shared_ptr<std::vector<WorkItemResult>> shared) {
  auto* im = impl_.get();
  auto& batch = *shared;
  for (std::size_t i = 0; i < batch.size(); ++i) {
    auto& r = batch[i];
    if (r.status != "done" && r.status != "failed")
      return Impl::failed<std::vector<std::optional<Error>>>(
          Error::invalid("/results/" + std::to_string(i) + "/status", boost::json::value(r.status),
                         "done or failed"));
    if (auto ok = prepare_messages(scope, r.messages, im->ids, im->clock); !ok)
      return Impl::failed<std::vector<std::optional<Error>>>(ok.error());
    for (auto& [index, score] : r.scores) {
      if (index >= r.messages.size())
        return Impl::failed<std::vector<std::optional<Error>>>(Error::invalid(
            "/results/" + std::to_string(i) + "/scores", nullptr, "an index into the messages"));
      score.message_id = r.messages[index].id;
      score.owner = r.messages[index].owner;
      if (auto ok = prepare_score(scope, score, im->ids, im->clock); !ok)
        return Impl::failed<std::vector<std::optional<Error>>>(ok.error());
    }
    if (r.attack) {
      r.attack->execution_id = r.execution_id;
      if (auto ok = prepare_attack_result(scope, *r.attack, im->ids, im->clock); !ok)
        return Impl::failed<std::vector<std::optional<Error>>>(ok.error());
    }
  }
  auto now = im->clock.now();
  return im->submit<std::vector<std::optional<Error>>>(
      [shared = std::move(shared), owner = scope_owner(scope),
       now](Connection& c) -> Result<std::vector<std::optional<Error>>> {
        const auto& results = *shared;
        std::vector<std::optional<Error>> out(results.size());
        std::vector<std::size_t> valid;
        std::unordered_set<std::string_view> seen;
        for (std::size_t i = 0; i < results.size(); ++i) {
          if (!seen.insert(results[i].work_item_id).second)
            out[i] = Error(ErrorCode::conflict, "the work item is recorded twice in one call");
          else
            valid.push_back(i);
        }
        // All results in one savepoint (a savepoint costs time proportional to the
        // transaction, so not one per result); should one fail (an item no longer claimed
        // by its worker, a bad reference), each again in its own, after checking its claim
        // for a precise error, so that only the failing ones are left out.
        if (auto ok = c.exec("SAVEPOINT items"); !ok) return fail(ok.error());
        auto written = write_all(c, results, valid, owner, now);
        const bool all = written && *written;
        if (!all)
          if (auto ok = c.exec("ROLLBACK TO items"); !ok) return fail(ok.error());
        if (auto ok = c.exec("RELEASE items"); !ok) return fail(ok.error());
        if (all) return out;
        for (auto i : valid) {
          if (auto claimed = check_claim(c, results[i], owner); !claimed) {
            out[i] = claimed.error();
            continue;
          }
          if (auto ok = c.exec("SAVEPOINT item"); !ok) return fail(ok.error());
          if (auto done = write_one(c, results[i], owner, now); !done) {
            if (auto ok = c.exec("ROLLBACK TO item"); !ok) return fail(ok.error());
            out[i] = done.error();
          }
          if (auto ok = c.exec("RELEASE item"); !ok) return fail(ok.error());
        }
        return out;
      });
}

}  // namespace redcell::memory

namespace redcell::memory {

Future<std::int64_t> SqliteStore::release_work_items(const Scope& scope, std::string execution_id,
                                                     std::optional<std::string> worker) {
  return impl_->submit<std::int64_t>(
      [execution_id, worker = std::move(worker),
       owner = scope_owner(scope)](Connection& c) -> Result<std::int64_t> {
        auto st = c.prepare(
            std::string("UPDATE work_items SET status = 'pending', claimed_by = '', "
                        "lease_expires_at = NULL WHERE execution_id = ? AND status = 'claimed'") +
            (worker ? " AND claimed_by = ?" : "") + owner_clause(owner));
        if (!st) return fail(st.error());
        StatementReset reset{*st};
        int i = 1;
        (*st)->bind(i++, execution_id);
        if (worker) (*st)->bind(i++, *worker);
        if (!owner.empty()) (*st)->bind(i++, owner);
        if (auto ok = (*st)->run(); !ok) return fail(ok.error());
        return static_cast<std::int64_t>(c.changes());
      });
}

}  // namespace redcell::memory
