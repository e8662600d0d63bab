// The request log's lines (see observers.h).
#include "gateway/pipeline/observers.h"

#include <cstdio>
#include <iostream>
#include <string_view>

#include "fhir/json/json_writer.h"
#include "fhir/time/fhir_time.h"

namespace carebridge::gateway::pipeline {

namespace {

constexpr size_t kMaxLoggedTarget = 2000;

// A parameter's name as sent, when it looks like one ("name:exact", "_has:Observation:patient:code");
// else "*": a long name, or one with escapes or other characters, may be a value sent in its place.
std::string_view logged_name(std::string_view name) {
  if (name.size() > 200) return "*";
  for (char c : name) {
    bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
                 c == '.' || c == ':' || c == '$';
    if (!plain) return "*";
  }
  return name;
}

// An absolute-form target's "scheme://user:password@host" without the user and password.
std::string without_userinfo(std::string_view path) {
  auto scheme = path.find("://");
  if (path.starts_with('/') || scheme == std::string_view::npos) return std::string(path);
  auto host = scheme + 3;
  auto at = path.substr(0, path.find('/', host)).rfind('@');  // the last '@' of the authority
  if (at == std::string_view::npos || at < host) return std::string(path);
  return std::string(path.substr(0, host)) + "*" + std::string(path.substr(at));
}

}  // namespace

std::string redacted_target(const std::string& target) {
  auto q = target.find('?');
  std::string out = without_userinfo(std::string_view(target).substr(0, q)).substr(0, kMaxLoggedTarget);
  if (q == std::string::npos) return out;
  out += '?';
  std::string_view query = std::string_view(target).substr(q + 1);
  while (!query.empty() && out.size() < kMaxLoggedTarget) {
    auto amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    auto eq = pair.find('=');
    // A value is never logged; nor is a pair without '=', which is all value.
    if (eq != std::string_view::npos) {
      out.append(logged_name(pair.substr(0, eq))).append("=*");
    } else if (!pair.empty()) {
      out += '*';
    }
    if (amp == std::string_view::npos) break;
    out += '&';
    query.remove_prefix(amp + 1);
  }
  if (out.size() > kMaxLoggedTarget) out.resize(kMaxLoggedTarget);
  return out;
}

RequestLog::RequestLog(const config::Logging& logging) : enabled_(logging.requests) {
  if (!logging.file.empty()) file_.open(logging.file, std::ios::app);
}

void RequestLog::observe(const http::Request& request, const std::string& route_label, const http::Response& response,
                         double seconds) {
  if (!enabled_) return;
  using fhir::json::append_json_string;
  std::string line = "{\"time\":";
  append_json_string(line, fhir::time::format_instant(fhir::time::now_ms()));
  line += ",\"remote\":";
  append_json_string(line, request.remote);
  line += ",\"method\":";
  append_json_string(line, request.method);
  line += ",\"target\":";
  append_json_string(line, redacted_target(request.target));
  line += ",\"route\":";
  append_json_string(line, route_label);
  line += ",\"status\":" + std::to_string(response.status);
  char ms[32];
  std::snprintf(ms, sizeof ms, "%.3f", seconds * 1000);
  line += ",\"duration_ms\":" + std::string(ms) + "}\n";
  std::lock_guard lock(mutex_);
  if (file_.is_open()) {
    file_ << line << std::flush;
  } else {
    std::cerr << line << std::flush;
  }
}

}  // namespace carebridge::gateway::pipeline
