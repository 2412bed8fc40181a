#pragma once
// Route registration, one function per resource file. The composition root (app/) calls
// them; handlers get their collaborators by reference and never build them.

#include <functional>

#include "common/error.hpp"
#include "http/server/metrics.hpp"
#include "http/server/router.hpp"

namespace redcell {
class ConverterRegistry;
}

namespace redcell::api {

// GET /healthz (the process answers), GET /readyz (ready_check passes), GET /metrics.
void add_health_routes(http::Router& router, const http::MetricsRegistry& metrics,
                       std::function<Result<void>()> ready_check);

// GET /api/v1/converters, POST /api/v1/converters/preview.
void add_converter_routes(http::Router& router, const ConverterRegistry& converters);

}  // namespace redcell::api
