#include "conformance/mapping_cases.h"

#include <rapidjson/document.h>

#include <algorithm>
#include <fstream>
#include <optional>
#include <iterator>

#include "conformance/bundle_compare.h"
#include "mappings/agency/conversion.h"
#include "mappings/agency/records.h"
#include "mappings/hl7v2/conversion.h"

namespace carebridge::conformance {

namespace fs = std::filesystem;
namespace agency = mappings::agency;
using fhir::model::Issue;
using fhir::model::Severity;

namespace {

constexpr const char* kExpected = ".expected.json";
constexpr size_t kMaxDifferences = 200;

std::string read(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

std::string stem_of(const fs::path& expected) {
  std::string name = expected.filename().string();
  return name.substr(0, name.size() - std::string(kExpected).size());
}

// The input beside NAME.expected.json: NAME.csv, .tsv, .txt, .xlsx, .zip or .json, or the
// folder NAME (an export of several files).
fs::path input_for(const fs::path& expected) {
  std::string stem = stem_of(expected);
  std::error_code ec;
  for (const char* ext : {".csv", ".tsv", ".txt", ".xlsx", ".zip", ".json", ".hl7"}) {
    fs::path candidate = expected.parent_path() / (stem + ext);
    if (fs::is_regular_file(candidate, ec)) return candidate;
  }
  if (fs::path folder = expected.parent_path() / stem; !stem.empty() && fs::is_directory(folder, ec)) return folder;
  return {};
}

// The input's files by name: the file, or every file of the folder (sorted).
std::vector<std::pair<std::string, std::string>> input_files(const fs::path& input) {
  std::vector<fs::path> files;
  std::error_code ec;
  if (fs::is_directory(input, ec)) {
    for (const auto& entry : fs::directory_iterator(input, ec))
      if (entry.is_regular_file()) files.push_back(entry.path());
    std::sort(files.begin(), files.end());
  } else {
    files.push_back(input);
  }
  std::vector<std::pair<std::string, std::string>> out;
  for (const fs::path& f : files) out.emplace_back(f.filename().string(), read(f));
  return out;
}

// The spec for a case: spec.json beside the input, else the shipped spec named like its folder.
fs::path spec_for(const fs::path& input, std::string& shown, const fs::path& folder) {
  std::error_code ec;
  fs::path own = input.parent_path() / "spec.json";
  if (fs::is_regular_file(own, ec)) {
    shown = fs::relative(own, folder, ec).string();
    return own;
  }
  shown = input.parent_path().filename().string();
  fs::path shipped = agency::default_specs_dir() / shown / "spec.json";
  return fs::is_regular_file(shipped, ec) ? shipped : fs::path();
}

// The expected Bundle against what was mapped, or the whole Bundle missing.
void compare(const fs::path& expected, const std::string& mapped, const mappings::engine::SourceMap& sources, MappingCase& c) {
  rapidjson::Document want, got;
  want.Parse(read(expected).c_str());
  got.Parse(mapped.c_str());
  if (want.HasParseError()) c.issues.push_back({Severity::Error, "structure", c.expected + " is not JSON", {}, {}});
  else if (mapped.empty()) c.differences.push_back({"Bundle", compact_json(want), "", ""});
  else compare_bundles(want, got, sources, c.differences, kMaxDifferences);
}

// An HL7 v2 message beside the Bundle it must become, with the shipped v2 maps: the message's
// errors at their segment and field, the differences with the field each value came from.
void run_v2_case(const fs::path& expected, const fs::path& input, const fhir::definitions::Definitions& definitions,
                 const fhir::validation::Validator& validator, MappingCase& c) {
  c.spec = "hl7v2";
  auto spec = mappings::hl7v2::MapSpec::load_default();
  if (!spec) {
    c.issues = spec.issues();
    return;
  }
  mappings::hl7v2::Converter converter(definitions, &validator, *spec);
  std::string text = read(input);
  auto messages = mappings::hl7v2::split_messages(text);
  if (messages.size() > 1)
    c.issues.push_back({Severity::Warning, "informational", c.input + " holds " + std::to_string(messages.size()) +
                                                                " messages: the first is compared with " + c.expected, {}, {}});
  auto converted = converter.convert(messages.empty() ? std::string_view(text) : messages.front());
  for (const auto& i : converted.issues)
    if (i.issue.severity == Severity::Error || i.issue.severity == Severity::Fatal)
      c.issues.push_back({i.issue.severity, i.issue.code, c.input + " " + i.location + ": " + i.issue.message, {}, {}});
  std::string mapped;
  mappings::engine::SourceMap sources;
  if (converted.accepted()) mappings::engine::write_json(converted.mapped.tree, mapped, &sources, "Bundle");
  compare(expected, mapped, sources, c);
}

MappingCase run_case(const fs::path& folder, const fs::path& expected, const fs::path& input,
                     const fhir::definitions::Definitions& definitions, const fhir::validation::Validator& validator) {
  std::error_code ec;
  MappingCase c;
  c.input = fs::relative(input, folder, ec).string();
  c.expected = fs::relative(expected, folder, ec).string();
  if (input.extension() == ".hl7") {
    run_v2_case(expected, input, definitions, validator, c);
    return c;
  }
  fs::path spec_file = spec_for(input, c.spec, folder);
  if (spec_file.empty()) {
    c.issues.push_back({Severity::Error, "not-found", "no spec.json beside the input and no shipped mapping \"" + c.spec + "\"", {}, {}});
    return c;
  }
  auto spec = agency::load_spec(spec_file, definitions);
  if (!spec) {
    c.issues = spec.issues();
    return c;
  }
  // The stored records a status file changes, when the case has them: NAME.records.json.
  std::optional<agency::BundleRecords> records;
  if (fs::path file = expected.parent_path() / (stem_of(expected) + ".records.json"); fs::exists(file, ec)) {
    auto read_records = agency::BundleRecords::from_file(file);
    if (!read_records) {
      c.issues.push_back({Severity::Error, "structure", read_records.message(), {}, {}});
      return c;
    }
    records = std::move(*read_records);
  }
  agency::AgencyConverter converter(definitions, &validator, std::make_shared<const agency::Spec>(std::move(*spec)));
  converter.set_trace(true);  // every difference says which cell it came from
  auto converted = converter.convert_files(input_files(input), "local", {}, records ? &*records : nullptr);
  for (const auto& e : converted.file_errors) c.issues.push_back({Severity::Error, "structure", e, {}, {}});
  for (const auto& p : converted.mapped.rejected)
    c.issues.push_back({Severity::Error, "processing", p.where + ": " + p.message, {}, {}});
  compare(expected, converted.mapped.bundle, converted.mapped.sources, c);
  return c;
}

}  // namespace

size_t MappingCase::errors() const {
  size_t n = 0;
  for (const auto& i : issues) n += i.severity == Severity::Error || i.severity == Severity::Fatal;
  return n;
}

bool is_mapping_file(const fs::path& file) {
  std::error_code ec;
  std::string name = file.filename().string();
  if (name == "spec.json") return true;
  if ((file.extension() != ".json" && file.extension() != ".hl7") || name.ends_with(kExpected)) return false;
  return fs::exists(file.parent_path() / (file.stem().string() + kExpected), ec);  // a form or a message beside its expected Bundle
}

bool is_case_input(const fs::path& dir) {
  std::error_code ec;
  return !dir.filename().empty() && fs::is_regular_file(dir.parent_path() / (dir.filename().string() + kExpected), ec);
}

std::vector<MappingCase> run_mapping_cases(const fs::path& folder, const fhir::definitions::Definitions& definitions,
                                           const fhir::validation::Validator& validator) {
  std::vector<fs::path> expected;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(folder, fs::directory_options::skip_permission_denied, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec))
    if (it->is_regular_file(ec) && it->path().filename().string().ends_with(kExpected)) expected.push_back(it->path());
  std::sort(expected.begin(), expected.end());
  std::vector<MappingCase> cases;
  for (const fs::path& e : expected) {
    fs::path input = input_for(e);
    if (!input.empty()) cases.push_back(run_case(folder, e, input, definitions, validator));
  }
  return cases;
}

}  // namespace carebridge::conformance
