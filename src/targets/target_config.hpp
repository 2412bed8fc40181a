#pragma once
// What each target type accepts, validated and normalized into the config stored with the
// target. The secret (api_key) is not part of the config: the API seals it apart.

#include <boost/json/object.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"
#include "common/json_input.hpp"
#include "net/endpoint_policy.hpp"

namespace redcell {

class TargetTypes;

// `body` is the whole target body; returns the config object (without name, type and
// secrets), as its type in `types` validates it. Errors name the member.
Result<boost::json::object> normalize_target_config(const JsonInput& body,
                                                    const EndpointPolicy& policy,
                                                    const TargetTypes& types);

}  // namespace redcell
