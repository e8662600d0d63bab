// Reads a FHIR package tarball with libarchive (gzip and tar handled there).
#include "fhir/definitions/package_archive.h"

#include <archive.h>
#include <archive_entry.h>

#include <algorithm>
#include <memory>
#include <stdexcept>
#include <string_view>

namespace carebridge::fhir::definitions {
namespace {

// US Core 7 unpacks to about 40 MB with its examples; nothing real comes near this.
constexpr size_t kMaxUnpackedBytes = size_t{1} << 30;

struct ArchiveCloser {
  void operator()(archive* a) const { archive_read_free(a); }
};

// "package/StructureDefinition-x.json" -> "StructureDefinition-x.json"; empty for anything else.
std::string_view resource_name(std::string_view path) {
  constexpr std::string_view folder = "package/";
  if (!path.starts_with(folder)) return {};
  path.remove_prefix(folder.size());
  if (path.find('/') != std::string_view::npos || !path.ends_with(".json")) return {};
  if (path == "package.json" || path.starts_with(".")) return {};
  return path;
}

}  // namespace

bool is_package_archive(const std::filesystem::path& path) {
  std::error_code ec;
  std::string name = path.filename().string();
  return std::filesystem::is_regular_file(path, ec) && (name.ends_with(".tgz") || name.ends_with(".tar.gz"));
}

PackageArchive read_package_archive(const std::filesystem::path& file) {
  std::unique_ptr<archive, ArchiveCloser> reader(archive_read_new());
  archive_read_support_filter_gzip(reader.get());
  archive_read_support_format_tar(reader.get());
  const std::string where = "'" + file.string() + "'";
  if (archive_read_open_filename(reader.get(), file.c_str(), 1 << 16) != ARCHIVE_OK) {
    throw std::runtime_error(where + " cannot be opened as a package: " + archive_error_string(reader.get()));
  }
  PackageArchive package;
  auto& files = package.files;
  size_t unpacked = 0;
  bool manifest = false;
  archive_entry* entry = nullptr;
  int status;
  while ((status = archive_read_next_header(reader.get(), &entry)) == ARCHIVE_OK) {
    std::string_view path = archive_entry_pathname(entry) ? archive_entry_pathname(entry) : "";
    bool is_manifest = path == "package/package.json";
    std::string_view name = is_manifest ? path : resource_name(path);
    if (name.empty() || archive_entry_filetype(entry) != AE_IFREG) continue;
    auto size = archive_entry_size(entry);
    unpacked += size > 0 ? static_cast<size_t>(size) : 0;
    if (unpacked > kMaxUnpackedBytes) throw std::runtime_error(where + " unpacks to more than 1 GB");
    PackageFile f{std::string(name), std::string(size > 0 ? static_cast<size_t>(size) : 0, '\0')};
    if (archive_read_data(reader.get(), f.text.data(), f.text.size()) != static_cast<la_ssize_t>(f.text.size())) {
      throw std::runtime_error(where + ": cannot read " + std::string(path));
    }
    if (is_manifest) {
      manifest = true;
      package.manifest = std::move(f.text);
    } else {
      files.push_back(std::move(f));
    }
  }
  if (status != ARCHIVE_EOF) {
    throw std::runtime_error(where + " is not a readable package: " + archive_error_string(reader.get()));
  }
  if (!manifest) throw std::runtime_error(where + " is not a FHIR package (no package/package.json)");
  std::sort(files.begin(), files.end(), [](const PackageFile& a, const PackageFile& b) { return a.name < b.name; });
  return package;
}

}  // namespace carebridge::fhir::definitions
