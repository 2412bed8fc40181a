#include "engine/retention.hpp"

#include <boost/json.hpp>

#include "common/time.hpp"
#include "memory/store.hpp"

namespace redcell {

Result<std::int64_t> purge_expired_executions(memory::Store& store, TimePoint now,
                                              std::chrono::seconds keep) {
  const auto system = memory::Scope::system();
  memory::ExecutionFilter filter;
  filter.finished_before = now - keep;
  std::int64_t purged = 0;
  PageRequest page{100, std::nullopt};
  for (;;) {
    auto batch = store.list_executions(system, filter, page);
    if (!batch) return fail(batch.error());
    for (const auto& e : batch->items) {
      if (e.status == "queued" || e.status == "running" || e.status == "interrupted") continue;
      auto removed = store.delete_execution(system, e.id).get();
      if (!removed) {
        if (removed.error().code() == ErrorCode::not_found) continue;  // deleted meanwhile
        return fail(removed.error());
      }
      memory::AuditEvent audit;
      audit.owner = e.owner;
      audit.action = "execution.purge";
      audit.object_type = "execution";
      audit.object_id = e.id;
      audit.details = boost::json::serialize(boost::json::object{
          {"reason", "retention"},
          {"finished_at", e.finished_at ? format_time(*e.finished_at) : std::string()},
          {"retention_seconds", keep.count()},
          {"deleted_messages", *removed}});
      if (auto a = store.add_audit(system, audit).get(); !a) return fail(a.error());
      ++purged;
    }
    if (!batch->next) return purged;
    page.after = batch->next;
  }
}

}  // namespace redcell
