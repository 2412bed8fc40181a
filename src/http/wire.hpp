#pragma once
// HTTP/1.1 message heads written straight into one buffer, for the server's responses and
// the client's requests. Beast parses what arrives; writing a message through its
// serializer walks a chain of per-field buffer views at every step of the write (most of a
// small request's cost, see bench/RESULTS.md) and, over TLS, sends one record per field,
// since an SSL stream writes one buffer of a sequence at a time.

#include <string>
#include <string_view>

namespace redcell::http::wire {

// Appends "Name: value\r\n". A CR or LF in the value becomes a space: a value can never
// start a header line of its own.
void append_field(std::string& out, std::string_view name, std::string_view value);

// RFC 9110 token (a field name): one or more of ALPHA, DIGIT and !#$%&'*+-.^_`|~.
bool is_token(std::string_view name);
// A field value that cannot end its line: no CR, LF, NUL or other control but HTAB.
bool is_field_value(std::string_view value);

// Fields a message's writer owns (its length and connection handling), case-insensitive:
// Content-Length, Transfer-Encoding, Connection and Host. Callers skip such fields from
// handlers and targets.
bool is_framing_field(std::string_view name);

}  // namespace redcell::http::wire
