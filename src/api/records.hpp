#pragma once
// JSON of the records an attack leaves: messages and scores, and of users. Shared by the
// conversation and execution result routes so both answer the same shape.

#include <boost/json/object.hpp>
#include <vector>

#include "memory/store.hpp"

namespace redcell {
struct HelperExchange;
}

namespace redcell::api {

boost::json::object message_json(const memory::Message& m);
// A user as admins see it (the users route, `redcell user`); merged_into is null or an id.
boost::json::object user_json(const memory::User& u);
boost::json::object score_json(const memory::Score& s);

// A scorer evaluation to store: the scorer as canonical JSON and its hash (what
// ?scorer_hash= finds), the report, the saved config it ran ("" for an inline scorer).
// Shared by POST /scorers/evaluate and `redcell scorer evaluate --save`.
memory::ScorerEvaluation evaluation_record(const boost::json::value& scorer,
                                           const boost::json::object& report,
                                           std::string config_id);

// The helper LLM exchanges of a scorer test or converter preview (nothing stored).
boost::json::array helper_exchanges_json(const std::vector<HelperExchange>& exchanges);

// A conversation's messages in order, each with its "scores"; empty when the scope has none.
Result<boost::json::array> conversation_messages(memory::Store& store, const memory::Scope& scope,
                                                 const std::string& conversation_id);

}  // namespace redcell::api
