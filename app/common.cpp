#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include "app/command.h"

namespace carebridge::app {

std::unique_ptr<fhir::definitions::Definitions> load_definitions(const Arguments& arguments) {
  auto dir = arguments.definitions_dir.empty() ? fhir::definitions::Definitions::default_dir()
                                                : std::filesystem::path(arguments.definitions_dir);
  try {
    return fhir::definitions::Definitions::load_core(dir);
  } catch (const std::exception& e) {
    std::cerr << "carebridge: " << e.what() << "\n";
    return nullptr;
  }
}

bool load_packages(fhir::definitions::Definitions& definitions, const std::vector<std::string>& packages,
                   const char* command) {
  for (const auto& package : packages) {
    try {
      definitions.add_package(package);
    } catch (const std::exception& e) {
      std::cerr << "carebridge " << command << ": " << e.what() << "\n";
      return false;
    }
  }
  return true;
}

bool read_input(const std::string& path, std::string& text, std::string& error) {
  if (path == "-") {
    text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    return true;
  }
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    error = "is a directory";
    return false;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = "cannot open the file";
    return false;
  }
  in.seekg(0, std::ios::end);
  auto size = in.tellg();
  in.seekg(0);
  text.resize(size > 0 ? static_cast<size_t>(size) : 0);
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (!in) {
    error = "cannot read the file";
    return false;
  }
  return true;
}

}  // namespace carebridge::app
