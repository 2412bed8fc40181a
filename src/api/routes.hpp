#pragma once
// Route registration, one function per resource file. The composition root (app/) calls
// them; handlers get their collaborators by reference and never build them.

#include <boost/json/object.hpp>
#include <functional>
#include <string>

#include "common/error.hpp"
#include "http/server/metrics.hpp"
#include "http/server/router.hpp"

namespace redcell {
class ConverterRegistry;
class WorkPool;
namespace memory {
class Store;
}
}  // namespace redcell

namespace redcell::api {

// GET /healthz (the process answers), GET /readyz (ready_check passes, run on `pool`),
// GET /metrics.
void add_health_routes(http::Router& router, const http::MetricsRegistry& metrics,
                       std::function<Result<void>()> ready_check, WorkPool& pool);

struct SystemInfo {
  std::string started_at;
  std::string auth_mode;
  std::string store_kind;  // "sqlite" | "postgresql"
};

// GET /api/v1/me (the caller's identity), GET /api/v1/system (admin: store figures).
void add_system_routes(http::Router& router, memory::Store& store, WorkPool& pool,
                       const SystemInfo& info);
boost::json::object identity_json(const Identity& identity);

// GET /api/v1/users and GET /api/v1/audit (admin).
void add_admin_routes(http::Router& router, memory::Store& store, WorkPool& pool);

// POST/GET /api/v1/api-keys, DELETE /api/v1/api-keys/{id}.
void add_api_key_routes(http::Router& router, memory::Store& store, WorkPool& pool);

// GET /api/v1/converters, POST /api/v1/converters/preview.
void add_converter_routes(http::Router& router, const ConverterRegistry& converters);

}  // namespace redcell::api
