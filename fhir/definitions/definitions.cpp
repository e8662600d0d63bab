// The definitions registry: which core files are read at start-up, which on first
// need, and lookups across both groups.
#include "fhir/definitions/definitions.h"
#include "fhir/io/shipped_path.h"

#include <malloc.h>
#include <unistd.h>

#include <rapidjson/document.h>

#include <algorithm>
#include <cstdlib>
#include <stdexcept>

#include "fhir/definitions/binary_cache.h"
#include "fhir/definitions/package_archive.h"
#include "fhir/definitions/store.h"

#ifndef CAREBRIDGE_DEFINITIONS_DIR
#define CAREBRIDGE_DEFINITIONS_DIR "definitions"
#endif

namespace carebridge::fhir::definitions {
namespace fs = std::filesystem;
namespace {

constexpr const char* kCoreFolder = "r4";
// Named by the cache format (binary_cache.cpp's kMagic), so builds of another format beside
// this one keep their own files rather than rewriting each other's.
constexpr const char* kIndexFile = ".carebridge-index-v4.bin";
// Base types: needed by every parse, so indexed at start-up.
constexpr const char* kEagerFiles[] = {"profiles-types.json", "profiles-resources.json"};
// Indexed on first need, in two parts that load apart: a v2 message's code lookups and
// bindings need the terminology, not the ~450 profiles and extensions (a third of a
// command's start-up to decode and index). Profiles and extensions (StructureDefinitions
// only); the US Core StructureDefinitions the package ships come last: a package loaded
// with --package that defines the same URLs is looked up first.
constexpr const char* kProfileFiles[] = {"profiles-others.json", "extension-definitions.json",
                                         "testing/uscore-v5.0.1-structuredefinitions.json",
                                         "testing/uscore-v7.0.0-smoking-status.json"};
// Terminology (with the core's ConceptMaps, for $translate) and search parameters: the
// other conformance resources, no StructureDefinition.
constexpr const char* kTerminologyFiles[] = {"valuesets.json",  "v3-codesystems.json",     "v2-tables.json",
                                             "conceptmaps.json", "search-parameters.json", "search-parameters-uscore.json"};
constexpr const char* kProfilesIndexFile = ".carebridge-profiles-index-v4.bin";
constexpr const char* kTerminologyIndexFile = ".carebridge-terminology-index-v4.bin";

std::string_view strip_version(std::string_view canonical) {
  auto bar = canonical.find('|');
  return bar == std::string_view::npos ? canonical : canonical.substr(0, bar);
}

template <typename Map>
auto find_in(const Map& map, std::string_view key) -> typename Map::mapped_type {
  auto it = map.find(key);
  return it == map.end() ? nullptr : it->second;
}

const ConformanceResource* of_type(const StringMap<std::vector<const ConformanceResource*>>& by_canonical,
                                   std::string_view resource_type, std::string_view canonical) {
  auto it = by_canonical.find(canonical);
  if (it == by_canonical.end()) return nullptr;
  for (const ConformanceResource* r : it->second)
    if (r->resource_type == resource_type) return r;
  return nullptr;
}

// A store filled from its binary index, or from its JSON (writing the index, best effort:
// a read-only folder just means parsing the JSON each time) when the index is missing or stale.
void fill(Definitions::Store& store, const std::vector<fs::path>& files, const fs::path& index) {
  if (files.empty()) return;
  const std::string key = cache_key(files);
  if (load_cache(index, key, store)) return;
  for (const auto& file : files) store.read_file(file);
  save_cache(index, key, store);
}

bool holds_core(const fs::path& dir) {
  std::error_code ec;
  return fs::exists(dir / kCoreFolder / kEagerFiles[0], ec);
}

}  // namespace

Definitions::Definitions() : eager_(std::make_unique<Store>()) {
  profiles_.store = std::make_unique<Store>();
  terminology_.store = std::make_unique<Store>();
}
Definitions::~Definitions() = default;

std::unique_ptr<Definitions> Definitions::load_core(const fs::path& dir) {
  if (!holds_core(dir)) {
    throw std::runtime_error("FHIR R4 definitions not found in '" + dir.string() +
                             "' (run scripts/setup-definitions, or set CAREBRIDGE_DEFINITIONS)");
  }
  auto defs = std::make_unique<Definitions>();
  defs->root_ = dir;
  std::vector<fs::path> eager;
  for (const char* file : kEagerFiles) eager.push_back(dir / kCoreFolder / file);
  // Later start-ups read the binary index the first one wrote.
  fill(*defs->eager_, eager, dir / kCoreFolder / kIndexFile);
  auto lazy = [&](LazyPart& part, const auto& files, const char* index_file) {
    for (const char* file : files)
      if (fs::exists(dir / kCoreFolder / file)) part.files.push_back(dir / kCoreFolder / file);
    part.index = dir / kCoreFolder / index_file;
  };
  lazy(defs->profiles_, kProfileFiles, kProfilesIndexFile);
  lazy(defs->terminology_, kTerminologyFiles, kTerminologyIndexFile);
  defs->resolve_bases();
  malloc_trim(0);  // give the parse buffers of the big core files back to the system
  return defs;
}

fs::path Definitions::default_dir() {
  return io::shipped_path("CAREBRIDGE_DEFINITIONS", {"definitions", "../definitions"}, CAREBRIDGE_DEFINITIONS_DIR,
                          [](const fs::path& dir) { return holds_core(dir); });
}

void Definitions::add_bundle_file(const fs::path& file) {
  eager_->read_file(file);
  resolve_bases();
}

void Definitions::add_package(const fs::path& folder) {
  if (is_package_archive(folder)) {
    auto archive = read_package_archive(folder);
    note_package(archive.manifest);
    for (auto& file : archive.files) eager_->read_json(std::move(file.text), folder.string() + ": " + file.name);
    resolve_bases();
    return;
  }
  fs::path package = fs::exists(folder / "package" / "package.json") ? folder / "package" : folder;
  if (!fs::exists(package / "package.json")) {
    throw std::runtime_error("'" + folder.string() + "' is not a FHIR package (no package/package.json)");
  }
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(package)) {
    const auto& name = entry.path().filename().string();
    if (entry.is_regular_file() && entry.path().extension() == ".json" && name != "package.json" && name[0] != '.') {
      files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  note_package(read_file_text(package / "package.json"));
  for (const auto& f : files) eager_->read_file(f);
  resolve_bases();
}

void Definitions::note_package(const std::string& manifest_json) {
  rapidjson::Document manifest;
  manifest.Parse(manifest_json.c_str(), manifest_json.size());
  if (manifest.HasParseError() || !manifest.IsObject()) return;
  if (auto name = manifest.FindMember("name"); name != manifest.MemberEnd() && name->value.IsString()) {
    packages_.emplace_back(name->value.GetString());
  }
  if (auto canonical = manifest.FindMember("canonical"); canonical != manifest.MemberEnd() && canonical->value.IsString()) {
    std::string base = canonical->value.GetString();
    if (!base.empty() && base.back() != '/') base += '/';
    if (base.size() > 1) package_canonicals_.push_back(std::move(base));
  }
  auto dependencies = manifest.FindMember("dependencies");
  if (dependencies == manifest.MemberEnd() || !dependencies->value.IsObject()) return;
  for (auto d = dependencies->value.MemberBegin(); d != dependencies->value.MemberEnd(); ++d) {
    dependencies_.emplace_back(d->name.GetString());
  }
}

std::vector<std::string> Definitions::missing_dependencies() const {
  std::vector<std::string> missing;
  for (const auto& d : dependencies_) {
    bool core = d.starts_with("hl7.fhir.r4.core");
    bool loaded = std::find(packages_.begin(), packages_.end(), d) != packages_.end();
    bool listed = std::find(missing.begin(), missing.end(), d) != missing.end();
    if (!core && !loaded && !listed) missing.push_back(d);
  }
  return missing;
}

bool Definitions::in_loaded_package_space(std::string_view url) const {
  return std::any_of(package_canonicals_.begin(), package_canonicals_.end(),
                     [&](const std::string& base) { return url.starts_with(base); });
}

void Definitions::add_resource_json(std::string json_text, const std::string& origin) {
  eager_->read_json(std::move(json_text), origin);
  resolve_bases();
}

const Definitions::Store& Definitions::profiles() const {
  std::call_once(profiles_.once, [this] {
    Store& store = *profiles_.store;
    fill(store, profiles_.files, profiles_.index);
    // Bases are looked up directly: structure() would re-enter this call_once and deadlock.
    for (auto& sd : store.structures) {
      if (sd.base || sd.base_definition.empty()) continue;
      std::string_view base = strip_version(sd.base_definition);
      sd.base = find_in(eager_->by_url, base);
      if (!sd.base) sd.base = find_in(store.by_url, base);
    }
    malloc_trim(0);
  });
  return *profiles_.store;
}

const Definitions::Store& Definitions::terminology() const {
  std::call_once(terminology_.once, [this] {
    fill(*terminology_.store, terminology_.files, terminology_.index);
    malloc_trim(0);
  });
  return *terminology_.store;
}

void Definitions::resolve_bases() {
  for (auto& sd : eager_->structures) {
    if (sd.base || sd.base_definition.empty()) continue;
    sd.base = find_in(eager_->by_url, strip_version(sd.base_definition));
  }
  // Each element's types point at their definitions: the readers look them up per element.
  for (auto& sd : eager_->structures) {
    for (auto& e : sd.elements) {
      for (auto& t : e.types) {
        if (!t.structure) t.structure = find_in(eager_->by_type, t.code);
      }
    }
  }
  resource_types_.clear();
  for (const auto& [name, sd] : eager_->by_type) {
    // The core of R4 (4.0.1): the definitions package also carries R4B's SubscriptionStatus.
    bool core = sd->url == "http://hl7.org/fhir/StructureDefinition/" + name &&
                (sd->version.empty() || sd->version.starts_with("4.0."));
    if (core && sd->is_resource() && !sd->is_abstract && sd->derivation == Derivation::Specialization) {
      resource_types_.push_back(name);
    }
  }
  std::sort(resource_types_.begin(), resource_types_.end());
  // R4's definitions give positiveInt and unsignedInt a System.String value, yet they
  // specialize integer: JSON numbers, System.Integer in FHIRPath. Inherit from the base.
  for (auto& sd : eager_->structures) {
    if (!sd.is_primitive() || !sd.base || !sd.base->is_primitive()) continue;
    if (sd.base->json_value != JsonValueKind::String && sd.json_value == JsonValueKind::String) {
      sd.json_value = sd.base->json_value;
      sd.system_type = sd.base->system_type;
    }
  }
}

const StructureDef* Definitions::type(std::string_view name) const { return find_in(eager_->by_type, name); }

const StructureDef* Definitions::structure(std::string_view canonical) const {
  if (canonical.empty()) return nullptr;
  if (const auto* sd = find_in(eager_->by_url, canonical)) return sd;
  if (const auto* sd = find_in(profiles().by_url, canonical)) return sd;
  if (canonical.find('|') != std::string_view::npos) return structure(strip_version(canonical));
  return nullptr;
}

const ConformanceResource* Definitions::resource(std::string_view resource_type, std::string_view canonical) const {
  if (const auto* r = of_type(eager_->by_canonical, resource_type, canonical)) return r;
  if (const auto* r = of_type(terminology().by_canonical, resource_type, canonical)) return r;
  if (canonical.find('|') != std::string_view::npos) return resource(resource_type, strip_version(canonical));
  return nullptr;
}

const std::vector<std::string>& Definitions::resource_types() const { return resource_types_; }

std::vector<const StructureDef*> Definitions::structures() const {
  std::vector<const StructureDef*> all;
  for (const Store* store : {static_cast<const Store*>(eager_.get()), &profiles()}) {
    for (const auto& sd : store->structures) all.push_back(&sd);
  }
  return all;
}

std::vector<const ConformanceResource*> Definitions::resources(std::string_view resource_type) const {
  std::vector<const ConformanceResource*> all;
  for (const Store* store : {static_cast<const Store*>(eager_.get()), &terminology()}) {
    for (const auto& r : store->resources) {
      if (r.resource_type == resource_type) all.push_back(&r);
    }
  }
  return all;
}

}  // namespace carebridge::fhir::definitions
