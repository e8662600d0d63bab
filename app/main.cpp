// The `carebridge` executable: dispatches to the sub-commands.
#include <iostream>
#include <string>

#include "app/command.h"

namespace {

constexpr const char* kHelp =
    "carebridge — HL7 FHIR R4 interoperability gateway\n"
    "\n"
    "usage: carebridge [--definitions DIR] COMMAND [ARGS...]\n"
    "\n"
    "commands:\n"
    "  convert --to json|xml [--out-dir DIR] FILE...   lossless FHIR JSON <-> XML\n"
    "  serve [--config FILE] [--listen HOST:PORT] [--data-dir DIR]   the FHIR server\n"
    "  clients add|list|revoke ...                      the clients that get tokens (SMART Backend Services)\n"
    "  users add|list|disable ...                       the people who sign in to the pages\n"
    "  audit export [--data-dir DIR] [--since INSTANT]  the audit trail as NDJSON\n"
    "  fhirpath [--input FILE] EXPR | --batch          evaluate FHIRPath, print JSON results\n"
    "  validate [--profile URL]... [--package DIR]... [--json] FILE...   validate FHIR resources\n"
    "  map --mapping hl7v2 [--to hl7v2] [--out-dir DIR] FILE...   HL7 v2 messages <-> FHIR Bundles\n"
    "  conformance DIR [--out DIR]                       validate a folder of samples, write a report\n"
    "\n"
    "The FHIR R4 core definitions are read from --definitions, $CAREBRIDGE_DEFINITIONS,\n"
    "or the folder scripts/setup-definitions filled.\n";

}  // namespace

int main(int argc, char** argv) {
  using namespace carebridge::app;
  Arguments arguments;
  std::string command;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (command.empty() && a == "--definitions" && i + 1 < argc) {
      arguments.definitions_dir = argv[++i];
    } else if (command.empty()) {
      command = a;
    } else {
      arguments.args.push_back(a);
    }
  }
  if (command == "convert") return convert_command(arguments);
  if (command == "serve") return serve_command(arguments);
  if (command == "clients") return clients_command(arguments);
  if (command == "users") return users_command(arguments);
  if (command == "audit") return audit_command(arguments);
  if (command == "fhirpath") return fhirpath_command(arguments);
  if (command == "validate") return validate_command(arguments);
  if (command == "conformance") return conformance_command(arguments);
  if (command == "map") return map_command(arguments);
  if (command == "--help" || command == "-h" || command == "help") {
    std::cout << kHelp;
    return 0;
  }
  if (command == "--version") {
    std::cout << "carebridge 0.1.0 (FHIR 4.0.1)\n";
    return 0;
  }
  std::cerr << (command.empty() ? "carebridge: no command given\n" : "carebridge: unknown command '" + command + "'\n")
            << kHelp;
  return 2;
}
