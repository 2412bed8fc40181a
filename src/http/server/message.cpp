#include "http/server/message.hpp"

#include <strings.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <boost/url/params_view.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/parse_query.hpp>
#include <cstdlib>
#include <filesystem>

#include "common/json_text.hpp"

namespace redcell::http {

Result<std::shared_ptr<SpooledFile>> SpooledFile::create() {
  std::error_code ec;
  auto dir = std::filesystem::temp_directory_path(ec);
  if (ec) dir = "/tmp";
  std::string path = (dir / "redcell-upload-XXXXXX").string();
  const int fd = ::mkstemp(path.data());  // 0600
  if (fd < 0)
    return fail(Error(ErrorCode::unavailable,
                      "cannot hold the upload: no temporary file in " + dir.string()));
  ::close(fd);
  auto f = std::make_shared<SpooledFile>();
  f->path = std::move(path);
  return f;
}

SpooledFile::~SpooledFile() {
  if (!path.empty()) ::unlink(path.c_str());
}

std::optional<std::string_view> Request::header(std::string_view name) const {
  for (const auto& [k, v] : headers)
    if (k.size() == name.size() && strncasecmp(k.data(), name.data(), name.size()) == 0) return v;
  return std::nullopt;
}

std::string_view Request::param(std::string_view name) const {
  for (const auto& [k, v] : params)
    if (k == name) return v;
  return {};
}

std::optional<std::string> Request::query_param(std::string_view name) const {
  if (query.empty()) return std::nullopt;
  auto parsed = boost::urls::parse_query(query);
  if (!parsed) return std::nullopt;
  boost::urls::params_view decoded(*parsed);
  auto it = decoded.find(name);
  if (it == decoded.end()) return std::nullopt;
  return std::string((*it).value);
}

Response Response::json(unsigned status, const boost::json::value& body) {
  Response r;
  r.status = status;
  r.body = json_text(body);
  return r;
}

Response Response::error(const Error& error) {
  if (error.code() != ErrorCode::internal) return json(error.status(), error.to_json());
  Response r =
      json(error.status(), Error(ErrorCode::internal,
                                 "internal error: the server's log has the details under this "
                                 "response's X-Request-Id")
                               .to_json());
  r.internal_detail = error.message();
  return r;
}

Response Response::text(unsigned status, std::string body, std::string content_type) {
  Response r;
  r.status = status;
  r.content_type = std::move(content_type);
  r.body = std::move(body);
  return r;
}

}  // namespace redcell::http
