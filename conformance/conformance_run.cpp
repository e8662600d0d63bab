// Finds the files and packages under a folder and validates each resource.
#include "conformance/conformance_run.h"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <memory>

#include "fhir/definitions/package_archive.h"
#include "fhir/io/format.h"
#include "fhir/validation/validator.h"
#include "mappings/hl7v2/conversion.h"

namespace carebridge::conformance {
namespace fs = std::filesystem;
using fhir::model::Issue;
using fhir::model::Severity;

namespace {

bool is_package(const fs::path& dir) {
  std::error_code ec;
  return fs::exists(dir / "package" / "package.json", ec);
}

std::string kind_of(const fs::path& file) {
  std::string ext = file.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (ext == ".json") return "json";
  if (ext == ".xml") return "xml";
  if (ext == ".ndjson") return "ndjson";
  if (ext == ".hl7") return "hl7v2";
  return {};
}

bool read_file(const fs::path& file, std::string& text) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return false;
  text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return !in.bad();
}

void count(FileResult& result) {
  for (const auto& i : result.issues) {
    if (i.severity == Severity::Error || i.severity == Severity::Fatal) ++result.errors;
    if (i.severity == Severity::Warning) ++result.warnings;
  }
}

// The resources under `e`, each counted by type and by each profile it claims.
size_t count_resources(const fhir::model::Element& e, std::map<std::string, size_t>& profiles) {
  size_t n = 0;
  if (e.is_resource()) {
    n = 1;
    ++profiles[std::string(e.type)];
    if (const auto* meta = e.child("meta"))
      for (const auto* c : meta->children())
        if (c->name == "profile" && c->has_value) ++profiles[std::string(e.type) + " " + std::string(c->value)];
  }
  for (const auto* c : e.children()) n += count_resources(*c, profiles);
  return n;
}

// Parses and validates one resource text; issues go to `out`. Returns the resources read (with
// those a Bundle or a contained list holds).
size_t validate_text(std::string_view text, const fhir::definitions::Definitions& defs,
                   const fhir::validation::Validator& validator, FileResult& result, uint32_t line_offset) {
  std::vector<Issue>& out = result.issues;
  auto parsed = fhir::io::read(text, defs);
  std::vector<Issue> issues = std::move(parsed.issues);
  issues.insert(issues.end(), parsed.validation_issues.begin(), parsed.validation_issues.end());
  size_t resources = 0;
  if (parsed.document && parsed.document->root()) {
    resources = count_resources(*parsed.document->root(), result.profiles);
    auto found = validator.validate(*parsed.document->root());
    issues.insert(issues.end(), std::make_move_iterator(found.begin()), std::make_move_iterator(found.end()));
  }
  for (auto& i : issues) {
    if (line_offset) i.position.line = line_offset;
    out.push_back(std::move(i));
  }
  return resources;  // a file that is no resource (empty, cut short, not FHIR) holds none
}

// Each line of an NDJSON file as a resource of its own, its issues at its line.
size_t validate_ndjson(std::string_view text, const fhir::definitions::Definitions& defs,
                       const fhir::validation::Validator& validator, FileResult& result) {
  size_t resources = 0;
  uint32_t line = 0;
  for (size_t start = 0; start < text.size();) {
    size_t end = std::min(text.find('\n', start), text.size());
    ++line;
    std::string_view one = text.substr(start, end - start);
    if (one.find_first_not_of(" \t\r") != std::string_view::npos) resources += validate_text(one, defs, validator, result, line);
    start = end + 1;
  }
  return resources;
}

// Each HL7 v2 message of a file through the shipped v2 maps: what stops it or is left out of
// it, at its segment and field ("OBX[2]-5"), and the resources of the Bundle it makes.
size_t validate_v2(std::string_view text, const mappings::hl7v2::Converter& converter, FileResult& result) {
  size_t resources = 0;
  auto messages = mappings::hl7v2::split_messages(text);
  if (messages.empty())
    result.issues.push_back({Severity::Error, "structure", "the file holds no HL7 v2 message (no MSH segment)", {}, {}});
  for (size_t n = 0; n < messages.size(); ++n) {
    auto converted = converter.convert(messages[n]);
    std::string which = messages.size() > 1 ? "message " + std::to_string(n + 1) + " " : "";
    for (auto& i : converted.issues) {
      Issue issue = std::move(i.issue);
      issue.expression = which + i.location;
      result.issues.push_back(std::move(issue));
    }
    if (converted.bundle && converted.bundle->root()) resources += count_resources(*converted.bundle->root(), result.profiles) - 1;
  }
  return resources;
}

}  // namespace

size_t Report::errors() const {
  size_t n = 0;
  for (const auto& f : files) n += f.errors;
  for (const auto& m : mappings) n += !m.passed();
  return n;
}

size_t Report::warnings() const {
  size_t n = 0;
  for (const auto& f : files) n += f.warnings;
  return n;
}

Report run_conformance(const fs::path& folder, fhir::definitions::Definitions& definitions, const Progress& progress,
                       const fs::path& report_dir) {
  Report report;
  report.folder = folder.string();
  std::vector<fs::path> files;
  std::vector<FileResult> package_failures;
  std::error_code ec;
  auto add_package = [&](const fs::path& p) {
    try {
      definitions.add_package(p);
      report.packages.push_back(fs::relative(p, folder, ec).string());
    } catch (const std::exception& e) {
      FileResult failed{fs::relative(p, folder, ec).string(), "package", 0, 0, 0, {}, {}};
      failed.issues.push_back({Severity::Error, "exception", std::string("cannot load the package: ") + e.what(), {}, {}});
      count(failed);
      package_failures.push_back(std::move(failed));
    }
  };
  for (auto it = fs::recursive_directory_iterator(folder, fs::directory_options::skip_permission_denied, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    const fs::path& p = it->path();
    if (it->is_directory(ec)) {
      if (is_case_input(p) || (!report_dir.empty() && fs::equivalent(p, report_dir, ec))) {
        it.disable_recursion_pending();
        continue;
      }
      if (is_package(p)) {
        add_package(p);
        it.disable_recursion_pending();
      }
      continue;
    }
    if (fhir::definitions::is_package_archive(p)) {
      add_package(p);
      continue;
    }
    if (!it->is_regular_file(ec) || kind_of(p).empty() || p.filename().string().starts_with(".") || is_mapping_file(p))
      continue;
    files.push_back(p);
  }
  std::sort(files.begin(), files.end());
  auto validator = fhir::validation::Validator::with_invariants(definitions);
  std::unique_ptr<mappings::hl7v2::Converter> v2;  // made for the first v2 file
  auto v2_converter = [&]() -> const mappings::hl7v2::Converter* {
    if (!v2)
      if (auto spec = mappings::hl7v2::MapSpec::load_default())
        v2 = std::make_unique<mappings::hl7v2::Converter>(definitions, validator.get(), *spec);
    return v2.get();
  };
  report.files = std::move(package_failures);
  size_t done = 0;
  for (const auto& file : files) {
    FileResult result;
    result.path = fs::relative(file, folder, ec).string();
    result.kind = kind_of(file);
    std::string text;
    if (!read_file(file, text)) {
      result.issues.push_back({Severity::Fatal, "not-found", "cannot read the file", {}, {}});
    } else if (result.kind == "hl7v2") {
      if (const auto* converter = v2_converter()) result.resources = validate_v2(text, *converter, result);
    } else if (result.kind == "ndjson") {
      result.resources = validate_ndjson(text, definitions, *validator, result);
    } else {
      result.resources = validate_text(text, definitions, *validator, result, 0);
    }
    count(result);
    report.files.push_back(std::move(result));
    if (progress) progress(++done, files.size());
  }
  report.mappings = run_mapping_cases(folder, definitions, *validator);
  return report;
}

}  // namespace carebridge::conformance
