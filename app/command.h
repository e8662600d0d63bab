// The `carebridge` command line: each sub-command is a function from its
// arguments to an exit code (0 fine, 1 some input was bad, 2 bad usage).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "fhir/definitions/definitions.h"

namespace carebridge::gateway {
namespace config {}
namespace http {}
namespace pipeline {}
namespace rest {}
namespace store {}
}  // namespace carebridge::gateway

namespace carebridge::app {

// The gateway's parts, as the commands name them.
namespace config = gateway::config;
namespace http = gateway::http;
namespace pipeline = gateway::pipeline;
namespace rest = gateway::rest;
namespace store = gateway::store;

struct Arguments {
  std::vector<std::string> args;  // after the sub-command name
  std::string definitions_dir;    // from --definitions, empty for the default
};

// Loads the core definitions (from --definitions or the default folder); prints the
// reason and returns null when they cannot be loaded.
std::unique_ptr<fhir::definitions::Definitions> load_definitions(const Arguments& arguments);

// Adds FHIR packages (folders or .tgz files) to the definitions; prints the reason
// (prefixed with `command`) and returns false when one cannot be loaded.
bool load_packages(fhir::definitions::Definitions& definitions, const std::vector<std::string>& packages,
                   const char* command);

// Reads a file ("-" for standard input); false with `error` set on failure.
bool read_input(const std::string& path, std::string& text, std::string& error);

int convert_command(const Arguments& arguments);
int serve_command(const Arguments& arguments);
int users_command(const Arguments& arguments);
int clients_command(const Arguments& arguments);
int audit_command(const Arguments& arguments);
// `carebridge fhirpath [--input FILE] EXPR` / `--batch`: FHIRPath results as JSON.
int fhirpath_command(const Arguments& arguments);
int validate_command(const Arguments& arguments);
int conformance_command(const Arguments& arguments);
// `carebridge map --mapping hl7v2 [--to hl7v2] [--out-dir DIR] FILE...`: v2 <-> FHIR.
int map_command(const Arguments& arguments);

}  // namespace carebridge::app
