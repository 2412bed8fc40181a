#include "memory/sqlite/migrations.hpp"

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.hpp"
#include "common/id.hpp"

namespace redcell::memory::sqlite {

namespace {

struct Migration {
  int version;
  const char* name;
  const char* sql;
  Result<void> (*then)(Connection&) = nullptr;  // a step SQL alone cannot express
};

Result<void> store_uuids_as_blobs(Connection& conn);

// Append only: a released migration never changes. A table, not a function body: it grows
// with every migration.
constexpr Migration kMigrations[] = {
    {1, "core memory: users, messages, scores, audit", R"sql(
CREATE TABLE schema_migrations (
  version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL);

CREATE TABLE users (
  id TEXT PRIMARY KEY,
  issuer TEXT NOT NULL,
  subject TEXT NOT NULL,
  username TEXT NOT NULL DEFAULT '',
  display_name TEXT NOT NULL DEFAULT '',
  roles TEXT NOT NULL DEFAULT '[]',
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  UNIQUE (issuer, subject));

CREATE TABLE messages (
  id TEXT PRIMARY KEY,
  owner TEXT NOT NULL REFERENCES users(id),
  conversation_id TEXT NOT NULL,
  sequence INTEGER NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('system', 'user', 'assistant')),
  original_value TEXT NOT NULL,
  original_value_data_type TEXT NOT NULL,
  original_value_sha256 TEXT NOT NULL,
  converted_value TEXT,         -- NULL: the same as original_value (most baseline prompts)
  converted_value_data_type TEXT NOT NULL,
  converted_value_sha256 TEXT,  -- NULL with converted_value
  converters TEXT NOT NULL DEFAULT '[]',
  target_id TEXT,
  orchestrator_id TEXT,
  execution_id TEXT,
  labels TEXT NOT NULL DEFAULT '{}',
  metadata TEXT NOT NULL DEFAULT '{}',
  response_error TEXT NOT NULL DEFAULT 'none'
    CHECK (response_error IN ('none', 'blocked', 'processing', 'empty', 'unknown')),
  error_message TEXT,
  latency_ms REAL,
  prompt_tokens INTEGER,
  completion_tokens INTEGER,
  created_at TEXT NOT NULL);
CREATE INDEX messages_by_conversation ON messages (conversation_id, sequence);
CREATE INDEX messages_by_owner ON messages (owner, id);
CREATE INDEX messages_by_execution ON messages (execution_id, id) WHERE execution_id IS NOT NULL;

CREATE TABLE scores (
  id TEXT PRIMARY KEY,
  owner TEXT NOT NULL REFERENCES users(id),
  message_id TEXT NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
  scorer_type TEXT NOT NULL,
  scorer_identity TEXT NOT NULL DEFAULT '{}',
  score_type TEXT NOT NULL CHECK (score_type IN ('true_false', 'float_scale')),
  value TEXT NOT NULL,
  category TEXT NOT NULL DEFAULT '',
  rationale TEXT NOT NULL DEFAULT '',
  metadata TEXT NOT NULL DEFAULT '{}',
  override_value TEXT,
  override_reason TEXT,
  overridden_by TEXT,
  overridden_at TEXT,
  created_at TEXT NOT NULL);
CREATE INDEX scores_by_message ON scores (message_id, id);
CREATE INDEX scores_by_owner ON scores (owner, id);

CREATE TABLE audit_events (
  id TEXT PRIMARY KEY,
  owner TEXT NOT NULL,
  action TEXT NOT NULL,
  object_type TEXT NOT NULL DEFAULT '',
  object_id TEXT NOT NULL DEFAULT '',
  details TEXT NOT NULL DEFAULT '{}',
  created_at TEXT NOT NULL);
CREATE INDEX audit_by_owner ON audit_events (owner, id);
CREATE INDEX audit_by_object ON audit_events (object_type, object_id, id);
)sql"},
    {2, "api keys, idempotency keys, targets, orchestrators", R"sql(
CREATE TABLE api_keys (
  id TEXT PRIMARY KEY,
  owner TEXT NOT NULL REFERENCES users(id),
  name TEXT NOT NULL,
  prefix TEXT NOT NULL UNIQUE,
  secret_hash TEXT NOT NULL,
  created_at TEXT NOT NULL,
  last_used_at TEXT,
  revoked_at TEXT);
CREATE INDEX api_keys_by_owner ON api_keys (owner, id);

CREATE TABLE idempotency_keys (
  owner TEXT NOT NULL,
  key TEXT NOT NULL,
  request_hash TEXT NOT NULL,
  status INTEGER NOT NULL DEFAULT 0,
  response_body TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL,
  PRIMARY KEY (owner, key)) WITHOUT ROWID;

CREATE TABLE targets (
  id TEXT PRIMARY KEY,
  owner TEXT NOT NULL REFERENCES users(id),
  name TEXT NOT NULL,
  type TEXT NOT NULL,
  config TEXT NOT NULL DEFAULT '{}',
  secret_ciphertext TEXT,
  api_key_env TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  deleted_at TEXT);
CREATE INDEX targets_by_owner ON targets (owner, id) WHERE deleted_at IS NULL;

CREATE TABLE orchestrators (
  id TEXT PRIMARY KEY,
  owner TEXT NOT NULL REFERENCES users(id),
  name TEXT NOT NULL,
  type TEXT NOT NULL,
  definition TEXT NOT NULL,
  config_hash TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  deleted_at TEXT);
CREATE INDEX orchestrators_by_owner ON orchestrators (owner, id) WHERE deleted_at IS NULL;
CREATE INDEX orchestrators_by_definition ON orchestrators (owner, config_hash)
  WHERE deleted_at IS NULL;
)sql"},
    {3, "datasets with versions and seed prompts, executions, work items, attack results",
     R"sql(
CREATE TABLE datasets (
  id TEXT PRIMARY KEY,
  owner TEXT NOT NULL REFERENCES users(id),
  latest_version INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  deleted_at TEXT);
CREATE INDEX datasets_by_owner ON datasets (owner, id) WHERE deleted_at IS NULL;

CREATE TABLE dataset_versions (
  dataset_id TEXT NOT NULL REFERENCES datasets(id),
  version INTEGER NOT NULL,
  name TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  prompt_count INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (dataset_id, version)) WITHOUT ROWID;

CREATE TABLE seed_prompts (
  id TEXT PRIMARY KEY,
  owner TEXT NOT NULL,
  dataset_id TEXT NOT NULL,
  version INTEGER NOT NULL,
  position INTEGER NOT NULL,
  value TEXT NOT NULL,
  data_type TEXT NOT NULL,
  harm_categories TEXT NOT NULL DEFAULT '[]',
  metadata TEXT NOT NULL DEFAULT '{}',
  FOREIGN KEY (dataset_id, version) REFERENCES dataset_versions (dataset_id, version),
  UNIQUE (dataset_id, version, position));

CREATE TABLE executions (
  id TEXT PRIMARY KEY,
  owner TEXT NOT NULL REFERENCES users(id),
  orchestrator_id TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed',
                                         'cancelled', 'interrupted', 'incomplete')),
  total INTEGER NOT NULL DEFAULT 0,
  sent INTEGER NOT NULL DEFAULT 0,
  errors INTEGER NOT NULL DEFAULT 0,
  scored INTEGER NOT NULL DEFAULT 0,
  achieved INTEGER NOT NULL DEFAULT 0,
  snapshot TEXT NOT NULL DEFAULT '{}',
  error TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL,
  started_at TEXT,
  finished_at TEXT,
  updated_at TEXT NOT NULL);
CREATE INDEX executions_by_owner ON executions (owner, id);
CREATE INDEX executions_unfinished ON executions (status, id)
  WHERE status IN ('queued', 'running', 'interrupted');

CREATE TABLE work_items (
  id TEXT PRIMARY KEY,
  owner TEXT NOT NULL,
  execution_id TEXT NOT NULL REFERENCES executions(id) ON DELETE CASCADE,
  prompt_id TEXT NOT NULL,
  chain_index INTEGER NOT NULL,
  attempt INTEGER NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pending', 'claimed', 'done', 'failed')),
  claimed_by TEXT NOT NULL DEFAULT '',
  lease_expires_at TEXT,
  conversation_id TEXT NOT NULL DEFAULT '',
  error TEXT NOT NULL DEFAULT '',
  updated_at TEXT NOT NULL);
CREATE INDEX work_items_by_execution ON work_items (execution_id, status, id);

CREATE TABLE attack_results (
  id TEXT PRIMARY KEY,
  owner TEXT NOT NULL,
  execution_id TEXT NOT NULL REFERENCES executions(id) ON DELETE CASCADE,
  conversation_id TEXT NOT NULL,
  objective TEXT NOT NULL DEFAULT '',
  outcome TEXT NOT NULL CHECK (outcome IN ('achieved', 'not_achieved', 'undetermined', 'error')),
  turns INTEGER NOT NULL DEFAULT 0,
  metadata TEXT NOT NULL DEFAULT '{}',
  created_at TEXT NOT NULL);
CREATE INDEX attack_results_by_execution ON attack_results (execution_id, id);
)sql"},
    {4, "work items remember the order they finished in and whether the objective was achieved",
     R"sql(
ALTER TABLE work_items ADD COLUMN finish_seq INTEGER;
ALTER TABLE work_items ADD COLUMN achieved INTEGER CHECK (achieved IN (0, 1));
CREATE UNIQUE INDEX work_items_by_finish ON work_items (execution_id, finish_seq)
  WHERE finish_seq IS NOT NULL;
)sql"},
    {5, "users merged into another resolve to it",
     R"sql(
ALTER TABLE users ADD COLUMN merged_into TEXT REFERENCES users(id);
)sql"},
    {6, "saved scorer configurations",
     R"sql(
CREATE TABLE scorer_configs (
  id TEXT PRIMARY KEY,
  owner TEXT NOT NULL REFERENCES users(id),
  name TEXT NOT NULL,
  scorer TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  deleted_at TEXT);
CREATE INDEX scorer_configs_by_owner ON scorer_configs (owner, id) WHERE deleted_at IS NULL;
)sql"},
    // Pages of a dataset version are read by id (keyset); without this index every page
    // sorted the whole version, so reading a 100,000-prompt version was quadratic.
    {7, "seed prompts paged by id within a dataset version",
     R"sql(
CREATE INDEX seed_prompts_by_version ON seed_prompts (dataset_id, version, id);
)sql"},
    // SQLite evaluates `x IN (three or more constants)` in a CHECK or a partial index by
    // building a temporary b-tree on every statement that checks it: a quarter of the cost
    // of inserting a message. The same constraints spelled as OR chains cost a few
    // comparisons. CHECK constraints cannot be altered, so the four tables are rebuilt
    // (rows, columns and indexes unchanged). The partial index on unfinished executions
    // becomes usable by the planner for `status = ?` too.
    {8, "status and role checks without temporary b-trees",
     R"sql(
CREATE TABLE messages_v8 (
  id TEXT PRIMARY KEY,
  owner TEXT NOT NULL REFERENCES users(id),
  conversation_id TEXT NOT NULL,
  sequence INTEGER NOT NULL,
  role TEXT NOT NULL CHECK (role = 'system' OR role = 'user' OR role = 'assistant'),
  original_value TEXT NOT NULL,
  original_value_data_type TEXT NOT NULL,
  original_value_sha256 TEXT NOT NULL,
  converted_value TEXT,         -- NULL: the same as original_value (most baseline prompts)
  converted_value_data_type TEXT NOT NULL,
  converted_value_sha256 TEXT,  -- NULL with converted_value
  converters TEXT NOT NULL DEFAULT '[]',
  target_id TEXT,
  orchestrator_id TEXT,
  execution_id TEXT,
  labels TEXT NOT NULL DEFAULT '{}',
  metadata TEXT NOT NULL DEFAULT '{}',
  response_error TEXT NOT NULL DEFAULT 'none'
    CHECK (response_error = 'none' OR response_error = 'blocked' OR
           response_error = 'processing' OR response_error = 'empty' OR
           response_error = 'unknown'),
  error_message TEXT,
  latency_ms REAL,
  prompt_tokens INTEGER,
  completion_tokens INTEGER,
  created_at TEXT NOT NULL);
INSERT INTO messages_v8 SELECT
  id, owner, conversation_id, sequence, role, original_value, original_value_data_type,
  original_value_sha256, converted_value, converted_value_data_type, converted_value_sha256,
  converters, target_id, orchestrator_id, execution_id, labels, metadata, response_error,
  error_message, latency_ms, prompt_tokens, completion_tokens, created_at
  FROM messages ORDER BY rowid;
DROP TABLE messages;
ALTER TABLE messages_v8 RENAME TO messages;
CREATE INDEX messages_by_conversation ON messages (conversation_id, sequence);
CREATE INDEX messages_by_owner ON messages (owner, id);
CREATE INDEX messages_by_execution ON messages (execution_id, id) WHERE execution_id IS NOT NULL;

CREATE TABLE executions_v8 (
  id TEXT PRIMARY KEY,
  owner TEXT NOT NULL REFERENCES users(id),
  orchestrator_id TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status = 'queued' OR status = 'running' OR
                              status = 'succeeded' OR status = 'failed' OR
                              status = 'cancelled' OR status = 'interrupted' OR
                              status = 'incomplete'),
  total INTEGER NOT NULL DEFAULT 0,
  sent INTEGER NOT NULL DEFAULT 0,
  errors INTEGER NOT NULL DEFAULT 0,
  scored INTEGER NOT NULL DEFAULT 0,
  achieved INTEGER NOT NULL DEFAULT 0,
  snapshot TEXT NOT NULL DEFAULT '{}',
  error TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL,
  started_at TEXT,
  finished_at TEXT,
  updated_at TEXT NOT NULL);
INSERT INTO executions_v8 SELECT
  id, owner, orchestrator_id, status, total, sent, errors, scored, achieved, snapshot, error,
  created_at, started_at, finished_at, updated_at
  FROM executions ORDER BY rowid;
DROP TABLE executions;
ALTER TABLE executions_v8 RENAME TO executions;
CREATE INDEX executions_by_owner ON executions (owner, id);
CREATE INDEX executions_unfinished ON executions (status, id)
  WHERE status = 'queued' OR status = 'running' OR status = 'interrupted';

CREATE TABLE work_items_v8 (
  id TEXT PRIMARY KEY,
  owner TEXT NOT NULL,
  execution_id TEXT NOT NULL REFERENCES executions(id) ON DELETE CASCADE,
  prompt_id TEXT NOT NULL,
  chain_index INTEGER NOT NULL,
  attempt INTEGER NOT NULL,
  status TEXT NOT NULL CHECK (status = 'pending' OR status = 'claimed' OR status = 'done' OR
                              status = 'failed'),
  claimed_by TEXT NOT NULL DEFAULT '',
  lease_expires_at TEXT,
  conversation_id TEXT NOT NULL DEFAULT '',
  error TEXT NOT NULL DEFAULT '',
  updated_at TEXT NOT NULL,
  finish_seq INTEGER,
  achieved INTEGER CHECK (achieved = 0 OR achieved = 1));
INSERT INTO work_items_v8 SELECT
  id, owner, execution_id, prompt_id, chain_index, attempt, status, claimed_by,
  lease_expires_at, conversation_id, error, updated_at, finish_seq, achieved
  FROM work_items ORDER BY rowid;
DROP TABLE work_items;
ALTER TABLE work_items_v8 RENAME TO work_items;
CREATE INDEX work_items_by_execution ON work_items (execution_id, status, id);
CREATE UNIQUE INDEX work_items_by_finish ON work_items (execution_id, finish_seq)
  WHERE finish_seq IS NOT NULL;

CREATE TABLE attack_results_v8 (
  id TEXT PRIMARY KEY,
  owner TEXT NOT NULL,
  execution_id TEXT NOT NULL REFERENCES executions(id) ON DELETE CASCADE,
  conversation_id TEXT NOT NULL,
  objective TEXT NOT NULL DEFAULT '',
  outcome TEXT NOT NULL CHECK (outcome = 'achieved' OR outcome = 'not_achieved' OR
                               outcome = 'undetermined' OR outcome = 'error'),
  turns INTEGER NOT NULL DEFAULT 0,
  metadata TEXT NOT NULL DEFAULT '{}',
  created_at TEXT NOT NULL);
INSERT INTO attack_results_v8 SELECT
  id, owner, execution_id, conversation_id, objective, outcome, turns, metadata, created_at
  FROM attack_results ORDER BY rowid;
DROP TABLE attack_results;
ALTER TABLE attack_results_v8 RENAME TO attack_results;
CREATE INDEX attack_results_by_execution ON attack_results (execution_id, id);
)sql"},
    {9, "ids stored as 16-byte blobs", "", store_uuids_as_blobs},
    // Without statistics SQLite picked scores_by_owner for a message's scores (owner = ?
    // AND message_id = ?), reading all of a user's scores for each message of a results
    // page. No route lists messages or scores by owner alone; each index also cost
    // every inserted row a b-tree insert (ingest +10%). User merge scans instead.
    {10, "no per-owner message and score indexes", R"sql(
DROP INDEX messages_by_owner;
DROP INDEX scores_by_owner;
)sql"},
    // A results page lists an execution's work items in id order; (execution_id, status,
    // id) serves that only with a status filter, so without one SQLite sorted all of the
    // execution's items for every page (0.27 s per page at 100,000 items).
    {11, "work items of an execution in id order", R"sql(
CREATE INDEX work_items_in_order ON work_items (execution_id, id);
)sql"},
    // A conversation's messages are listed by (sequence, id). With the index on
    // (conversation_id, sequence) SQLite sorted each sequence's rows by id in a temporary
    // b-tree, row by row: a quarter of a page's CPU (237 against 174 µs for 50 messages).
    // With id in the index the order is the index's, and the keyset cursor seeks on it.
    {12, "a conversation's messages in (sequence, id) order", R"sql(
DROP INDEX messages_by_conversation;
CREATE INDEX messages_by_conversation ON messages (conversation_id, sequence, id);
)sql"},
    // A judge that could not decide leaves its work item undetermined: counted apart, so
    // the success rate is achieved / decided (scored), never diluted by judge failures.
    {13, "executions count undetermined verdicts", R"sql(
ALTER TABLE executions ADD COLUMN undetermined INTEGER NOT NULL DEFAULT 0;
)sql"},
    // The finishing order (the events' sequence) is a counter on the execution, read by
    // primary key, instead of MAX(finish_seq) + 1 over the work items.
    {14, "executions count their finished work items", R"sql(
ALTER TABLE executions ADD COLUMN last_finish_seq INTEGER NOT NULL DEFAULT 0;
UPDATE executions SET last_finish_seq = COALESCE(
  (SELECT MAX(finish_seq) FROM work_items
   WHERE work_items.execution_id = executions.id AND finish_seq IS NOT NULL), 0);
)sql"},
    {15, "scorer evaluations", R"sql(
CREATE TABLE scorer_evaluations (
  id TEXT PRIMARY KEY,
  owner TEXT NOT NULL,
  scorer_config_id TEXT NOT NULL DEFAULT '',
  scorer TEXT NOT NULL,
  scorer_hash TEXT NOT NULL,
  report TEXT NOT NULL,
  created_at TEXT NOT NULL);
CREATE INDEX scorer_evaluations_by_owner ON scorer_evaluations (owner, id);
)sql"},
    // Scores are written a few per reply and read by message. As a rowid table with a text
    // primary key and a (message_id, id) index, each row cost three b-tree inserts and an
    // owner lookup in users. Clustered on (message_id, id), without a rowid, a score is one
    // row in the table and one entry in the id index. A message's scores are read together
    // from one place, and deleting a message still cascades through the primary key. The
    // owner is the message's (insert_score checks it), so it needs no foreign key of its own.
    {16, "scores clustered by message", R"sql(
CREATE TABLE scores_v16 (
  id TEXT NOT NULL,
  owner TEXT NOT NULL,
  message_id TEXT NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
  scorer_type TEXT NOT NULL,
  scorer_identity TEXT NOT NULL DEFAULT '{}',
  score_type TEXT NOT NULL CHECK (score_type = 'true_false' OR score_type = 'float_scale'),
  value TEXT NOT NULL,
  category TEXT NOT NULL DEFAULT '',
  rationale TEXT NOT NULL DEFAULT '',
  metadata TEXT NOT NULL DEFAULT '{}',
  override_value TEXT,
  override_reason TEXT,
  overridden_by TEXT,
  overridden_at TEXT,
  created_at TEXT NOT NULL,
  PRIMARY KEY (message_id, id)) WITHOUT ROWID;
INSERT INTO scores_v16 SELECT
  id, owner, message_id, scorer_type, scorer_identity, score_type, value, category, rationale,
  metadata, override_value, override_reason, overridden_by, overridden_at, created_at
  FROM scores;
DROP TABLE scores;
ALTER TABLE scores_v16 RENAME TO scores;
CREATE UNIQUE INDEX scores_by_id ON scores (id);
)sql"},
};

std::span<const Migration> migrations() {
  return kMigrations;
}

// redcell_uuid_blob(x): the 16 bytes of x when x is a UUID in canonical text form, else x;
// what Statement::bind stores for such a string since migration 9.
void uuid_blob_function(sqlite3_context* ctx, int, sqlite3_value** argv) {
  if (sqlite3_value_type(argv[0]) == SQLITE_TEXT) {
    std::string_view text(reinterpret_cast<const char*>(sqlite3_value_text(argv[0])),
                          static_cast<std::size_t>(sqlite3_value_bytes(argv[0])));
    if (auto id = uuid_bytes(text)) {
      sqlite3_result_blob(ctx, id->data(), 16, SQLITE_TRANSIENT);
      return;
    }
  }
  sqlite3_result_value(ctx, argv[0]);
}

// Every text value that is a UUID in canonical form, in every column of every table,
// becomes its 16 bytes: the same rule Statement::bind applies to new writes, so an old
// row and a new one holding the same id compare equal.
Result<void> store_uuids_as_blobs(Connection& conn) {
  if (sqlite3_create_function_v2(conn.handle(), "redcell_uuid_blob", 1,
                                 SQLITE_UTF8 | SQLITE_DETERMINISTIC, nullptr, uuid_blob_function,
                                 nullptr, nullptr, nullptr) != SQLITE_OK)
    return fail(conn.error("register redcell_uuid_blob"));
  auto list = conn.prepare(
      "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
      "ORDER BY name");
  if (!list) return fail(list.error());
  auto tables = first_column(**list);
  if (!tables) return fail(tables.error());
  for (const auto& table : *tables) {
    auto cols = conn.prepare("SELECT name FROM pragma_table_info(?) WHERE type = 'TEXT'");
    if (!cols) return fail(cols.error());
    (*cols)->bind(1, table);
    auto columns = first_column(**cols);
    if (!columns) return fail(columns.error());
    std::string sets;
    for (const auto& name : *columns) {
      auto column = "\"" + name + "\"";
      sets += (sets.empty() ? "" : ", ") + column + " = redcell_uuid_blob(" + column + ")";
    }
    if (sets.empty()) continue;
    if (auto ok = conn.exec("UPDATE \"" + table + "\" SET " + sets); !ok) return fail(ok.error());
  }
  return {};
}

}  // namespace

int known_schema_version() {
  return migrations().back().version;
}

Result<int> schema_version(Connection& conn) {
  auto st = conn.prepare("PRAGMA user_version");
  if (!st) return fail(st.error());
  StatementReset reset{*st};
  auto row = (*st)->step();
  if (!row) return fail(row.error());
  return static_cast<int>((*st)->int64(0));
}

Result<void> check_not_newer(int version, const std::string& where) {
  if (version <= known_schema_version()) return {};
  return fail(Error(ErrorCode::conflict, "the store " + where + " has schema version " +
                                             std::to_string(version) +
                                             ", newer than this redcell knows (" +
                                             std::to_string(known_schema_version()) +
                                             "): upgrade redcell; the store was not changed"));
}

namespace {

Result<bool> foreign_keys_enabled(Connection& conn) {
  auto st = conn.prepare("PRAGMA foreign_keys");
  if (!st) return fail(st.error());
  StatementReset reset{*st};
  auto row = (*st)->step();
  if (!row) return fail(row.error());
  return *row && (*st)->int64(0) == 1;
}

// After a rebuild with enforcement off (SQLite's documented procedure for table changes),
// every reference must still resolve, or the migration is rolled back.
Result<void> check_foreign_keys(Connection& conn) {
  auto st = conn.prepare("PRAGMA foreign_key_check");
  if (!st) return fail(st.error());
  StatementReset reset{*st};
  auto row = (*st)->step();
  if (!row) return fail(row.error());
  if (!*row) return {};
  return fail(Error(ErrorCode::internal, "a row of " + (*st)->text(0) + " refers to a missing " +
                                             (*st)->text(2) + " row"));
}

}  // namespace

Result<int> migrate(Connection& conn, int up_to) {
  auto current = schema_version(conn);
  if (!current) return fail(current.error());
  // Foreign keys cannot be switched inside a transaction; a rebuilt table must not cascade
  // deletes into the tables that refer to it, so enforcement is off while migrating.
  auto enforced = foreign_keys_enabled(conn);
  if (!enforced) return fail(enforced.error());
  if (*enforced) {
    if (auto ok = conn.exec("PRAGMA foreign_keys = OFF"); !ok) return fail(ok.error());
  }
  struct Restore {
    Connection& conn;
    bool on;
    ~Restore() {
      if (on) (void)conn.exec("PRAGMA foreign_keys = ON");
    }
  } restore{conn, *enforced};
  for (const auto& m : migrations()) {
    if (m.version <= *current || m.version > up_to) continue;
    if (auto ok = conn.exec("BEGIN IMMEDIATE"); !ok) return fail(ok.error());
    auto ok = conn.exec(m.sql);
    if (ok && m.then) ok = m.then(conn);
    if (ok) ok = check_foreign_keys(conn);
    if (ok) {
      auto st = conn.prepare(
          "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)");
      if (!st) {
        ok = fail(st.error());
      } else {
        (*st)->bind(1, m.version);
        (*st)->bind(2, m.name);
        (*st)->bind(3, SystemClock::instance().now());
        ok = (*st)->run();
        (*st)->reset();
      }
    }
    if (ok) ok = conn.exec("PRAGMA user_version = " + std::to_string(m.version));
    if (ok) ok = conn.exec("COMMIT");
    if (!ok) {
      (void)conn.exec("ROLLBACK");
      return fail(Error(ErrorCode::internal, "migration " + std::to_string(m.version) + " (" +
                                                 m.name + ") failed: " + ok.error().message()));
    }
    *current = m.version;
  }
  return *current;
}

}  // namespace redcell::memory::sqlite
