#pragma once
// The file of a multipart/form-data body (RFC 7578) that the server spooled to disk: its
// first part that carries a filename is copied to a file of its own, a buffer at a time, so
// an upload sent as a browser form costs no more memory than a raw one.

#include <string>
#include <string_view>

#include "common/error.hpp"

namespace redcell::http {

struct FormFile {
  std::string field;     // the part's form field name
  std::string filename;  // as the client named it (no directories)
};

// The boundary of a multipart/form-data Content-Type; invalid_argument naming
// /headers/content-type when there is none or it is malformed.
Result<std::string> form_boundary(std::string_view content_type);

// Copies the first part with a filename from the body at `body_path` to `out_path`.
// invalid_argument (field /file) when the body is not a well-formed form holding a file.
Result<FormFile> extract_form_file(const std::string& body_path, const std::string& boundary,
                                   const std::string& out_path);

}  // namespace redcell::http
