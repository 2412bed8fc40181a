#include "http/server/multipart.hpp"

#include <algorithm>
#include <boost/json/value.hpp>
#include <cctype>
#include <fstream>

namespace redcell::http {

namespace {

constexpr std::size_t kMaxPartHead = std::size_t{16} << 10;

bool starts_with_nocase(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() &&
         std::equal(prefix.begin(), prefix.end(), s.begin(), [](char a, char b) {
           return std::tolower(static_cast<unsigned char>(a)) ==
                  std::tolower(static_cast<unsigned char>(b));
         });
}

Error malformed(const std::string& what) {
  return Error::invalid("/file", std::nullopt, "a multipart/form-data body with a file part",
                        "the form is malformed: " + what);
}

// A parameter of a header value: name="value" or name=value.
std::string param_of(std::string_view header, std::string_view name) {
  std::size_t at = 0;
  while ((at = header.find(';', at)) != std::string_view::npos) {
    ++at;
    while (at < header.size() && header[at] == ' ') ++at;
    const auto rest = header.substr(at);
    if (rest.size() <= name.size() || !starts_with_nocase(rest, name) || rest[name.size()] != '=')
      continue;
    auto v = header.substr(at + name.size() + 1);
    if (!v.empty() && v.front() == '"') {
      auto end = v.find('"', 1);
      return end == std::string_view::npos ? std::string() : std::string(v.substr(1, end - 1));
    }
    return std::string(v.substr(0, v.find(';')));
  }
  return {};
}

// Reads `in` into `buf` until `needle` is in it (its position) or the file ends (npos).
std::size_t read_until(std::ifstream& in, std::string& buf, std::string_view needle,
                       std::size_t from, std::size_t cap) {
  for (;;) {
    auto at = buf.find(needle, from);
    if (at != std::string::npos) return at;
    if (!in || buf.size() > cap) return std::string::npos;
    char chunk[1 << 16];
    in.read(chunk, sizeof chunk);
    buf.append(chunk, static_cast<std::size_t>(in.gcount()));
  }
}

}  // namespace

Result<std::string> form_boundary(std::string_view content_type) {
  auto b = param_of(content_type, "boundary");
  if (b.empty() || b.size() > 70)
    return fail(Error::invalid("/headers/content-type", boost::json::value(content_type),
                               "multipart/form-data; boundary=... (1 to 70 characters)"));
  return b;
}

Result<FormFile> extract_form_file(const std::string& body_path, const std::string& boundary,
                                   const std::string& out_path) {
  std::ifstream in(body_path, std::ios::binary);
  const std::string delimiter = "\r\n--" + boundary;
  // The body starts with "--boundary" (a preamble before a CRLF is allowed).
  std::string buf = "\r\n";
  auto at = read_until(in, buf, delimiter, 0, kMaxPartHead);
  if (at == std::string::npos) return fail(malformed("no boundary"));
  buf.erase(0, at + delimiter.size());
  for (;;) {
    // After a delimiter: "--" ends the form, CRLF starts a part's head.
    if (read_until(in, buf, "\r\n", 0, kMaxPartHead) != 0)
      return fail(malformed(buf.rfind("--", 0) == 0 ? "no part with a file" : "a bad delimiter"));
    auto head_end = read_until(in, buf, "\r\n\r\n", 0, kMaxPartHead);
    if (head_end == std::string::npos) return fail(malformed("a part's head is too long"));
    const std::string head = buf.substr(2, head_end - 2);
    buf.erase(0, head_end + 4);
    std::string disposition;
    for (std::size_t line = 0; line < head.size();) {
      auto end = head.find("\r\n", line);
      auto h =
          std::string_view(head).substr(line, end == std::string::npos ? head.npos : end - line);
      if (starts_with_nocase(h, "content-disposition:")) disposition = std::string(h.substr(20));
      line = end == std::string::npos ? head.size() : end + 2;
    }
    FormFile file{param_of(disposition, "name"), param_of(disposition, "filename")};
    const auto slash = file.filename.find_last_of("/\\");
    if (slash != std::string::npos) file.filename.erase(0, slash + 1);
    std::ofstream out;
    if (!file.filename.empty()) out.open(out_path, std::ios::binary | std::ios::trunc);
    // The part's data runs to the next delimiter; all but its last bytes can go out now.
    for (;;) {
      auto end = buf.find(delimiter);
      if (end != std::string::npos) {
        if (out.is_open()) out.write(buf.data(), static_cast<std::streamsize>(end));
        buf.erase(0, end + delimiter.size());
        break;
      }
      if (!in) return fail(malformed("the last part has no closing boundary"));
      const std::size_t keep = delimiter.size();
      if (buf.size() > keep) {
        if (out.is_open()) out.write(buf.data(), static_cast<std::streamsize>(buf.size() - keep));
        buf.erase(0, buf.size() - keep);
      }
      char chunk[1 << 16];
      in.read(chunk, sizeof chunk);
      buf.append(chunk, static_cast<std::size_t>(in.gcount()));
    }
    if (out.is_open()) {
      out.close();
      if (!out) return fail(Error(ErrorCode::unavailable, "cannot hold the uploaded file"));
      return file;
    }
  }
}

}  // namespace redcell::http
