#include "engine/work_queue.hpp"

#include <charconv>
#include <unordered_map>

namespace redcell {

namespace {
constexpr std::string_view kInlinePrefix = "inline-";

// The index of an inline prompt id, if `id` is one.
std::optional<std::size_t> inline_index(std::string_view id) {
  if (!id.starts_with(kInlinePrefix)) return std::nullopt;
  auto digits = id.substr(kInlinePrefix.size());
  std::size_t index = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), index);
  if (ec != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
  return index;
}
}  // namespace

std::string inline_prompt_id(std::size_t index) {
  return std::string(kInlinePrefix) + std::to_string(index);
}

Result<std::int64_t> StoreWorkQueue::enqueue(const memory::Scope& scope,
                                             std::vector<memory::WorkItem> items) {
  return store_.add_work_items(scope, std::move(items)).get();
}

Result<std::vector<ClaimedItem>> StoreWorkQueue::claim(
    const memory::Scope& scope, const std::string& execution_id, const std::string& worker,
    std::size_t max, TimePoint lease_until, const std::vector<std::string>& inline_prompts) {
  auto items = store_.claim_work_items(scope, execution_id, worker, max, lease_until).get();
  if (!items) return fail(items.error());
  // Each distinct prompt once: inline ones from the definition, the rest in one read.
  std::unordered_map<std::string, std::shared_ptr<const QueuedPrompt>> prompts;
  std::vector<std::string> stored;
  for (const auto& w : *items) {
    if (prompts.count(w.prompt_id)) continue;
    if (auto i = inline_index(w.prompt_id)) {
      prompts.emplace(w.prompt_id, *i < inline_prompts.size()
                                       ? std::make_shared<const QueuedPrompt>(
                                             QueuedPrompt{inline_prompts[*i], "[]"})
                                       : nullptr);
      continue;
    }
    prompts.emplace(w.prompt_id, nullptr);
    stored.push_back(w.prompt_id);
  }
  auto got = store_.get_seed_prompts(scope, std::move(stored)).get();
  if (!got) return fail(got.error());
  for (auto& p : *got)
    prompts[p.id] = std::make_shared<const QueuedPrompt>(
        QueuedPrompt{std::move(p.value), std::move(p.harm_categories)});
  std::vector<ClaimedItem> out;
  out.reserve(items->size());
  for (auto& w : *items) {
    auto prompt = prompts[w.prompt_id];
    out.push_back(ClaimedItem{std::move(w), std::move(prompt)});
  }
  return out;
}

Result<std::vector<std::optional<Error>>> StoreWorkQueue::complete(
    const memory::Scope& scope, std::shared_ptr<std::vector<memory::WorkItemResult>> results) {
  return store_.record_work_item_results(scope, std::move(results)).get();
}

Result<std::int64_t> StoreWorkQueue::release(const memory::Scope& scope,
                                             const std::string& execution_id,
                                             std::optional<std::string> worker) {
  return store_.release_work_items(scope, execution_id, std::move(worker)).get();
}

Result<std::int64_t> StoreWorkQueue::checkpoint(const memory::Scope& scope,
                                                memory::WorkItemResult partial) {
  return store_.checkpoint_work_item(scope, std::move(partial)).get();
}

Result<std::vector<memory::Message>> StoreWorkQueue::stored_messages(
    const memory::Scope& scope, const std::string& conversation_id) {
  std::vector<memory::Message> out;
  memory::MessageFilter f;
  f.conversation_id = conversation_id;
  PageRequest page{kMaxPageLimit, std::nullopt};
  for (;;) {
    auto got = store_.list_messages(scope, f, page);
    if (!got) return fail(got.error());
    for (auto& m : got->items) out.push_back(std::move(m));
    if (!got->next) return out;
    page.after = got->next;
  }
}

}  // namespace redcell
