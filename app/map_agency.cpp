#include "app/map_agency.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "fhir/json/json_writer.h"
#include "mappings/agency/conversion.h"
#include "mappings/agency/reverse.h"


namespace carebridge::app {

namespace fs = std::filesystem;
namespace agency = mappings::agency;

bool agency_spec_file(const std::string& mapping, std::string& spec_file) {
  std::error_code ec;
  fs::path shipped = agency::default_specs_dir() / mapping / "spec.json";
  if (mapping.find('/') == std::string::npos && fs::exists(shipped, ec)) spec_file = shipped.string();
  else if (fs::is_regular_file(mapping, ec) && fs::path(mapping).extension() == ".json") spec_file = mapping;
  else if (fs::exists(fs::path(mapping) / "spec.json", ec)) spec_file = (fs::path(mapping) / "spec.json").string();
  else return false;
  return true;
}

namespace {

// Every input's bytes by file name; a folder gives each regular file in it (sorted). A link
// in a folder is not followed: an unpacked export could point it anywhere (/etc/passwd).
bool read_inputs(const std::vector<std::string>& inputs, std::vector<std::pair<std::string, std::string>>& out) {
  std::vector<fs::path> files;
  for (const std::string& input : inputs) {
    std::error_code ec;
    if (fs::is_directory(input, ec)) {
      std::vector<fs::path> inside;
      for (const auto& entry : fs::directory_iterator(input, ec)) {
        if (entry.is_symlink(ec)) std::cerr << "warning " << entry.path().filename().string() << ": a link, not read\n";
        else if (entry.is_regular_file(ec)) inside.push_back(entry.path());
      }
      std::sort(inside.begin(), inside.end());
      files.insert(files.end(), inside.begin(), inside.end());
    } else {
      files.emplace_back(input);
    }
  }
  for (const fs::path& file : files) {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
      std::cerr << "carebridge map: cannot read " << file.string() << "\n";
      return false;
    }
    std::stringstream bytes;
    bytes << in.rdbuf();
    out.emplace_back(file.filename().string(), bytes.str());
  }
  return true;
}

void report(const agency::AgencyConversion& c) {
  for (const std::string& e : c.file_errors) std::cerr << "error " << e << "\n";
  for (const agency::RowProblem& p : c.mapped.rejected) std::cerr << "error " << p.where << ": " << p.message << "\n";
  for (const std::string& w : c.mapped.warnings) std::cerr << "warning " << w << "\n";
  std::cerr << c.mapped.rows << " rows read: " << c.accepted_rows() << " taken, " << c.mapped.skipped
            << " skipped by the spec (deleted records, links to nothing), " << c.mapped.rejected_rows.size() << " not taken";
  if (c.bundle) {
    std::cerr << "; the Bundle has";
    for (const auto& [type, n] : c.mapped.resources) std::cerr << " " << n << " " << type;
  }
  std::cerr << "\n";
}

// The run's spec and its inputs' bytes; 2 when the spec cannot be used, 1 when an input
// cannot be read, else 0.
int prepare(const AgencyMapRun& run, const fhir::definitions::Definitions& definitions, std::shared_ptr<const agency::Spec>& spec,
            std::vector<std::pair<std::string, std::string>>& inputs) {
  auto loaded = agency::load_spec(run.spec_file, definitions);
  if (!loaded) {
    for (const auto& i : loaded.issues()) std::cerr << "carebridge map: " << i.message << "\n";
    return 2;
  }
  spec = std::make_shared<const agency::Spec>(std::move(*loaded));
  return read_inputs(run.inputs, inputs) ? 0 : 1;
}

}  // namespace

int map_agency(const AgencyMapRun& run, const fhir::definitions::Definitions& definitions) {
  std::shared_ptr<const agency::Spec> spec;
  std::vector<std::pair<std::string, std::string>> inputs;
  if (int status = prepare(run, definitions, spec, inputs)) return status;
  std::optional<agency::BundleRecords> records;
  if (!run.records.empty()) {
    auto read = agency::BundleRecords::from_file(run.records);
    if (!read) {
      std::cerr << "carebridge map: " << read.message() << "\n";
      return 1;
    }
    records = std::move(*read);
  }
  auto validator = fhir::validation::Validator::with_invariants(definitions);
  agency::AgencyConverter converter(definitions, validator.get(), spec, run.policy);
  agency::AgencyConversion c = converter.convert_files(inputs, run.agency, {}, records ? &*records : nullptr);
  report(c);
  bool complete = c.file_errors.empty() && c.mapped.rejected.empty();
  // A delta of deleted records alone: every row taken or skipped, and nothing to write here —
  // what the rows delete is stored at the gateway. An empty transaction says so; no Bundle at
  // all (exit 1) read as a failure.
  bool deletions_only = !c.bundle && complete && c.mapped.skipped > 0;
  if (deletions_only)
    std::cerr << "nothing to write: the rows skipped are deleted records, which delete what an earlier upload stored "
                 "(POST /ingest/" << spec->name << ", or map --records with the stored records); the Bundle is empty\n";
  if (!c.bundle && !deletions_only) return 1;
  std::string bundle = c.bundle ? fhir::json::write(*c.bundle->root()) : R"({"resourceType": "Bundle", "type": "transaction"})";
  if (run.out_dir.empty()) {
    std::cout << bundle << "\n";
  } else {
    std::error_code ec;
    fs::create_directories(run.out_dir, ec);
    std::string name = fs::path(run.inputs.front()).stem().string() + ".json";
    std::ofstream out(fs::path(run.out_dir) / name, std::ios::binary);
    out << bundle << "\n";
    if (!out) return 1;
  }
  return complete ? 0 : 1;
}

int render_agency(const AgencyMapRun& run, const fhir::definitions::Definitions& definitions) {
  std::shared_ptr<const agency::Spec> spec;
  std::vector<std::pair<std::string, std::string>> inputs;
  if (int status = prepare(run, definitions, spec, inputs)) return status;
  int status = 0;
  for (const auto& [name, text] : inputs) {
    rapidjson::Document fhir;
    fhir.Parse(text.c_str(), text.size());
    if (fhir.HasParseError() || !fhir.IsObject()) {
      std::cerr << "carebridge map: " << name << " is not FHIR JSON\n";
      status = 1;
      continue;
    }
    auto csv = agency::render_csv(*spec, fhir, run.agency);
    if (!csv) {
      std::cerr << "carebridge map: " << csv.message() << "\n";
      return 2;
    }
    // Only the header: the records are another agency's (their identifiers name the
    // organization that sent them), said rather than handing back an empty sheet.
    auto entries = fhir.FindMember("entry");
    bool any = entries != fhir.MemberEnd() && entries->value.IsArray() && !entries->value.Empty();
    if (any && std::count(csv->begin(), csv->end(), '\n') <= 1)
      std::cerr << "carebridge map: warning: " << name << ": no record in it is agency \"" << run.agency
                << "\"'s (the identifier systems name the organization that sent them): give --agency ORGANIZATION\n";
    if (run.out_dir.empty()) {
      std::cout << *csv;
      continue;
    }
    std::error_code ec;
    fs::create_directories(run.out_dir, ec);
    // A file a partner opens in Excel starts with the UTF-8 byte order mark, without which
    // Excel reads it as Windows-1252 ("JosÃ©"); standard output stays plain for pipes.
    std::ofstream out(fs::path(run.out_dir) / (fs::path(name).stem().string() + ".csv"), std::ios::binary);
    out << "\xEF\xBB\xBF" << *csv;
    if (!out) status = 1;
  }
  return status;
}

}  // namespace carebridge::app
