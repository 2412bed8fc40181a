#include "app/api_client.hpp"

#include <boost/json.hpp>
#include <future>

namespace redcell {

namespace {

namespace json = boost::json;

http::ClientOptions client_options() {
  http::ClientOptions o;
  o.threads = 1;
  o.max_response_bytes = 512u << 20;  // reports of large executions
  return o;
}

const json::object* error_details(const json::value& v, const json::object** error) {
  *error = nullptr;
  if (!v.is_object()) return nullptr;
  const auto* e = v.as_object().if_contains("error");
  if (!e || !e->is_object()) return nullptr;
  *error = &e->as_object();
  const auto* d = (*error)->if_contains("details");
  return d && d->is_object() ? &d->as_object() : nullptr;
}

}  // namespace

std::string ApiAnswer::message() const {
  const json::object* error = nullptr;
  error_details(json, &error);
  if (error)
    if (const auto* m = error->if_contains("message"); m && m->is_string())
      return std::string(m->as_string());
  return "HTTP " + std::to_string(status) + (body.empty() ? "" : ": " + body.substr(0, 300));
}

std::string ApiAnswer::field() const {
  const json::object* error = nullptr;
  const auto* d = error_details(json, &error);
  if (d)
    if (const auto* f = d->if_contains("field"); f && f->is_string())
      return std::string(f->as_string());
  return {};
}

ApiClient::ApiClient(std::string base_url, std::string api_key)
    : base_(std::move(base_url)), api_key_(std::move(api_key)), client_(client_options()) {
  while (!base_.empty() && base_.back() == '/') base_.pop_back();
}

Result<ApiAnswer> ApiClient::call(const std::string& method, const std::string& path,
                                  std::string body, const std::string& content_type,
                                  std::chrono::milliseconds timeout) {
  http::ClientRequest req;
  req.method = method;
  req.url = base_ + path;
  req.timeout = timeout;
  req.headers.emplace_back("Accept", "application/json");
  if (!body.empty() || method == "POST") req.headers.emplace_back("Content-Type", content_type);
  if (!api_key_.empty()) req.headers.emplace_back("X-API-Key", api_key_);
  req.body = std::move(body);
  std::promise<Result<http::ClientResponse>> answer;
  auto got = answer.get_future();
  client_.send(std::move(req),
               [&answer](Result<http::ClientResponse> r) { answer.set_value(std::move(r)); });
  auto r = got.get();
  if (!r) return fail(r.error());
  ApiAnswer a;
  a.status = r->status;
  a.body = std::move(r->body);
  const auto type = r->header("Content-Type").value_or("");
  if (type.find("json") != std::string_view::npos) {
    json::error_code ec;
    auto v = json::parse(a.body, ec);
    if (!ec) a.json = std::move(v);
  }
  return a;
}

Result<ApiAnswer> ApiClient::post(const std::string& path, const json::value& body) {
  return call("POST", path, json::serialize(body));
}

}  // namespace redcell
