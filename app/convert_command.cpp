// `carebridge convert --to json|xml [--out-dir DIR] FILE...`: lossless JSON <-> XML.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "fhir/io/format.h"
#include "app/command.h"

namespace carebridge::app {
namespace {

constexpr const char* kUsage = "usage: carebridge convert --to json|xml [--out-dir DIR] FILE...\n";

struct ConvertOptions {
  fhir::io::Format to = fhir::io::Format::Unknown;
  std::string out_dir;
  std::vector<std::string> files;
};

bool parse_options(const std::vector<std::string>& args, ConvertOptions& options) {
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if ((a == "--to" || a == "--out-dir") && i + 1 >= args.size()) {
      std::cerr << "carebridge convert: " << a << " needs a value\n";
      return false;
    }
    if (a == "--to") {
      options.to = fhir::io::parse_format(args[++i]);
      if (options.to == fhir::io::Format::Unknown) {
        std::cerr << "carebridge convert: --to takes json or xml, not '" << args[i] << "'\n";
        return false;
      }
    } else if (a == "--out-dir") {
      options.out_dir = args[++i];
    } else if (a.starts_with("--") && a != "--") {
      std::cerr << "carebridge convert: unknown option " << a << "\n";
      return false;
    } else {
      options.files.push_back(a);
    }
  }
  if (options.to == fhir::io::Format::Unknown || options.files.empty()) return false;
  if (options.out_dir.empty() && options.files.size() > 1) {
    std::cerr << "carebridge convert: several files need --out-dir (only one file can go to standard output)\n";
    return false;
  }
  return true;
}

// Patient-x.json -> DIR/Patient-x.xml
std::filesystem::path output_path(const ConvertOptions& options, const std::string& input) {
  std::filesystem::path name = std::filesystem::path(input == "-" ? "stdin" : input).filename();
  name.replace_extension(options.to == fhir::io::Format::Xml ? ".xml" : ".json");
  return std::filesystem::path(options.out_dir) / name;
}

std::string describe(const std::vector<fhir::model::Issue>& issues, const fhir::model::ParseResult& parsed) {
  std::string first = parsed.first_error();
  size_t errors = 0;
  for (const auto& i : issues) {
    if (i.severity == fhir::model::Severity::Error || i.severity == fhir::model::Severity::Fatal) ++errors;
  }
  if (errors > 1) first += " (and " + std::to_string(errors - 1) + " more)";
  return first;
}

}  // namespace

int convert_command(const Arguments& arguments) {
  ConvertOptions options;
  if (!parse_options(arguments.args, options)) {
    std::cerr << kUsage;
    return 2;
  }
  auto definitions = load_definitions(arguments);
  if (!definitions) return 2;
  if (!options.out_dir.empty()) std::filesystem::create_directories(options.out_dir);
  int failures = 0;
  std::string text, out, error;
  for (const auto& file : options.files) {
    text.clear();
    out.clear();
    if (!read_input(file, text, error)) {
      std::cerr << "carebridge: " << file << ": " << error << "\n";
      ++failures;
      continue;
    }
    auto parsed = fhir::io::read(text, *definitions);
    if (parsed.has_errors()) {
      std::cerr << "carebridge: " << file << ": " << describe(parsed.issues, parsed) << "\n";
      ++failures;
      continue;
    }
    std::vector<fhir::model::Issue> write_issues;
    fhir::io::write(*parsed.document->root(), options.to, out, write_issues);
    if (!write_issues.empty()) {
      const auto& i = write_issues.front();
      std::cerr << "carebridge: " << file << ": " << i.expression << ": " << i.message << "\n";
      ++failures;
      continue;
    }
    if (options.out_dir.empty()) {
      std::fwrite(out.data(), 1, out.size(), stdout);
      continue;
    }
    auto path = output_path(options, file);
    std::ofstream o(path, std::ios::binary);
    o.write(out.data(), static_cast<std::streamsize>(out.size()));
    if (!o) {
      std::cerr << "carebridge: " << path.string() << ": cannot write\n";
      ++failures;
    }
  }
  return failures ? 1 : 0;
}

}  // namespace carebridge::app
