// `carebridge conformance DIR [--out DIR] [--package P]...`: validates every resource under DIR,
// prints a summary table (and a progress bar when stderr is a terminal), writes
// report.html and report.json into the output folder. Exit 1 when any error.
#include <unistd.h>

#include <fstream>
#include <iostream>

#include "conformance/conformance_run.h"
#include "app/command.h"

namespace carebridge::app {
namespace {

constexpr const char* kUsage = "usage: carebridge conformance DIR [--out DIR] [--package DIR|FILE.tgz]...\n";

void draw_progress(size_t done, size_t total) {
  constexpr int kWidth = 40;
  int filled = total ? static_cast<int>(done * kWidth / total) : kWidth;
  std::string bar(static_cast<size_t>(filled), '#');
  bar.resize(kWidth, '.');
  std::cerr << "\r[" << bar << "] " << done << "/" << total << " files" << (done == total ? "\n" : "") << std::flush;
}

bool write(const std::filesystem::path& file, const std::string& text) {
  std::ofstream out(file, std::ios::binary);
  out << text;
  return static_cast<bool>(out);
}

}  // namespace

int conformance_command(const Arguments& arguments) {
  std::string folder, out_dir = "conformance-report";
  std::vector<std::string> packages;
  const auto& args = arguments.args;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--out" && i + 1 < args.size()) {
      out_dir = args[++i];
    } else if (args[i] == "--package" && i + 1 < args.size()) {
      packages.push_back(args[++i]);
    } else if (args[i] == "--help" || args[i] == "-h") {
      std::cout << kUsage;
      return 0;
    } else if (args[i].starts_with("-") || !folder.empty()) {
      std::cerr << "carebridge conformance: unexpected argument '" << args[i] << "'\n" << kUsage;
      return 2;
    } else {
      folder = args[i];
    }
  }
  std::error_code ec;
  if (folder.empty() || !std::filesystem::is_directory(folder, ec)) {
    std::cerr << "carebridge conformance: " << (folder.empty() ? "no folder given" : "'" + folder + "' is not a folder")
              << "\n" << kUsage;
    return 2;
  }
  auto definitions = load_definitions(arguments);
  if (!definitions || !load_packages(*definitions, packages, "conformance")) return 2;
  conformance::Progress progress;
  if (::isatty(STDERR_FILENO)) progress = [](size_t done, size_t total) { if (total >= 20) draw_progress(done, total); };
  auto report = conformance::run_conformance(folder, *definitions, progress, out_dir);
  report.packages.insert(report.packages.begin(), packages.begin(), packages.end());  // --package's, as given
  std::cout << conformance::summary_table(report);
  std::filesystem::create_directories(out_dir, ec);
  auto dir = std::filesystem::path(out_dir);
  if (ec || !write(dir / "report.html", conformance::html_report(report)) ||
      !write(dir / "report.json", conformance::json_report(report))) {
    std::cerr << "carebridge conformance: cannot write the report into '" << out_dir << "'\n";
    return 2;
  }
  std::cout << "report: " << (dir / "report.html").string() << ", " << (dir / "report.json").string() << "\n";
  return report.errors() ? 1 : 0;
}

}  // namespace carebridge::app
