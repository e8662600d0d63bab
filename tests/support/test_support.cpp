#include "support/test_support.h"

#include <archive.h>
#include <archive_entry.h>

#include <algorithm>
#include <cstdlib>
#include <mutex>
#include <vector>
#include <stdexcept>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
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

std::filesystem::path project_sample(const std::string& relative) { return std::filesystem::path(CAREBRIDGE_SAMPLES) / relative; }

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

namespace {

// The folders this test process made, removed when it ends (a run of the whole suite
// made thousands); CAREBRIDGE_KEEP_TEST_DIRS=1 keeps them for a look after a failure.
class TempDirs {
 public:
  ~TempDirs() {
    if (const char* keep = std::getenv("CAREBRIDGE_KEEP_TEST_DIRS"); keep && *keep && *keep != '0') return;
    std::error_code ignored;
    for (const auto& dir : made_) fs::remove_all(dir, ignored);
  }
  fs::path make(const std::string& name) {
    std::lock_guard lock(mutex_);
    fs::path dir = fs::temp_directory_path() /
                   ("carebridge-test-" + std::to_string(::getpid()) + "-" + std::to_string(made_.size()) + "-" + name);
    fs::remove_all(dir);
    fs::create_directories(dir);
    made_.push_back(dir);
    return dir;
  }

 private:
  std::mutex mutex_;
  std::vector<fs::path> made_;
};

}  // namespace

fs::path temp_dir(const std::string& name) {
  static TempDirs dirs;
  return dirs.make(name);
}

}  // namespace carebridge::testing

#include <memory_resource>

#include "fhir/json/json_tree.h"
#include "fhir/xml/xhtml.h"
#include "fhir/xml/xml_tree.h"

namespace carebridge::testing {
namespace {

using fhir::json::JsonKind;
using fhir::json::JsonNode;

std::string canonical_xhtml(std::string_view text) {
  std::pmr::monotonic_buffer_resource arena;
  auto parsed = fhir::xml::parse_xml(text, arena);
  std::string xml = parsed.root ? fhir::xml::serialize_xhtml(*parsed.root) : std::string(text);
  std::string out;
  bool space = false;
  for (char c : xml) {
    if (c == ' ' || c == '\n' || c == '\t' || c == '\r') {
      space = true;
      continue;
    }
    if (space && !out.empty() && out.back() != '>' && c != '<') out += ' ';
    space = false;
    out += c;
  }
  return out;
}

std::string differ(const JsonNode& a, const JsonNode& b, const std::string& path) {
  if (a.kind != b.kind) return path + ": different JSON kinds";
  switch (a.kind) {
    case JsonKind::Object: {
      if (a.count != b.count) return path + ": " + std::to_string(a.count) + " vs " + std::to_string(b.count) + " members";
      for (const JsonNode* m = a.first; m; m = m->next) {
        const JsonNode* other = b.member(m->key);
        if (!other) return path + "." + std::string(m->key) + ": missing";
        auto d = differ(*m, *other, path + "." + std::string(m->key));
        if (!d.empty()) return d;
      }
      return {};
    }
    case JsonKind::Array: {
      if (a.count != b.count) return path + ": " + std::to_string(a.count) + " vs " + std::to_string(b.count) + " items";
      size_t i = 0;
      for (const JsonNode *x = a.first, *y = b.first; x && y; x = x->next, y = y->next, ++i) {
        auto d = differ(*x, *y, path + "[" + std::to_string(i) + "]");
        if (!d.empty()) return d;
      }
      return {};
    }
    default:
      if (path.ends_with(".div") && a.kind == JsonKind::String) {
        return canonical_xhtml(a.text) == canonical_xhtml(b.text) ? std::string() : path + ": narrative differs";
      }
      return a.text == b.text ? std::string() : path + ": '" + std::string(a.text) + "' vs '" + std::string(b.text) + "'";
  }
}

}  // namespace

std::string json_difference(const std::string& expected, const std::string& actual) {
  std::pmr::monotonic_buffer_resource arena;
  auto a = fhir::json::parse_json(expected, arena, arena);
  auto b = fhir::json::parse_json(actual, arena, arena);
  if (!a.root) return "expected is not JSON: " + a.error;
  if (!b.root) return "actual is not JSON: " + b.error;
  return differ(*a.root, *b.root, "");
}

}  // namespace carebridge::testing

namespace carebridge::testing {

int connect_loopback(uint16_t port, int timeout_s) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  ::inet_pton(AF_INET, "127.0.0.1", &address.sin_addr);
  if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    if (fd >= 0) ::close(fd);
    throw std::runtime_error("cannot connect to 127.0.0.1:" + std::to_string(port));
  }
  timeval timeout{timeout_s, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  return fd;
}

std::string raw_exchange(uint16_t port, const std::string& request) {
  int fd = connect_loopback(port, 20);
  ::send(fd, request.data(), request.size(), 0);
  std::string answer;
  char buffer[4096];
  for (ssize_t n; (n = ::recv(fd, buffer, sizeof buffer, 0)) > 0;) answer.append(buffer, static_cast<size_t>(n));
  ::close(fd);
  return answer;
}


std::vector<std::pair<std::string, std::string>> folder_files(const std::filesystem::path& dir) {
  std::vector<std::pair<std::string, std::string>> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir))
    if (entry.is_regular_file()) files.emplace_back(entry.path().filename().string(), read_text(entry.path()));
  std::sort(files.begin(), files.end());
  return files;
}

std::string with_hmis_directive(const std::string& export_csv, const std::string& directive) {
  std::string out;
  size_t at = 0;
  for (bool header = true; at < export_csv.size(); header = false) {
    size_t end = export_csv.find('\n', at);
    std::string line = export_csv.substr(at, end == std::string::npos ? std::string::npos : end + 1 - at);
    at = end == std::string::npos ? export_csv.size() : end + 1;
    size_t last = line.rfind(','), second = last == 0 || last == std::string::npos ? last : line.rfind(',', last - 1);
    size_t third = second == 0 || second == std::string::npos ? second : line.rfind(',', second - 1);
    if (!header && third != std::string::npos && second != std::string::npos)
      line.replace(third + 1, second - third - 1, directive);
    out += line;
  }
  return out;
}

std::string zip_of(const std::vector<std::pair<std::string, std::string>>& files) {
  std::string buffer(16 << 20, '\0');
  size_t used = 0;
  archive* writer = archive_write_new();
  archive_write_set_format_zip(writer);
  bool written = archive_write_open_memory(writer, buffer.data(), buffer.size(), &used) == ARCHIVE_OK;
  for (const auto& [path, data] : files) {
    archive_entry* entry = archive_entry_new();
    archive_entry_set_pathname(entry, path.c_str());
    archive_entry_set_filetype(entry, AE_IFREG);
    archive_entry_set_perm(entry, 0644);
    archive_entry_set_size(entry, static_cast<la_int64_t>(data.size()));
    written = written && archive_write_header(writer, entry) == ARCHIVE_OK &&
              archive_write_data(writer, data.data(), data.size()) == static_cast<la_ssize_t>(data.size());
    archive_entry_free(entry);
  }
  written = written && archive_write_close(writer) == ARCHIVE_OK;
  archive_write_free(writer);
  if (!written) throw std::runtime_error("the test zip could not be written");
  buffer.resize(used);
  return buffer;
}

}  // namespace carebridge::testing
