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

struct PackageArchive {
  std::string manifest;             // package/package.json
  std::vector<PackageFile> files;   // the resources, sorted by name
};

// The manifest and the resources at the top of the archive's package/ folder (the
// .index.json and the example/, xml/ and other/ folders left out). Throws
// std::runtime_error naming the file when it is not a readable package or unpacks
// to more than a sane size.
PackageArchive read_package_archive(const std::filesystem::path& file);

}  // namespace carebridge::fhir::definitions
