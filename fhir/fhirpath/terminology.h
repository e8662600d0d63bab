// Value set membership for memberOf(): expands ValueSets from the definitions
// (compose.include of whole code systems, concept lists and other value sets, or a
// stored expansion) once, and caches the expansion by URL. Thread-safe.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "fhir/definitions/definitions.h"

namespace carebridge::fhir::fhirpath {

class Terminology {
 public:
  explicit Terminology(const definitions::Definitions& definitions) : definitions_(definitions) {}

  // Whether (system, code) is in the value set; an empty system matches any system.
  // nullopt when the value set is unknown or cannot be expanded.
  std::optional<bool> contains(std::string_view value_set, std::string_view system, std::string_view code) const;

 private:
  struct Expansion {
    std::unordered_set<std::string> codes;  // "system|code"
    std::unordered_set<std::string> bare;   // "code"
  };
  std::shared_ptr<const Expansion> expansion(std::string_view url) const;
  bool expand(std::string_view url, Expansion& into, int depth) const;
  bool add_code_system(std::string_view url, Expansion& into) const;

  const definitions::Definitions& definitions_;
  mutable std::mutex mutex_;
  mutable std::unordered_map<std::string, std::shared_ptr<const Expansion>> cache_;
};

}  // namespace carebridge::fhir::fhirpath
