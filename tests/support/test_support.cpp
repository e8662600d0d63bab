#include "support/test_support.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <stdexcept>

#include "fhir/io/format.h"

namespace carebridge::testing {
namespace fs = std::filesystem;

const fhir::definitions::Definitions& core() {
  static auto defs = fhir::definitions::Definitions::load_core(fhir::definitions::Definitions::default_dir());
  return *defs;
}

fs::path fixture(const std::string& relative) { return fs::path(CAREBRIDGE_TEST_DATA) / relative; }

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

fs::path corpus(const std::string& relative) {
  fs::path p = fs::path(CAREBRIDGE_CORPUS) / relative;
  std::error_code ec;
  return fs::exists(p, ec) ? p : fs::path();
}

fhir::model::ParseResult parse(const std::string& text) { return fhir::io::read(text, core()); }

namespace {
std::string quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}
}  // namespace

CommandResult run_carebridge(const std::vector<std::string>& args, const std::string& input) {
  fs::path dir = temp_dir("cli-run");
  std::string command = quote(CAREBRIDGE_BINARY);
  for (const auto& a : args) command += " " + quote(a);
  {
    std::ofstream(dir / "stdin") << input;
  }
  command += " <" + quote((dir / "stdin").string()) + " >" + quote((dir / "stdout").string()) + " 2>" +
             quote((dir / "stderr").string());
  int status = std::system(command.c_str());
  CommandResult result;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  result.out = read_text(dir / "stdout");
  result.err = read_text(dir / "stderr");
  return result;
}

fs::path temp_dir(const std::string& name) {
  static int counter = 0;
  fs::path dir = fs::temp_directory_path() /
                 ("carebridge-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + "-" + name);
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

}  // namespace carebridge::testing
