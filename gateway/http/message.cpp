// Header lookup helpers and the response serializer for the plain request and
// response values.
#include "gateway/http/message.h"

#include <cstdio>

#include <chrono>
#include <ctime>

namespace carebridge::gateway::http {

const char* reason_phrase(unsigned status) {
  switch (status) {
    case 100: return "Continue";
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 303: return "See Other";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 406: return "Not Acceptable";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 411: return "Length Required";
    case 412: return "Precondition Failed";
    case 413: return "Content Too Large";
    case 415: return "Unsupported Media Type";
    case 422: return "Unprocessable Content";
    case 428: return "Precondition Required";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    default: return "";
  }
}

namespace {

// The IMF-fixdate of the current second, formatted once per second per thread.
const std::string& http_date() {
  thread_local std::time_t formatted_second = -1;
  thread_local std::string text;
  std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  if (now != formatted_second) {
    std::tm utc{};
    gmtime_r(&now, &utc);
    char buffer[64];
    text.assign(buffer, std::strftime(buffer, sizeof buffer, "%a, %d %b %Y %H:%M:%S GMT", &utc));
    formatted_second = now;
  }
  return text;
}

void append_field(std::string& out, std::string_view name, std::string_view value) {
  out += name;
  out += ": ";
  for (char c : value) {
    if (c != '\r' && c != '\n') out += c;
  }
  out += "\r\n";
}

}  // namespace

Handler answer_at_once(std::function<Response(const Request&)> answer) {
  return [answer = std::move(answer)](std::shared_ptr<const Request> request, Responder responder) {
    auto response = std::make_shared<Response>(answer(*request));
    responder.reply([response] { return std::move(*response); });
  };
}

std::string serialize(const Response& response, bool keep_alive, bool head) {
  unsigned status = response.status;
  bool bodiless = status < 200 || status == 204 || status == 304;
  std::string out;
  out.reserve(256 + response.headers.size() * 48 + (head || bodiless ? 0 : response.body.size()));
  out += "HTTP/1.1 ";
  out += std::to_string(status);
  out += ' ';
  out += reason_phrase(status);
  out += "\r\n";
  bool has_date = false;
  for (const auto& [name, value] : response.headers) {
    if (iequals(name, "Content-Length") || iequals(name, "Connection") || iequals(name, "Transfer-Encoding")) continue;
    has_date = has_date || iequals(name, "Date");
    append_field(out, name, value);
  }
  if (!has_date) append_field(out, "Date", http_date());
  append_field(out, "Server", "carebridge");
  if (!bodiless) append_field(out, "Content-Length", std::to_string(response.body.size()));
  if (!keep_alive) append_field(out, "Connection", "close");
  out += "\r\n";
  if (!head && !bodiless) out += response.body;
  return out;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

std::string_view Request::header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (iequals(k, name)) return v;
  }
  return {};
}

void Response::set_header(std::string name, std::string value) {
  for (auto& [k, v] : headers) {
    if (iequals(k, name)) {
      v = std::move(value);
      return;
    }
  }
  headers.emplace_back(std::move(name), std::move(value));
}

std::optional<int64_t> parse_http_date(std::string_view text) {
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::string value(text);
  int day = 0, year = 0, hour = 0, minute = 0, second = 0;
  char month[4] = {};
  char weekday[16] = {};
  int n = 0;
  bool read = (std::sscanf(value.c_str(), "%3s, %2d %3s %4d %2d:%2d:%2d GMT%n", weekday, &day, month, &year, &hour, &minute,
                           &second, &n) == 7) ||
              (std::sscanf(value.c_str(), "%15[A-Za-z], %2d-%3s-%2d %2d:%2d:%2d GMT%n", weekday, &day, month, &year, &hour,
                           &minute, &second, &n) == 7) ||
              (std::sscanf(value.c_str(), "%3s %3s %2d %2d:%2d:%2d %4d%n", weekday, month, &day, &hour, &minute, &second,
                           &year, &n) == 7);
  if (!read || static_cast<size_t>(n) != value.size()) return std::nullopt;
  if (year < 100) year += year < 70 ? 2000 : 1900;  // RFC 850's two-digit years
  int m = 0;
  while (m < 12 && std::string_view(kMonths[m]) != month) ++m;
  if (m == 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return std::nullopt;
  // Days since the epoch of a civil date (Howard Hinnant's days_from_civil).
  int y = year - (m < 2 ? 1 : 0);
  int era = (y >= 0 ? y : y - 399) / 400;
  int yoe = y - era * 400;
  int mp = (m + 10) % 12;  // m counts from 0 (January)
  int doy = (153 * mp + 2) / 5 + day - 1;
  int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  int64_t days = static_cast<int64_t>(era) * 146097 + doe - 719468;
  return ((days * 24 + hour) * 60 + minute) * 60000 + static_cast<int64_t>(second) * 1000;
}

std::string_view remote_host(std::string_view remote) {
  auto colon = remote.rfind(':');
  if (colon == std::string_view::npos) return remote;
  std::string_view host = remote.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  return host;
}

}  // namespace carebridge::gateway::http
