// `carebridge audit export`: the audit trail as NDJSON, for an archive or a SIEM.
#include <iostream>

#include "app/command.h"
#include "fhir/time/fhir_time.h"
#include "gateway/config/config.h"
#include "gateway/store/sqlite_store.h"

namespace carebridge::app {
namespace {

constexpr const char* kUsage =
    "usage: carebridge audit export [--data-dir DIR | --config FILE] [--since INSTANT]\n"
    "Writes every AuditEvent (recorded at or after INSTANT, e.g. 2026-11-01T00:00:00Z) to\n"
    "standard output, one JSON object per line, in the order they were stored.\n";

}  // namespace

int audit_command(const Arguments& arguments) {
  const auto& a = arguments.args;
  std::string data_dir = "data", config_file, since;
  bool ok = !a.empty() && a[0] == "export";
  for (size_t i = 1; ok && i < a.size(); ++i) {
    auto value = [&](std::string& target) { return i + 1 < a.size() ? (target = a[++i], true) : false; };
    ok = (a[i] == "--data-dir" && value(data_dir)) || (a[i] == "--config" && value(config_file)) ||
         (a[i] == "--since" && value(since));
  }
  std::optional<int64_t> since_ms;
  if (ok && !since.empty()) {
    auto range = fhir::time::date_range(since);
    ok = range.has_value();
    if (ok) since_ms = static_cast<int64_t>(range->first * 1000);
  }
  if (!ok) return std::cerr << kUsage, 2;
  if (!config_file.empty()) {
    std::string error;
    auto config = gateway::config::load_file(config_file, error);
    if (!config) return std::cerr << "carebridge audit: " << error << "\n", 1;
    data_dir = config->data_dir;
  }
  try {
    gateway::store::SqliteStore store(gateway::store::SqliteOptions{data_dir, 1});
    store.scan("AuditEvent", true, [&](const gateway::store::ResourceRecord& r) {
      if (!since_ms || r.updated_ms >= *since_ms) std::cout << r.body << '\n';
    });
  } catch (const std::exception& e) {
    return std::cerr << "carebridge audit: cannot open the store in " << data_dir << ": " << e.what() << "\n", 1;
  }
  return 0;
}

}  // namespace carebridge::app
