#pragma once
// JSON of the records an attack leaves: messages and scores. Shared by the conversation and
// execution result routes so both answer the same shape.

#include <boost/json/object.hpp>

#include "memory/store.hpp"

namespace redcell::api {

boost::json::object message_json(const memory::Message& m);
boost::json::object score_json(const memory::Score& s);

}  // namespace redcell::api
