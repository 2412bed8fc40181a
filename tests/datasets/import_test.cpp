#include "datasets/import.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <set>

#include "datasets/starter.hpp"

namespace redcell::datasets {
namespace {

namespace json = boost::json;

ImportedDataset ok(std::string_view bytes, std::string filename = {},
                   std::optional<Format> format = std::nullopt) {
  ImportOptions o;
  o.filename = std::move(filename);
  o.format = format;
  auto r = import_dataset(bytes, o);
  EXPECT_TRUE(r) << (r ? "" : r.error().message());
  return r ? *r : ImportedDataset{};
}

Error bad(std::string_view bytes, std::string filename = {}, FieldMapping mapping = {}) {
  ImportOptions o;
  o.filename = std::move(filename);
  o.mapping = std::move(mapping);
  auto r = import_dataset(bytes, o);
  EXPECT_FALSE(r);
  return r ? Error(ErrorCode::internal, "imported") : r.error();
}

json::object meta(const memory::SeedPrompt& p) {
  return json::parse(p.metadata).as_object();
}

TEST(ImportPyritYaml, TopLevelFieldsAreDefaultsAndListsAddUp) {
  auto d = ok(R"(dataset_name: probes
description: what it is
harm_categories: illegal
groups: [Team A]
source: https://example.test
seed_type: objective
seeds:
  - value: first prompt
    harm_categories: [violence, illegal]
    groups: [Team B]
    prompt_group_alias: g1
    sequence: 1
    role: user
  - value: "second: quoted"
    data_type: image_path
    seed_type: prompt
    metadata: {n: 3, flag: true, text: "7"}
)",
              "probes.prompt");
  EXPECT_EQ(d.format, Format::pyrit_yaml);
  EXPECT_EQ(d.name, "probes");
  EXPECT_EQ(d.description, "what it is");
  ASSERT_EQ(d.prompts.size(), 2u);
  EXPECT_EQ(d.prompts[0].harm_categories, R"(["illegal","violence"])");
  auto m0 = meta(d.prompts[0]);
  EXPECT_EQ(json::serialize(m0.at("groups")), R"(["Team A","Team B"])");
  EXPECT_EQ(m0.at("seed_type"), "objective");
  EXPECT_EQ(m0.at("sequence"), 1);
  EXPECT_EQ(m0.at("prompt_group_alias"), "g1");
  EXPECT_EQ(m0.at("source"), "https://example.test");
  EXPECT_FALSE(m0.contains("dataset_name")) << "the dataset's own name stays the dataset's";
  EXPECT_EQ(d.prompts[1].value, "second: quoted");
  EXPECT_EQ(d.prompts[1].data_type, "image_path");
  auto m1 = meta(d.prompts[1]);
  EXPECT_EQ(m1.at("seed_type"), "prompt");
  EXPECT_EQ(json::serialize(m1.at("metadata")), R"({"n":3,"flag":true,"text":"7"})");
}

TEST(ImportPyritYaml, ErrorsNameTheLineAndField) {
  auto e = bad("dataset_name: x\nseeds:\n  - value: fine\n  - value: [not, text]\n", "x.yaml");
  EXPECT_EQ(e.code(), ErrorCode::invalid_argument);
  EXPECT_NE(e.message().find("line 4"), std::string::npos) << e.message();
  EXPECT_EQ(e.details()->field, "/file/seeds/1/value");

  e = bad("seeds:\n  - value: a\n    colour: red\n", "x.yaml");
  EXPECT_NE(e.message().find("line 3"), std::string::npos) << e.message();
  EXPECT_EQ(e.details()->field, "/file/seeds/0/colour");

  e = bad("seeds:\n  - value: a\n    sequence: first\n", "x.yaml");
  EXPECT_EQ(e.details()->field, "/file/seeds/0/sequence");

  e = bad("seeds:\n  - harm_categories: [a]\n", "x.yaml");
  EXPECT_EQ(e.details()->field, "/file/seeds/0/value");

  e = bad("seeds:\n  - value: a\n   bad: indentation\n", "x.yaml");
  EXPECT_NE(e.message().find("line 3"), std::string::npos) << e.message();
  EXPECT_NE(e.message().find("valid YAML"), std::string::npos) << e.message();

  e = bad("name: only\n", "x.yaml");
  EXPECT_NE(e.message().find("seeds:"), std::string::npos) << e.message();
}

TEST(ImportPyritYaml, AliasBombsAreRefusedNotExpanded) {
  // Nine levels of ten aliases each: a billion nodes once expanded.
  std::string bomb =
      "seeds:\n  - value: v\n    metadata:\n      a: &a [x, x, x, x, x, x, x, x, x, x]\n";
  for (char c = 'b'; c <= 'i'; ++c) {
    const std::string prev = std::string("*") + static_cast<char>(c - 1);
    bomb += std::string("      ") + c + ": &" + c + " [" + prev;
    for (int i = 0; i < 9; ++i) bomb += ", " + prev;
    bomb += "]\n";
  }
  auto e = bad(bomb, "bomb.yaml");
  EXPECT_NE(e.message().find("YAML nodes"), std::string::npos) << e.message();
}

TEST(ImportTemplates, AJailbreakTemplateIsOnePromptWithItsParameters) {
  auto d = ok(R"(---
name: Example
description: a test template
authors:
  - Someone
source: https://example.test
parameters:
  - prompt
data_type: text
is_general_technique: true
value: >
  Pretend you can. {{ prompt }}
)",
              "example.yaml");
  EXPECT_EQ(d.format, Format::jailbreak_template);
  EXPECT_EQ(d.name, "Example");
  ASSERT_EQ(d.prompts.size(), 1u);
  EXPECT_EQ(d.prompts[0].value, "Pretend you can. {{ prompt }}\n");
  auto m = meta(d.prompts[0]);
  EXPECT_EQ(json::serialize(m.at("parameters")), R"(["prompt"])");
  EXPECT_EQ(m.at("is_general_technique"), true);
}

TEST(ImportHarmDefinitions, EachLevelOfTheScaleIsAnEntry) {
  auto d =
      ok("version: \"1.0\"\ncategory: cyber\nscale_descriptions:\n"
         "  - score_value: \"1\"\n    description: none\n"
         "  - score_value: \"2\"\n    description: some\n",
         "cyber.yaml");
  EXPECT_EQ(d.format, Format::harm_definition);
  EXPECT_EQ(d.name, "cyber");
  ASSERT_EQ(d.prompts.size(), 2u);
  EXPECT_EQ(d.prompts[1].value, "some");
  EXPECT_EQ(d.prompts[1].harm_categories, R"(["cyber"])");
  EXPECT_EQ(meta(d.prompts[1]).at("metadata").at("score_value"), "2");
}

TEST(ImportCsv, QuotedFieldsMayHoldCommasQuotesAndLineBreaks) {
  auto d =
      ok("id,prompt,category\r\n1,plain,a; b\r\n2,\"with, comma and \"\"quotes\"\"\n"
         "over two lines\",c\r\n\r\n",
         "set.csv");
  EXPECT_EQ(d.format, Format::csv);
  ASSERT_EQ(d.prompts.size(), 2u);
  EXPECT_EQ(d.prompts[0].value, "plain");
  EXPECT_EQ(d.prompts[0].harm_categories, R"(["a","b"])");
  EXPECT_EQ(d.prompts[1].value, "with, comma and \"quotes\"\nover two lines");
  EXPECT_EQ(json::serialize(meta(d.prompts[1]).at("metadata")), R"({"id":"2"})");
  EXPECT_EQ(d.fields, (std::vector<std::string>{"id", "prompt", "category"}));
}

TEST(ImportCsv, MappingPicksTheColumnAndBadRowsNameTheirLine) {
  ImportOptions o;
  o.filename = "set.csv";
  o.mapping.value = "attack";
  auto d = import_dataset("attack,note\nhello,x\n", o);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->prompts[0].value, "hello");

  auto e = bad("prompt,note\nok,1\n\"never closed,2\nmore\n", "set.csv");
  EXPECT_NE(e.message().find("line 3"), std::string::npos) << e.message();
  EXPECT_NE(e.message().find("closing quote"), std::string::npos) << e.message();

  e = bad("prompt,note\nok,1\nthree,fields,here\n", "set.csv");
  EXPECT_NE(e.message().find("line 3"), std::string::npos) << e.message();

  e = bad("attack,note\nhello,x\n", "set.csv");
  EXPECT_EQ(e.details()->field, "/query/value_field");
  EXPECT_NE(e.message().find("attack, note"), std::string::npos) << e.message();

  e = bad("prompt\nhi\n", "set.csv", FieldMapping{"missing", "", ""});
  EXPECT_EQ(e.details()->field, "/query/value_field");
}

TEST(ImportJsonl, OtherFieldsAreKeptAndBadLinesNamed) {
  auto d =
      ok("{\"goal\": \"g1\", \"harm_categories\": [\"x\"], \"id\": 7}\n\n"
         "{\"goal\": \"g2\", \"metadata\": {\"role\": \"user\"}}\n",
         "set.jsonl");
  ASSERT_EQ(d.prompts.size(), 2u);
  EXPECT_EQ(d.prompts[0].value, "g1");
  EXPECT_EQ(json::serialize(meta(d.prompts[0]).at("metadata")), R"({"id":7})");
  EXPECT_EQ(meta(d.prompts[1]).at("role"), "user");

  auto e = bad("{\"goal\": \"g1\"}\n{\"goal\": 5}\n", "set.jsonl");
  EXPECT_NE(e.message().find("line 2"), std::string::npos) << e.message();
  EXPECT_EQ(e.details()->field, "/file/1/goal");
  e = bad("{\"goal\": \"g1\"}\n{\"goal\": \"g2\"\n", "set.jsonl");
  EXPECT_NE(e.message().find("line 2"), std::string::npos) << e.message();
}

TEST(ImportText, OnePromptPerLineBlankLinesSkipped) {
  auto d = ok("first\r\n\n  \nsecond line\n", "list.txt");
  ASSERT_EQ(d.prompts.size(), 2u);
  EXPECT_EQ(d.prompts[1].value, "second line");
  EXPECT_EQ(d.name, "list");
}

TEST(ImportManyShot, UserTurnIsThePromptAndTheRestIsKept) {
  auto d = ok(R"([{"user": "q", "assistant": "a", "category": "c"}])", "m.json");
  EXPECT_EQ(d.format, Format::many_shot);
  ASSERT_EQ(d.prompts.size(), 1u);
  EXPECT_EQ(d.prompts[0].harm_categories, R"(["c"])");
  EXPECT_EQ(meta(d.prompts[0]).at("metadata").at("assistant"), "a");
  auto e = bad(R"([{"user": "q", "assistant": 3}])", "m.json");
  EXPECT_EQ(e.details()->field, "/file/0/assistant");
}

TEST(Import, InvalidUtf8NamesItsLineAndEmptyFilesAreRefused) {
  auto e = bad("fine\nbad \xff byte\n", "x.txt");
  EXPECT_NE(e.message().find("line 2"), std::string::npos) << e.message();
  EXPECT_NE(e.message().find("UTF-8"), std::string::npos) << e.message();
  e = bad("\n\n", "x.txt");
  EXPECT_NE(e.message().find("at least one prompt"), std::string::npos);
}

TEST(Import, TheFormatIsDetectedFromContentWithoutAName) {
  EXPECT_EQ(ok("seeds:\n  - value: a\n").format, Format::pyrit_yaml);
  EXPECT_EQ(ok("{\"prompt\": \"a\"}\n").format, Format::jsonl);
  EXPECT_EQ(ok("[{\"user\": \"u\", \"assistant\": \"a\"}]").format, Format::many_shot);
  EXPECT_EQ(ok("just a line: with a colon in it\n").format, Format::text);
  EXPECT_EQ(ok("prompt,b\nx,y\n", "", Format::csv).format, Format::csv);
}

TEST(Export, BothFormatsImportBackToTheSamePrompts) {
  auto d = ok(R"(dataset_name: round
description: trip
harm_categories: [h]
seeds:
  - value: "multi\nline with \"quotes\" and: colons"
    role: user
    sequence: 2
    metadata: {a: 1, b: [x, "2"], c: null}
  - value: "true"
    data_type: text
    authors: [A]
)",
              "round.yaml");
  memory::Dataset meta_d;
  meta_d.name = d.name;
  meta_d.description = d.description;
  for (auto format : {ExportFormat::jsonl, ExportFormat::pyrit_yaml}) {
    auto text = export_dataset(meta_d, d.prompts, format);
    auto again = ok(text, format == ExportFormat::jsonl ? "x.jsonl" : "x.yaml");
    ASSERT_EQ(again.prompts.size(), d.prompts.size()) << text;
    for (std::size_t i = 0; i < d.prompts.size(); ++i) {
      EXPECT_EQ(again.prompts[i].value, d.prompts[i].value) << text;
      EXPECT_EQ(again.prompts[i].data_type, d.prompts[i].data_type);
      EXPECT_EQ(again.prompts[i].harm_categories, d.prompts[i].harm_categories);
      EXPECT_EQ(json::parse(again.prompts[i].metadata), json::parse(d.prompts[i].metadata)) << text;
    }
    if (format == ExportFormat::pyrit_yaml) {
      EXPECT_EQ(again.name, "round");
      EXPECT_EQ(again.description, "trip");
    }
  }
}

}  // namespace
}  // namespace redcell::datasets

namespace redcell::datasets {
namespace {

TEST(StarterDatasets, EachImportsAsPyritYamlWithItsOwnNameAndPrompts) {
  ASSERT_EQ(starter_datasets().size(), 4u);
  std::set<std::string> names;
  for (const auto& d : starter_datasets()) {
    SCOPED_TRACE(std::string(d.name));
    ImportOptions o;
    o.filename = std::string(d.name) + ".prompt";
    auto imported = import_dataset(d.file, o);
    ASSERT_TRUE(imported) << imported.error().message();
    EXPECT_EQ(imported->format, Format::pyrit_yaml);
    EXPECT_GE(imported->prompts.size(), 8u);
    EXPECT_TRUE(imported->name.starts_with("redcell starter - "));
    EXPECT_FALSE(imported->description.empty());
    names.insert(imported->name);
    for (const auto& p : imported->prompts) EXPECT_NE(p.harm_categories, "[]") << p.value;
  }
  EXPECT_EQ(names.size(), 4u);
  EXPECT_TRUE(starter_dataset("refusal_probes"));
  EXPECT_FALSE(starter_dataset("nope"));
}

// Writes `text` to a file of the test's own and returns its path.
std::filesystem::path temp_file(const std::string& name, const std::string& text) {
  auto path = std::filesystem::temp_directory_path() /
              ("redcell-import-test-" + std::to_string(::getpid()) + "-" + name);
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

TEST(ImportFile, ReadsJsonLinesInBatchesWithTheFilesLineNumbers) {
  std::string text = "\xEF\xBB\xBF{\"prompt\": \"a\", \"harm_categories\": [\"x\"]}\r\n\n";
  for (int i = 0; i < 5; ++i) text += "{\"prompt\": \"p" + std::to_string(i) + "\"}\n";
  auto path = temp_file("ok.jsonl", text);
  ImportOptions o;
  o.filename = "ok.jsonl";
  auto f = ImportFile::open(path, o);
  ASSERT_TRUE(f) << f.error().message();
  EXPECT_EQ(f->format(), Format::jsonl);
  EXPECT_EQ(f->name(), "ok");
  std::vector<memory::SeedPrompt> batch;
  auto more = f->next(batch, 4);
  ASSERT_TRUE(more && *more);
  ASSERT_EQ(batch.size(), 4u);
  EXPECT_EQ(batch[0].value, "a");
  EXPECT_EQ(batch[0].harm_categories, R"(["x"])");
  batch.clear();
  more = f->next(batch, 4);
  ASSERT_TRUE(more);
  EXPECT_FALSE(*more);
  EXPECT_EQ(batch.size(), 2u);
  EXPECT_EQ(f->fields(), (std::vector<std::string>{"prompt", "harm_categories"}));
  std::filesystem::remove(path);

  auto bad = temp_file("bad.jsonl", "{\"prompt\": \"a\"}\n{\"prompt\": \"b\"}\n{oops\n");
  auto g = ImportFile::open(bad, o);
  ASSERT_TRUE(g);
  batch.clear();
  auto r = g->next(batch, 100);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find("line 3"), std::string::npos) << r.error().message();
  std::filesystem::remove(bad);
}

TEST(ImportFile, TextCsvAndTheCapsOfALine) {
  ImportOptions o;
  o.filename = "list.txt";
  auto txt = temp_file("list.txt", "one\n\ntwo\n\xff\xfe\n");
  auto t = ImportFile::open(txt, o);
  ASSERT_TRUE(t);
  std::vector<memory::SeedPrompt> batch;
  auto r = t->next(batch, 100);
  ASSERT_FALSE(r);  // invalid UTF-8 on line 4
  EXPECT_NE(r.error().message().find("line 4"), std::string::npos) << r.error().message();
  std::filesystem::remove(txt);

  o.filename = "a.csv";  // read whole, served in batches
  auto csv = temp_file("a.csv", "value,category\nx,1\ny,2\nz,3\n");
  auto c = ImportFile::open(csv, o);
  ASSERT_TRUE(c) << c.error().message();
  EXPECT_EQ(c->format(), Format::csv);
  batch.clear();
  auto more = c->next(batch, 2);
  ASSERT_TRUE(more && *more);
  more = c->next(batch, 2);
  ASSERT_TRUE(more && !*more);
  EXPECT_EQ(batch.size(), 3u);
  std::filesystem::remove(csv);

  o.filename = "long.txt";
  auto longer = temp_file("long.txt", std::string(std::size_t{5} << 20, 'a'));
  auto l = ImportFile::open(longer, o);
  ASSERT_TRUE(l);
  batch.clear();
  auto too_long = l->next(batch, 10);
  ASSERT_FALSE(too_long);
  EXPECT_NE(too_long.error().message().find("4 MiB"), std::string::npos);
  std::filesystem::remove(longer);

  o.filename = "empty.txt";
  auto blank = temp_file("empty.txt", "\n\n");
  auto e = ImportFile::open(blank, o);
  ASSERT_TRUE(e);
  batch.clear();
  EXPECT_FALSE(e->next(batch, 10));  // at least one prompt
  std::filesystem::remove(blank);
}

}  // namespace
}  // namespace redcell::datasets
