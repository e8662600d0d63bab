// FHIR packages as published: an npm tarball (.tgz) holding package/package.json
// and one conformance resource per package/*.json. Read with libarchive.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace carebridge::fhir::definitions {

struct PackageFile {
  std::string name;  // "StructureDefinition-us-core-patient.json"
  std::string text;
};

// Whether `path` names a package archive rather than a folder.
bool is_package_archive(const std::filesystem::path& path);

// The resources at the top of the archive's package/ folder (package.json, the
// .index.json and the example/, xml/ and other/ folders left out), sorted by name.
// Throws std::runtime_error naming the file when it is not a readable package or
// unpacks to more than a sane size.
std::vector<PackageFile> read_package_archive(const std::filesystem::path& file);

}  // namespace carebridge::fhir::definitions
