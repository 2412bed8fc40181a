// The DefinitionRepository contract: targets, scorer configs, orchestrators and datasets.
#include <set>

#include "contract.hpp"

namespace redcell::memory::contract {
namespace {

using DefinitionContract = RepositoryContract<DefinitionRepository>;

TEST_P(DefinitionContract, TargetsCrudWithSoftDelete) {
  auto t = repo().add_target(Scope::user(alice_), target_named("local mock")).get();
  ASSERT_TRUE(t) << t.error().message();
  auto got = repo().get_target(Scope::user(alice_), t->id);
  ASSERT_TRUE(got);
  EXPECT_EQ(got->config, t->config);
  EXPECT_EQ(got->api_key_env, "OPENAI_API_KEY");
  Target changed = *got;
  changed.name = "renamed";
  changed.config = R"({"endpoint":"http://127.0.0.1:9001/v1"})";
  auto updated = repo().update_target(Scope::user(alice_), changed).get();
  ASSERT_TRUE(updated) << updated.error().message();
  EXPECT_EQ(updated->name, "renamed");
  EXPECT_EQ(repo().update_target(Scope::user(bob_), changed).get().error().code(),
            ErrorCode::not_found);
  EXPECT_EQ(repo().get_target(Scope::user(bob_), t->id).error().code(), ErrorCode::not_found);
  EXPECT_TRUE(items(repo().list_targets(Scope::user(bob_), {})).empty());
  EXPECT_EQ(repo().delete_target(Scope::user(bob_), t->id).get().error().code(),
            ErrorCode::not_found);
  ASSERT_TRUE(repo().delete_target(Scope::user(alice_), t->id).get());
  EXPECT_EQ(repo().get_target(Scope::user(alice_), t->id).error().code(), ErrorCode::not_found);
  EXPECT_TRUE(items(repo().list_targets(Scope::user(alice_), {})).empty());
  EXPECT_EQ(repo().delete_target(Scope::user(alice_), t->id).get().error().code(),
            ErrorCode::not_found);
  Target bad = target_named("x");
  bad.config = "[]";
  EXPECT_EQ(repo().add_target(Scope::user(alice_), bad).get().error().details()->field, "/config");
}

TEST_P(DefinitionContract, IdenticalOrchestratorDefinitionsAreStoredOncePerOwner) {
  Orchestrator o;
  o.name = "baseline";
  o.type = "prompt_sending";
  o.definition = R"({"name":"baseline","target_id":"t","dataset_id":"d","converters":[]})";
  auto first = repo().add_orchestrator(Scope::user(alice_), o).get();
  ASSERT_TRUE(first) << first.error().message();
  EXPECT_FALSE(first->reused);
  auto second = repo().add_orchestrator(Scope::user(alice_), o).get();
  ASSERT_TRUE(second);
  EXPECT_TRUE(second->reused);
  EXPECT_EQ(second->id, first->id);
  auto bobs = repo().add_orchestrator(Scope::user(bob_), o).get();
  ASSERT_TRUE(bobs);
  EXPECT_NE(bobs->id, first->id);
  EXPECT_EQ(items(repo().list_orchestrators(Scope::user(alice_), {})).size(), 1u);
  EXPECT_EQ(repo().get_orchestrator(Scope::user(bob_), first->id).error().code(),
            ErrorCode::not_found);
  ASSERT_TRUE(repo().delete_orchestrator(Scope::user(alice_), first->id).get());
  auto after_delete = repo().add_orchestrator(Scope::user(alice_), o).get();
  ASSERT_TRUE(after_delete);
  EXPECT_FALSE(after_delete->reused);
  EXPECT_NE(after_delete->id, first->id);
}

TEST_P(DefinitionContract, AKeptOrchestratorIsServedOnlyToItsOwnerAndOnlyUntilItChanges) {
  Orchestrator o;
  o.name = "kept";
  o.type = "prompt_sending";
  o.definition = R"({"name":"kept","target_id":"t","dataset_id":"d","converters":[]})";
  auto stored = repo().add_orchestrator(Scope::user(alice_), o).get();
  ASSERT_TRUE(stored);
  ASSERT_TRUE(repo().get_orchestrator(Scope::user(alice_), stored->id));
  auto kept = repo().cached_orchestrator(Scope::user(alice_), stored->id);
  ASSERT_TRUE(kept) << "a read leaves the row in memory";
  EXPECT_EQ(kept->definition, stored->definition);
  EXPECT_FALSE(repo().cached_orchestrator(Scope::user(bob_), stored->id)) << "not bob's";
  EXPECT_EQ(repo().get_orchestrator(Scope::user(bob_), stored->id).error().code(),
            ErrorCode::not_found);

  // Moved to bob: alice no longer sees it, from memory or from the database.
  ASSERT_TRUE(store_->reassign_objects(Scope::system(), alice_, bob_).get());
  EXPECT_FALSE(repo().cached_orchestrator(Scope::user(alice_), stored->id));
  EXPECT_EQ(repo().get_orchestrator(Scope::user(alice_), stored->id).error().code(),
            ErrorCode::not_found);
  ASSERT_TRUE(repo().get_orchestrator(Scope::user(bob_), stored->id));
  ASSERT_TRUE(repo().cached_orchestrator(Scope::user(bob_), stored->id));

  // Deleted: gone at once.
  ASSERT_TRUE(repo().delete_orchestrator(Scope::user(bob_), stored->id).get());
  EXPECT_FALSE(repo().cached_orchestrator(Scope::user(bob_), stored->id));
  EXPECT_EQ(repo().get_orchestrator(Scope::user(bob_), stored->id).error().code(),
            ErrorCode::not_found);
}

TEST_P(DefinitionContract, ListsPageWithoutGapsForEveryDefinitionKind) {
  for (int i = 0; i < 7; ++i)
    ASSERT_TRUE(
        repo().add_target(Scope::user(alice_), target_named("t" + std::to_string(i))).get());
  PageRequest page;
  page.limit = 3;
  std::vector<std::string> names;
  for (;;) {
    auto p = repo().list_targets(Scope::user(alice_), page);
    ASSERT_TRUE(p);
    for (auto& t : p->items) names.push_back(t.name);
    if (!p->next) break;
    page.after = *p->next;
  }
  EXPECT_EQ(names, (std::vector<std::string>{"t0", "t1", "t2", "t3", "t4", "t5", "t6"}));
}

TEST_P(DefinitionContract, SeedPromptsAreFetchedByIdForTheirOwnerOnlyEvenAfterDeletion) {
  Dataset d;
  d.name = "many";
  std::vector<std::string> values;
  for (int i = 0; i < 250; ++i) values.push_back("prompt " + std::to_string(i));
  std::vector<SeedPrompt> many;
  for (const auto& v : values) many.push_back(prompts({v})[0]);
  auto ds = repo().add_dataset(Scope::user(alice_), d, many).get();
  ASSERT_TRUE(ds);
  std::vector<std::string> ids;
  PageRequest page{kMaxPageLimit, std::nullopt};
  for (const auto& p : items(repo().list_seed_prompts(Scope::user(alice_), ds->id, 1, page)))
    ids.push_back(p.id);
  ASSERT_EQ(ids.size(), 250u);
  // 201 ids: over two full chunks of the query, plus one unknown id.
  std::vector<std::string> wanted(ids.begin() + 20, ids.begin() + 220);
  wanted.push_back("01900000-0000-7000-8000-000000000000");
  auto got = repo().get_seed_prompts(Scope::user(alice_), wanted).get();
  ASSERT_TRUE(got) << got.error().message();
  std::set<std::string> seen;
  for (const auto& p : *got) {
    seen.insert(p.value);
    EXPECT_EQ(p.harm_categories, R"(["illegal"])");
  }
  EXPECT_EQ(got->size(), 200u) << "each once; the unknown id left out";
  EXPECT_TRUE(seen.count("prompt 20") && seen.count("prompt 219") && !seen.count("prompt 220"));
  EXPECT_TRUE(repo().get_seed_prompts(Scope::user(bob_), wanted).get()->empty()) << "not bob's";
  EXPECT_TRUE(repo().get_seed_prompts(Scope::user(alice_), {}).get()->empty());
  ASSERT_TRUE(repo().delete_dataset(Scope::user(alice_), ds->id).get());
  EXPECT_EQ(repo().get_seed_prompts(Scope::user(alice_), wanted).get()->size(), 200u)
      << "an execution of a deleted dataset can still finish";
}

TEST_P(DefinitionContract, ASearchKeepsAVersionsPromptsThatContainItInOrder) {
  Dataset d;
  d.name = "search";
  auto ds = repo()
                .add_dataset(Scope::user(alice_), d,
                             prompts({"Open the DOOR", "weather", "door_bell", "50% door"}))
                .get();
  ASSERT_TRUE(ds) << ds.error().message();
  auto values = [&](std::string_view q) {
    std::vector<std::string> out;
    for (const auto& p : items(repo().list_seed_prompts(Scope::user(alice_), ds->id, 1, {}, q)))
      out.push_back(p.value);
    return out;
  };
  EXPECT_EQ(values("door"), (std::vector<std::string>{"Open the DOOR", "door_bell", "50% door"}));
  EXPECT_EQ(values("%"), std::vector<std::string>{"50% door"}) << "no pattern characters";
  EXPECT_EQ(values("_b"), std::vector<std::string>{"door_bell"});
  EXPECT_TRUE(values("window").empty());
  EXPECT_EQ(values("").size(), 4u);
  EXPECT_EQ(repo().list_seed_prompts(Scope::user(bob_), ds->id, 1, {}, "door").error().code(),
            ErrorCode::not_found);
}

TEST_P(DefinitionContract, DatasetsAreVersionedAndOldVersionsStayReadable) {
  Dataset d;
  d.name = "jailbreaks";
  d.description = "first batch";
  auto v1 = repo().add_dataset(Scope::user(alice_), d, prompts({"a", "b", "c"})).get();
  ASSERT_TRUE(v1) << v1.error().message();
  EXPECT_EQ(v1->version, 1);
  EXPECT_EQ(v1->prompt_count, 3);
  auto v2 = repo().add_dataset_version(Scope::user(alice_), v1->id, prompts({"x", "y"})).get();
  ASSERT_TRUE(v2) << v2.error().message();
  EXPECT_EQ(v2->version, 2);
  EXPECT_EQ(v2->name, "jailbreaks");
  EXPECT_EQ(repo().get_dataset(Scope::user(alice_), v1->id)->version, 2);
  EXPECT_EQ(repo().get_dataset(Scope::user(alice_), v1->id, 1)->prompt_count, 3);
  auto old = items(repo().list_seed_prompts(Scope::user(alice_), v1->id, 1, {}));
  ASSERT_EQ(old.size(), 3u);
  EXPECT_EQ(old[0].value, "a");
  EXPECT_EQ(old[2].value, "c");
  EXPECT_EQ(old[2].position, 2);
  EXPECT_EQ(old[0].harm_categories, R"(["illegal"])");
  auto latest = items(repo().list_seed_prompts(Scope::user(alice_), v1->id, 0, {}));
  ASSERT_EQ(latest.size(), 2u);
  EXPECT_EQ(latest[1].value, "y");
  EXPECT_EQ(items(repo().list_datasets(Scope::user(alice_), {})).size(), 1u);
  EXPECT_EQ(*repo().count_stored_prompts(Scope::user(alice_)), 5);  // both versions
  EXPECT_EQ(*repo().count_stored_prompts(Scope::user(bob_)), 0);
  // Bob sees none of it.
  EXPECT_EQ(repo().get_dataset(Scope::user(bob_), v1->id).error().code(), ErrorCode::not_found);
  EXPECT_EQ(repo().list_seed_prompts(Scope::user(bob_), v1->id, 1, {}).error().code(),
            ErrorCode::not_found);
  EXPECT_TRUE(items(repo().list_datasets(Scope::user(bob_), {})).empty());
  EXPECT_EQ(
      repo().add_dataset_version(Scope::user(bob_), v1->id, prompts({"z"})).get().error().code(),
      ErrorCode::not_found);
  // Bad prompts are named; empty datasets refused.
  auto bad = prompts({"ok", ""});
  EXPECT_EQ(repo().add_dataset(Scope::user(alice_), d, bad).get().error().details()->field,
            "/prompts/1/value");
  EXPECT_EQ(repo().add_dataset(Scope::user(alice_), d, {}).get().error().details()->field,
            "/prompts");
  ASSERT_TRUE(repo().delete_dataset(Scope::user(alice_), v1->id).get());
  EXPECT_EQ(repo().get_dataset(Scope::user(alice_), v1->id).error().code(), ErrorCode::not_found);
}

TEST_P(DefinitionContract, StreamedDatasetsArriveInBatchesInOneTransaction) {
  // A source of `batches` batches of two prompts; fails at batch `fail_at` when set.
  auto source = [](int batches, int fail_at = -1) {
    return [batches, fail_at, n = 0](std::vector<SeedPrompt>& batch) mutable -> Result<bool> {
      if (n == fail_at) return fail(Error::invalid("/file", std::nullopt, "a good line"));
      auto two = prompts({"p" + std::to_string(2 * n), "p" + std::to_string(2 * n + 1)});
      batch.insert(batch.end(), two.begin(), two.end());
      return ++n < batches;
    };
  };
  Dataset d;
  d.name = "streamed";
  auto v1 = repo().add_dataset_streamed(Scope::user(alice_), d, "", source(3)).get();
  ASSERT_TRUE(v1) << v1.error().message();
  EXPECT_EQ(v1->version, 1);
  EXPECT_EQ(v1->prompt_count, 6);
  auto stored = items(repo().list_seed_prompts(Scope::user(alice_), v1->id, 1, {}));
  ASSERT_EQ(stored.size(), 6u);
  EXPECT_EQ(stored[5].value, "p5");
  EXPECT_EQ(stored[5].position, 5);
  auto v2 = repo().add_dataset_streamed(Scope::user(alice_), d, v1->id, source(1)).get();
  ASSERT_TRUE(v2) << v2.error().message();
  EXPECT_EQ(v2->version, 2);
  EXPECT_EQ(v2->prompt_count, 2);
  EXPECT_EQ(v2->name, "streamed");
  // A failing source stores nothing: no dataset, no version, no prompt.
  auto broken = repo().add_dataset_streamed(Scope::user(alice_), d, "", source(5, 3)).get();
  ASSERT_FALSE(broken);
  EXPECT_EQ(broken.error().details()->field, "/file");
  auto again = repo().add_dataset_streamed(Scope::user(alice_), d, v1->id, source(5, 2)).get();
  ASSERT_FALSE(again);
  EXPECT_EQ(repo().get_dataset(Scope::user(alice_), v1->id)->version, 2);
  EXPECT_EQ(items(repo().list_datasets(Scope::user(alice_), {})).size(), 1u);
  EXPECT_EQ(*repo().count_stored_prompts(Scope::user(alice_)), 8);
  // Another user's dataset is unknown; an empty source is refused.
  EXPECT_EQ(
      repo().add_dataset_streamed(Scope::user(bob_), d, v1->id, source(1)).get().error().code(),
      ErrorCode::not_found);
  auto none = [](std::vector<SeedPrompt>&) -> Result<bool> { return false; };
  EXPECT_EQ(
      repo().add_dataset_streamed(Scope::user(alice_), d, "", none).get().error().details()->field,
      "/prompts");
}

TEST_P(DefinitionContract, ScorerConfigsAreOwnedUpdatedAndSoftDeleted) {
  ScorerConfig c;
  c.name = "refusal";
  c.scorer = R"({"type":"refusal"})";
  auto added = repo().add_scorer_config(Scope::user(alice_), c).get();
  ASSERT_TRUE(added) << added.error().message();
  EXPECT_EQ(repo().get_scorer_config(Scope::user(bob_), added->id).error().code(),
            ErrorCode::not_found);
  EXPECT_TRUE(items(repo().list_scorer_configs(Scope::user(bob_), {})).empty());
  ScorerConfig change = *added;
  change.name = "renamed";
  EXPECT_EQ(repo().update_scorer_config(Scope::user(bob_), change).get().error().code(),
            ErrorCode::not_found);
  auto updated = repo().update_scorer_config(Scope::user(alice_), change).get();
  ASSERT_TRUE(updated);
  EXPECT_EQ(updated->name, "renamed");
  EXPECT_EQ(format_time(updated->created_at), format_time(added->created_at));
  c.scorer = "[1]";
  EXPECT_EQ(repo().add_scorer_config(Scope::user(alice_), c).get().error().details()->field,
            "/scorer");
  EXPECT_EQ(repo().delete_scorer_config(Scope::user(bob_), added->id).get().error().code(),
            ErrorCode::not_found);
  ASSERT_TRUE(repo().delete_scorer_config(Scope::user(alice_), added->id).get());
  EXPECT_EQ(repo().get_scorer_config(Scope::user(alice_), added->id).error().code(),
            ErrorCode::not_found);
  EXPECT_TRUE(items(repo().list_scorer_configs(Scope::user(alice_), {})).empty());
}

TEST_P(DefinitionContract, ScorerEvaluationsAreOwnedAndListedByConfigOrHash) {
  ScorerEvaluation e;
  e.scorer = R"({"type":"refusal"})";
  e.scorer_hash = "h1";
  e.scorer_config_id = "cfg-1";
  e.report = R"({"accuracy":0.5})";
  auto first = repo().add_scorer_evaluation(Scope::user(alice_), e).get();
  ASSERT_TRUE(first) << first.error().message();
  e.report = R"({"accuracy":0.9})";
  auto second = repo().add_scorer_evaluation(Scope::user(alice_), e).get();
  ASSERT_TRUE(second);
  e.scorer_config_id.clear();
  e.scorer_hash = "h2";
  ASSERT_TRUE(repo().add_scorer_evaluation(Scope::user(alice_), e).get());
  EvaluationFilter by_config;
  by_config.scorer_config_id = "cfg-1";
  auto listed = items(repo().list_scorer_evaluations(Scope::user(alice_), by_config, {}));
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[0].id, first->id);
  EXPECT_EQ(listed[1].report, R"({"accuracy":0.9})");
  EvaluationFilter by_hash;
  by_hash.scorer_hash = "h2";
  EXPECT_EQ(items(repo().list_scorer_evaluations(Scope::user(alice_), by_hash, {})).size(), 1u);
  EXPECT_TRUE(items(repo().list_scorer_evaluations(Scope::user(bob_), {}, {})).empty());
  EXPECT_TRUE(items(repo().list_scorer_evaluations(Scope::user(bob_), by_config, {})).empty());
  e.report = "not json";
  EXPECT_EQ(repo().add_scorer_evaluation(Scope::user(alice_), e).get().error().details()->field,
            "/report");
}

INSTANTIATE_TEST_SUITE_P(Backends, DefinitionContract,
                         ::testing::ValuesIn(backends_for("definitions")), backend_name);

}  // namespace
}  // namespace redcell::memory::contract
