// quoted_printable: as PyRIT's BinAsciiConverter "quoted-printable": each space-separated
// word through binascii.b2a_qp (text mode), the words joined by "=20", so the result
// decodes back to the prompt with any quoted-printable decoder.
#include "converters/text.hpp"

namespace redcell {

namespace {

constexpr std::size_t kMaxLine = 76;

void put_hex(std::string& out, unsigned char c) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  out += '=';
  out += kHex[c >> 4];
  out += kHex[c & 15];
}

// binascii.b2a_qp(data, quotetabs=False, istext=True, header=False).
// `in` encoded onto the end of `out`.
void b2a_qp(std::string_view in, std::string& out) {
  const auto nl = in.find('\n');
  const bool crlf = nl != std::string_view::npos && nl > 0 && in[nl - 1] == '\r';
  const auto soft_break = [crlf, &out] { out += crlf ? "=\r\n" : "=\n"; };
  const std::size_t start = out.size();
  std::size_t line = 0;
  for (std::size_t i = 0; i < in.size();) {
    const auto c = static_cast<unsigned char>(in[i]);
    const bool last = i + 1 == in.size();
    const auto next = last ? 0 : static_cast<unsigned char>(in[i + 1]);
    const bool encode =
        c > 126 || c == '=' ||
        (c == '.' && line == 0 && (last || next == '\n' || next == '\r' || next == 0)) ||
        ((c == '\t' || c == ' ') && last) ||
        (c < 33 && c != '\r' && c != '\n' && c != '\t' && c != ' ');
    if (encode) {
      if (line + 3 >= kMaxLine) {
        soft_break();
        line = 0;
      }
      put_hex(out, c);
      line += 3;
      ++i;
    } else if (c == '\n' || (c == '\r' && next == '\n' && !last)) {
      line = 0;
      if (out.size() > start && (out.back() == ' ' || out.back() == '\t')) {
        const auto ws = static_cast<unsigned char>(out.back());
        out.pop_back();
        put_hex(out, ws);
      }
      out += crlf ? "\r\n" : "\n";
      i += c == '\r' ? 2 : 1;
    } else {
      if (!last && next != '\n' && line + 1 >= kMaxLine) {
        soft_break();
        line = 0;
      }
      ++line;
      out += static_cast<char>(c);
      ++i;
    }
  }
}

std::string quoted_printable(std::string_view s) {
  std::string out;
  out.reserve(s.size() + s.size() / 2);
  for (std::size_t at = 0;;) {
    const auto space = s.find(' ', at);
    b2a_qp(s.substr(at, space == std::string_view::npos ? std::string_view::npos : space - at),
           out);
    if (space == std::string_view::npos) return out;
    out += "=20";
    at = space + 1;
  }
}

}  // namespace

ConverterInfo quoted_printable_converter() {
  return text::entry("quoted_printable",
                     "Encodes the prompt as quoted-printable (RFC 2045; spaces as =20), as "
                     "PyRIT's BinAsciiConverter does.",
                     quoted_printable);
}

}  // namespace redcell
