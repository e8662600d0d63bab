// The request log's lines (see observers.h).
#include "gateway/pipeline/observers.h"

#include <cstdio>
#include <iostream>

#include "fhir/json/json_writer.h"
#include "fhir/time/fhir_time.h"

namespace carebridge::gateway::pipeline {

std::string redacted_target(const std::string& target) {
  auto q = target.find('?');
  if (q == std::string::npos) return target.substr(0, 2000);
  std::string out = target.substr(0, std::min(q, size_t{2000})) + "?";
  for (size_t at = q + 1; at < target.size() && out.size() < 2000;) {
    auto amp = target.find('&', at);
    std::string pair = target.substr(at, amp == std::string::npos ? std::string::npos : amp - at);
    out += pair.substr(0, pair.find('=')) + (pair.find('=') == std::string::npos ? "" : "=*");
    if (amp == std::string::npos) break;
    out += '&';
    at = amp + 1;
  }
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
