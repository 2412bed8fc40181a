#pragma once
// What the LLM-backed converters share: a helper LLM (one of the caller's saved targets,
// `target_id`) rewrites the text as an instruction says; the instruction is made from the
// converter's params (and, for those that choose, the text and the seed). The reply,
// trimmed, is the converted text; an empty reply or a helper that fails is an error of the
// step. The engine stores each exchange and links it from the converted message.
#include <boost/json.hpp>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/json_input.hpp"
#include "common/params_schema.hpp"
#include "converters/converter.hpp"

namespace redcell::llm_rewrite {

using Instruction = std::function<std::string(std::string_view text, std::uint64_t seed)>;

// Asks `target` to apply `instruction` to `input`.
Task<Result<std::string>> rewrite(LlmClient& llm, std::string target, std::string instruction,
                                  std::string input);

class LlmRewrite final : public Converter {
 public:
  LlmRewrite(std::string target, Instruction instruction, bool random)
      : target_(std::move(target)), instruction_(std::move(instruction)), random_(random) {}
  Result<std::string> convert(std::string_view) const override {
    return fail(ErrorCode::invalid_argument,
                "this converter asks a helper LLM: it runs in an execution or a preview");
  }
  ConverterTraits traits() const override { return {true, "text", "text", random_}; }
  Task<Result<std::string>> convert_async(std::string input, LlmClient& llm,
                                          std::uint64_t seed) const override {
    auto instruction = instruction_(input, seed);
    auto target = target_;
    co_return co_await rewrite(llm, std::move(target), std::move(instruction), std::move(input));
  }

 private:
  std::string target_;
  Instruction instruction_;
  bool random_;
};

// An entry: `schema` (properties: the members accepted, target_id among them), `read(in)` ->
// Result<P>, `make(P)` -> Instruction; `random` when the instruction draws from the seed.
template <class P, class Read, class Make>
ConverterInfo entry(std::string type, std::string description, const char* schema, Read read,
                    Make make, bool random = false) {
  auto parsed = boost::json::parse(schema);
  struct Params {
    std::string target;
    P p;
  };
  return catalog_entry<Converter, Params>(
      std::move(type), std::move(description), parsed,
      [read, members = SchemaMembers(parsed)](const boost::json::object& params,
                                              const std::string& field,
                                              const ConverterRegistry&) -> Result<Params> {
        JsonInput in(params, field);
        if (auto ok = members.check(in); !ok) return fail(ok.error());
        auto target = in.string("target_id", 100);
        if (!target) return fail(target.error());
        auto p = read(in);
        if (!p) return fail(p.error());
        return Params{std::move(*target), std::move(*p)};
      },
      [](const Params& p) {
        return PieceInfo{{p.target}, ""};
      },
      [make, random](Params p, const ConverterRegistry&) -> Result<std::unique_ptr<Converter>> {
        return std::make_unique<LlmRewrite>(std::move(p.target), make(std::move(p.p)), random);
      });
}

}  // namespace redcell::llm_rewrite
