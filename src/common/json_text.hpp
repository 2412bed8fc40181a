#pragma once
// JSON text for people and tools: numbers in their shortest round-trip form (12.29, 0.5,
// 1e+300), not Boost.JSON's 1.2290258E1 and 5E-1. Everything the API writes goes through
// it. Stored JSON (canonical definitions, hashed) keeps Boost's serializer, so stored
// hashes never change with this. A number that is not finite is written as null.

#include <boost/json/value.hpp>
#include <string>

namespace redcell {

std::string json_text(const boost::json::value& v);
void append_json_text(std::string& out, const boost::json::value& v);

}  // namespace redcell
