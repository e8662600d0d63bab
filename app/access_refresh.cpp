#include "app/access_refresh.h"

#include <cstdint>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

namespace carebridge::app {
namespace {

// Changed whenever how the gateway computes labels or access facts changes (access_policy,
// compartment, labels, write_path's facts): a folder written before is recomputed.
constexpr const char* kAccessFactsVersion = "2026-11-29";
constexpr const char* kFingerprintFile = "access-facts-version";

std::string read_all(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// FNV-1a: the same text gives the same value in every build.
uint64_t fnv1a(const std::string& text) {
  uint64_t hash = 14695981039346656037ull;
  for (unsigned char c : text) hash = (hash ^ c) * 1099511628211ull;
  return hash;
}

std::string fingerprint(const std::filesystem::path& labeling_rules) {
  return std::string(kAccessFactsVersion) + " " + std::to_string(fnv1a(read_all(labeling_rules)));
}

}  // namespace

bool refresh_access_facts(const std::filesystem::path& data_dir, gateway::store::Store& store,
                          gateway::rest::WritePath& writes, const fhir::definitions::Definitions& definitions,
                          const std::filesystem::path& labeling_rules) {
  const std::filesystem::path marker = data_dir / kFingerprintFile;
  const std::string wanted = fingerprint(labeling_rules);
  if (read_all(marker) == wanted) return true;
  using Refreshed = gateway::rest::WritePath::Refreshed;
  size_t checked = 0, rewritten = 0, failed = 0;
  for (const std::string& type : definitions.resource_types()) {
    // The audit trail's facts are its own (administrators only); a Subscription belongs to
    // the client that made it, which the gateway does not write for.
    if (type == "AuditEvent" || type == "Subscription") continue;
    std::vector<std::string> ids;  // ids only: a type may hold millions of records
    store.scan(type, false, [&](const gateway::store::ResourceRecord& r) { ids.push_back(r.id); });
    for (const auto& id : ids) {
      ++checked;
      Refreshed r = writes.refresh(type, id);
      rewritten += r == Refreshed::Written;
      failed += r == Refreshed::Failed;
    }
  }
  if (failed) {
    std::cerr << "carebridge serve: " << failed << " of " << checked
              << " records could not be written again with this build's labels and access facts; not serving\n";
    return false;
  }
  std::ofstream out(marker, std::ios::binary | std::ios::trunc);
  out << wanted;
  if (!out.flush()) {
    std::cerr << "carebridge serve: " << marker.string() << " could not be written\n";
    return false;
  }
  if (rewritten) {
    std::cout << "carebridge: labels and access facts recomputed for this build: " << rewritten << " of " << checked
              << " records written again" << std::endl;
  }
  return true;
}

}  // namespace carebridge::app
