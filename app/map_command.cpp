// `carebridge map --mapping hl7v2|DIR [--to hl7v2] [--out-dir DIR] FILE...`: HL7 v2
// messages to FHIR transaction Bundles (one per message, validated; problems reported
// with the v2 segment-field-component they come from), or FHIR back to v2 with --to.
// Exit 0 when every message mapped to a valid Bundle, 1 when some did not, 2 on bad usage.
#include <filesystem>
#include <functional>
#include <fstream>
#include <iostream>

#include "app/command.h"
#include "app/map_agency.h"
#include "fhir/io/format.h"
#include "fhir/json/json_writer.h"
#include "mappings/agency/spec.h"
#include "mappings/hl7v2/conversion.h"
#include "mappings/hl7v2/to_v2.h"

namespace carebridge::app {
namespace {

namespace fs = std::filesystem;
namespace v2 = mappings::hl7v2;

constexpr const char* kUsage =
    "usage: carebridge map --mapping hl7v2|MAPS_DIR [--to hl7v2] [--out-dir DIR] [--policy strict|ingest] FILE...\n"
    "       carebridge map --mapping NAME|SPEC [--agency ID] [--records BUNDLE] [--to csv] [--out-dir DIR] [--policy strict|ingest] FILE|DIR...\n"
    "         (an agency format: mappings/specs/NAME, a spec file or a folder holding spec.json;\n"
    "          --records: the stored records a status file changes, as a Bundle a search returned;\n"
    "          --to csv: CRLF lines, and files in --out-dir start with a UTF-8 byte order mark for Excel)\n";

struct MapArguments {
  std::string mapping, to, out_dir, agency = "local", records;
  fhir::validation::Policy policy = fhir::validation::Policy::Strict;
  std::vector<std::string> files;
};

bool parse(const std::vector<std::string>& args, MapArguments& out) {
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    bool valued = a == "--mapping" || a == "--to" || a == "--out-dir" || a == "--policy" || a == "--agency" || a == "--records";
    if (valued && i + 1 >= args.size()) {
      std::cerr << "carebridge map: " << a << " needs a value\n";
      return false;
    }
    if (a == "--mapping") out.mapping = args[++i];
    else if (a == "--to") out.to = args[++i];
    else if (a == "--out-dir") out.out_dir = args[++i];
    else if (a == "--agency") out.agency = args[++i];
    else if (a == "--records") out.records = args[++i];
    else if (a == "--policy") out.policy = args[++i] == "ingest" ? fhir::validation::Policy::Ingest : fhir::validation::Policy::Strict;
    else if (a.starts_with("--") && a != "--") {
      std::cerr << "carebridge map: unknown option " << a << "\n";
      return false;
    } else out.files.push_back(a);
  }
  if (out.mapping.empty() || out.files.empty()) return false;
  if (!out.to.empty() && out.to != "hl7v2" && out.to != "csv") {
    std::cerr << "carebridge map: --to takes hl7v2 (for --mapping hl7v2) or csv (for an agency format), not '" << out.to << "'\n";
    return false;
  }
  return true;
}

bool write_output(const std::string& out_dir, const std::string& name, const std::string& text) {
  if (out_dir.empty()) {
    std::cout << text << "\n";
    return true;
  }
  std::error_code ec;
  fs::create_directories(out_dir, ec);
  std::ofstream out(fs::path(out_dir) / name, std::ios::binary);
  out << text << "\n";
  if (!out) std::cerr << "carebridge map: cannot write " << (fs::path(out_dir) / name).string() << "\n";
  return static_cast<bool>(out);
}

// Says that a refused message has no output, and removes what an earlier run wrote under
// its name (it would read as this run's result).
void refuse_output(const std::string& out_dir, const std::string& name, const std::string& where) {
  std::cerr << where << ": the message was refused: no Bundle was written";
  if (!out_dir.empty()) {
    std::error_code ec;
    if (fs::remove(fs::path(out_dir) / name, ec)) std::cerr << " (an earlier " << name << " was removed)";
    else std::cerr << " (no " << name << ")";
  }
  std::cerr << "\n";
}

// Reads a file ("-": standard input); says why not on stderr.
bool read_file(const std::string& file, std::string& text) {
  std::string error;
  if (read_input(file, text, error)) return true;
  std::cerr << "carebridge map: " << error << "\n";
  return false;
}

// Runs `one` on each input's text: 1 when a file cannot be read or `one` says it failed.
int each_file(const std::vector<std::string>& files, const std::function<bool(const std::string&, const std::string&)>& one) {
  int status = 0;
  for (const std::string& file : files) {
    std::string text;
    if (!read_file(file, text) || !one(file, text)) status = 1;
  }
  return status;
}

void report(const std::string& where, const v2::Conversion& c) {
  for (const v2::MessageIssue& i : c.issues) {
    bool error = i.issue.severity == fhir::model::Severity::Error || i.issue.severity == fhir::model::Severity::Fatal;
    if (i.from_validation && !error) continue;  // the validator's advice (narratives, extensible bindings)
    std::cerr << where << ": " << fhir::model::to_string(i.issue.severity) << " ";
    if (!i.location.empty()) std::cerr << i.location << ": ";
    std::cerr << i.issue.message << "\n";
  }
}

// The Bundle as the FHIR JSON writer prints it (indented, in definition order).
std::string pretty(const v2::Conversion& c) {
  if (!c.bundle || !c.bundle->root()) return c.mapped.bundle_json();
  return fhir::json::write(*c.bundle->root());
}

int to_fhir(const MapArguments& args, const fhir::definitions::Definitions& definitions) {
  auto spec = args.mapping == "hl7v2" ? v2::MapSpec::load_default() : v2::MapSpec::load(args.mapping);
  if (!spec) {
    for (const auto& i : spec.issues()) std::cerr << "carebridge map: " << i.message << "\n";
    return 2;
  }
  auto validator = fhir::validation::Validator::with_invariants(definitions);
  v2::Converter converter(definitions, validator.get(), *spec, {}, args.policy);
  return each_file(args.files, [&](const std::string& file, const std::string& text) {
    bool ok = true;
    auto messages = v2::split_messages(text);
    if (messages.empty()) {
      std::cerr << file << ": error: the file is empty: it holds no HL7 v2 message\n";
      return false;
    }
    if (std::string_view skipped = v2::text_before_messages(text); !skipped.empty())  // said, not dropped silently
      std::cerr << file << ": warning: the text before the first message is not HL7 v2 and was skipped: '"
                << v2::printable(skipped.substr(0, 60)) << (skipped.size() > 60 ? "..." : "") << "'\n";
    std::string base = fs::path(file).stem().string();
    for (size_t n = 0; n < messages.size(); ++n) {
      std::string where = file + (messages.size() > 1 ? " message " + std::to_string(n + 1) : "");
      v2::Conversion c = converter.convert(messages[n]);
      report(where, c);
      std::string name = base + (messages.size() > 1 ? "-" + std::to_string(n + 1) : "") + ".json";
      if (!c.accepted()) {  // a refused message has no Bundle to show, not even a broken one
        ok = false;
        refuse_output(args.out_dir, name, where);
        continue;
      }
      ok = write_output(args.out_dir, name, pretty(c)) && ok;
    }
    return ok;
  });
}

int to_v2(const MapArguments& args, const fhir::definitions::Definitions& definitions) {
  return each_file(args.files, [&](const std::string& file, const std::string& text) {
    fhir::model::ParseResult parsed = fhir::io::read(text, definitions);
    if (!parsed.document || !parsed.document->root() || parsed.has_errors()) {
      std::cerr << file << ": not a FHIR resource: " << parsed.first_error() << "\n";
      return false;
    }
    auto messages = v2::to_v2(*parsed.document->root());
    if (!messages) {
      std::cerr << file << ": " << messages.message() << "\n";
      return false;
    }
    std::string out;
    for (const std::string& m : *messages) out += m;
    if (!out.empty() && out.back() == '\r') out.pop_back();
    return write_output(args.out_dir, fs::path(file).stem().string() + ".hl7", out);
  });
}

}  // namespace

int map_command(const Arguments& arguments) {
  MapArguments args;
  if (!parse(arguments.args, args)) {
    std::cerr << kUsage;
    return 2;
  }
  std::string spec_file;
  bool agency = args.mapping != "hl7v2" && agency_spec_file(args.mapping, spec_file);
  if (args.mapping != "hl7v2" && !agency && !fs::is_directory(args.mapping)) {
    std::cerr << "carebridge map: no mapping '" << args.mapping << "' (hl7v2, a folder of v2 maps, or an agency format under "
              << mappings::agency::default_specs_dir().string() << ")\n";
    return 2;
  }
  if ((agency && args.to == "hl7v2") || (!agency && args.to == "csv")) {
    std::cerr << "carebridge map: --to " << args.to << " does not go with --mapping " << args.mapping << "\n";
    return 2;
  }
  if (agency) {  // one export (its files together) to one Bundle
    auto definitions = load_definitions(arguments);
    if (!definitions) return 2;
    AgencyMapRun run{spec_file, args.files, args.out_dir, args.agency, args.policy, args.records};
    return args.to == "csv" ? render_agency(run, *definitions) : map_agency(run, *definitions);
  }
  if (args.out_dir.empty() && args.files.size() > 1) {
    std::cerr << "carebridge map: several files need --out-dir\n";
    return 2;
  }
  auto definitions = load_definitions(arguments);
  if (!definitions) return 2;
  return args.to.empty() ? to_fhir(args, *definitions) : to_v2(args, *definitions);
}

}  // namespace carebridge::app
