#pragma once
// The store's contract, one suite per repository (memory/repositories.hpp), each run against
// every backend that implements that repository. A backend joins a suite by naming the
// repository in its Backend entry (kBackends below), so a second backend can be built and
// checked one repository at a time. isolation_test.cpp checks the whole Store at once.
#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "memory/sqlite/sqlite_store.hpp"
#include "memory/store.hpp"

namespace redcell::memory::contract {

namespace fs = std::filesystem;

struct Backend {
  std::string name;
  std::function<std::unique_ptr<Store>(const fs::path& dir)> open;
  std::set<std::string> repositories;  // the suites it passes: "identity", "work_queue", ...
};
inline void PrintTo(const Backend& b, std::ostream* os) {
  *os << b.name;
}

inline std::unique_ptr<Store> open_sqlite(const fs::path& dir) {
  StoreUrl url;
  url.path = dir / "store.db";
  auto s = SqliteStore::open(url);
  EXPECT_TRUE(s) << s.error().message();
  return std::move(*s);
}

inline const std::vector<Backend>& all_backends() {
  static const std::vector<Backend> backends{
      {"sqlite",
       open_sqlite,
       {"identity", "definitions", "records", "results", "work_queue", "admin", "store"}}};
  return backends;
}

// The backends whose `repository` is checked by a suite.
inline std::vector<Backend> backends_for(const std::string& repository) {
  std::vector<Backend> out;
  for (const auto& b : all_backends())
    if (b.repositories.contains(repository)) out.push_back(b);
  return out;
}

inline std::string backend_name(const ::testing::TestParamInfo<Backend>& p) {
  return p.param.name;
}

// The items of a page, by value: ranging over `->items` of a temporary Result would read
// a destroyed object (no lifetime extension through operator-> before C++23's P2718).
template <class T>
std::vector<T> items(Result<Page<T>> r) {
  EXPECT_TRUE(r) << r.error().message();
  return r ? std::move(r->items) : std::vector<T>{};
}

class ContractTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/redcell-store-test-XXXXXX";
    dir_ = mkdtemp(tmpl);
    store_ = GetParam().open(dir_);
    alice_ = add_user("https://idp.test", "alice-sub", "alice");
    bob_ = add_user("https://idp.test", "bob-sub", "bob");
  }
  void TearDown() override {
    store_.reset();
    fs::remove_all(dir_);
  }

  std::string add_user(std::string iss, std::string sub, std::string name) {
    auto u =
        store_->upsert_user(Scope::system(), User{"", iss, sub, name, name, {"user"}, {}, {}, {}})
            .get();
    EXPECT_TRUE(u) << u.error().message();
    return u->id;
  }

  static Message msg(std::string conversation, std::int64_t seq, std::string text = "hello") {
    Message m;
    m.conversation_id = std::move(conversation);
    m.sequence = seq;
    m.role = seq % 2 == 0 ? "user" : "assistant";
    m.original_value = text;
    m.converted_value = text;
    return m;
  }

  static Score verdict(const std::string& message_id, std::string value = "true") {
    Score s;
    s.message_id = message_id;
    s.scorer_type = "substring";
    s.score_type = "true_false";
    s.value = std::move(value);
    return s;
  }

  std::vector<Message> add(const std::string& user, std::vector<Message> ms) {
    auto r = store_->add_messages(Scope::user(user), std::move(ms)).get();
    EXPECT_TRUE(r) << r.error().message();
    return r ? *r : std::vector<Message>{};
  }

  fs::path dir_;
  std::unique_ptr<Store> store_;
  std::string alice_, bob_;
};

// A suite's fixture: the repository under test as `repo()`, the whole store (for setting up
// what the repository refers to) as `store_`.
template <class Repository>
class RepositoryContract : public ContractTest {
 protected:
  Repository& repo() { return *store_; }
};

inline WorkItemFilter items_where(std::optional<std::string> status, std::optional<int> chain = {},
                                  std::optional<bool> achieved = {}) {
  WorkItemFilter f;
  f.status = std::move(status);
  f.chain_index = chain;
  f.achieved = achieved;
  return f;
}

inline std::string everything(const Message& m) {
  return m.id + m.owner + m.conversation_id + m.role + m.original_value + m.converted_value +
         m.converters + m.target_id + m.orchestrator_id + m.execution_id + m.labels + m.metadata +
         m.error_message;
}
inline std::string everything(const Score& s) {
  return s.id + s.owner + s.message_id + s.scorer_type + s.scorer_identity + s.value + s.category +
         s.rationale + s.metadata + s.override_reason.value_or("");
}
inline std::string everything(const AuditEvent& e) {
  return e.id + e.owner + e.action + e.object_type + e.object_id + e.details;
}
inline std::string everything(const User& u) {
  return u.id + u.issuer + u.subject + u.username + u.display_name;
}

inline ApiKey key_for(std::string name, std::string prefix) {
  ApiKey k;
  k.name = std::move(name);
  k.prefix = std::move(prefix);
  k.secret_hash = std::string(64, 'a');
  return k;
}

inline Target target_named(std::string name) {
  Target t;
  t.name = std::move(name);
  t.type = "openai_chat";
  t.config = R"({"endpoint":"http://127.0.0.1:9000/v1","model":"m"})";
  t.api_key_env = "OPENAI_API_KEY";
  return t;
}

inline std::vector<SeedPrompt> prompts(std::initializer_list<std::string> values) {
  std::vector<SeedPrompt> out;
  for (const auto& v : values) {
    SeedPrompt p;
    p.value = v;
    p.harm_categories = R"(["illegal"])";
    out.push_back(p);
  }
  return out;
}

// `n` work items of one execution, prompts p0, p1, ...
inline std::vector<WorkItem> work_items_for(const std::string& execution_id, int n) {
  std::vector<WorkItem> work;
  for (int i = 0; i < n; ++i) {
    WorkItem w;
    w.id = execution_id + ":p" + std::to_string(i) + ":c0:a0";
    w.execution_id = execution_id;
    w.prompt_id = "p" + std::to_string(i);
    work.push_back(w);
  }
  return work;
}

inline std::string everything(const Target& t) {
  return t.id + t.owner + t.name + t.type + t.config + t.secret_ciphertext + t.api_key_env;
}
inline std::string everything(const Orchestrator& o) {
  return o.id + o.owner + o.name + o.type + o.definition + o.config_hash;
}
inline std::string everything(const Dataset& d) {
  return d.id + d.owner + d.name + d.description;
}
inline std::string everything(const Execution& e) {
  return e.id + e.owner + e.orchestrator_id + e.status + e.snapshot + e.error;
}
inline std::string everything(const WorkItem& w) {
  return w.id + w.owner + w.execution_id + w.prompt_id + w.claimed_by + w.conversation_id + w.error;
}
inline std::string everything(const AttackResult& r) {
  return r.id + r.owner + r.execution_id + r.conversation_id + r.objective + r.metadata;
}
inline std::string everything(const ApiKey& k) {
  return k.id + k.owner + k.name + k.prefix + k.secret_hash;
}

}  // namespace redcell::memory::contract
