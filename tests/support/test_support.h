// Helpers shared by the test suites: the core definitions (loaded once per
// process), fixture files, the reference corpus (optional) and running the CLI.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "fhir/definitions/definitions.h"
#include "fhir/model/document.h"

namespace carebridge::testing {

const fhir::definitions::Definitions& core();

// tests/data/<relative>
std::filesystem::path fixture(const std::string& relative);
std::string read_text(const std::filesystem::path& path);
// samples/<relative> (the project's own sample inputs)
std::filesystem::path project_sample(const std::string& relative);

// ../shared/corpus/<relative>, or empty when the corpus is not there (tests then skip).
std::filesystem::path corpus(const std::string& relative);

// Parses FHIR JSON or XML text with the core definitions.
fhir::model::ParseResult parse(const std::string& text);

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};
// Runs build/carebridge with `args` (each shell-quoted), optional standard input.
CommandResult run_carebridge(const std::vector<std::string>& args, const std::string& input = "");

// Every regular file of a folder as (name, content), sorted by name: an agency's export
// as `carebridge map` reads a folder.
std::vector<std::pair<std::string, std::string>> folder_files(const std::filesystem::path& dir);
// A zip (deflated, in memory) of `files` (path inside the zip, content). Throws when it cannot.
std::string zip_of(const std::vector<std::pair<std::string, std::string>>& files);

// An HMIS Export.csv with each row's ExportDirective (its third cell from the end, HUD's
// column order) `directive`: "1" a delta refresh (a test's part of a full export), "2" full.
std::string with_hmis_directive(const std::string& export_csv, const std::string& directive);

// A fresh, empty temporary folder for one test.
std::filesystem::path temp_dir(const std::string& name);

// A TCP connection to 127.0.0.1:`port` for speaking raw HTTP (slow clients, garbage,
// pipelining); reads time out after `timeout_s`. Throws when it cannot connect.
int connect_loopback(uint16_t port, int timeout_s = 10);
// Sends `request` on a new connection and reads until the server closes it.
std::string raw_exchange(uint16_t port, const std::string& request);

}  // namespace carebridge::testing

namespace carebridge::testing {

// Compares two FHIR JSON texts by meaning: object members in any order, arrays in
// order, numbers by their exact text, narrative divs as XHTML with whitespace
// collapsed. Returns an empty string when equal, else where they first differ.
std::string json_difference(const std::string& expected, const std::string& actual);

}  // namespace carebridge::testing
