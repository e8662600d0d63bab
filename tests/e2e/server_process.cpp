// Child-process server for the end-to-end tests (see server_process.h).
#include "server_process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <stdexcept>
#include <thread>

#include "support/test_support.h"

namespace carebridge::testing {
namespace fs = std::filesystem;

bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds within) {
  auto deadline = std::chrono::steady_clock::now() + within;
  auto pause = std::chrono::milliseconds(2);
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(pause);  // polling interval, not a wait for an event
    pause = std::min(pause * 2, std::chrono::milliseconds(50));
  }
  return condition();
}

ServerProcess::ServerProcess(fs::path data_dir, const std::string& config_json)
    : ServerProcess(std::move(data_dir), ServerSettings{config_json, true, false}) {}

ServerProcess::ServerProcess(fs::path data_dir, const ServerSettings& settings) : data_dir_(std::move(data_dir)) {
  work_ = temp_dir("server");
  fs::path port_file = work_ / "port";
  std::vector<std::string> args = {CAREBRIDGE_BINARY, "serve", "--data-dir", data_dir_.string(), "--port-file",
                                   port_file.string()};
  if (settings.listen_flag) {
    args.push_back("--listen");
    args.push_back("127.0.0.1:0");
  }
  if (!settings.config_json.empty()) {
    std::ofstream(work_ / "config.json") << settings.config_json;
    args.push_back("--config");
    args.push_back((work_ / "config.json").string());
  }
  std::string log = (work_ / "output").string();
  pid_ = ::fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
      ::dup2(fd, 1);
      ::dup2(fd, 2);
    }
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  bool bound = eventually([&] {
    std::ifstream in(port_file);
    unsigned p = 0;
    if (in >> p && p > 0) port_ = static_cast<uint16_t>(p);
    return port_ != 0 || ::waitpid(pid_, nullptr, WNOHANG) == pid_;
  }, std::chrono::seconds(60));
  if (!bound || port_ == 0) {
    kill();
    throw std::runtime_error("the server did not start: " + output());
  }
  gateway::http::ClientOptions options{"127.0.0.1", port_, settings.tls, {}, false, std::chrono::seconds(10)};
  auto c = std::make_unique<gateway::http::Client>(options);
  if (!eventually([&] { return c->get("/fhir/metadata").status == 200; }, std::chrono::seconds(30))) {
    kill();
    throw std::runtime_error("the server does not answer /fhir/metadata: " + output());
  }
}

ServerProcess::~ServerProcess() {
  if (pid_ > 0) terminate();
}


std::unique_ptr<gateway::http::Client> ServerProcess::client() const {
  return std::make_unique<gateway::http::Client>("127.0.0.1", port_);
}

int ServerProcess::terminate(std::chrono::seconds within) {
  if (pid_ <= 0) return -1;
  ::kill(pid_, SIGTERM);
  int status = 0;
  bool exited = eventually([&] { return ::waitpid(pid_, &status, WNOHANG) == pid_; }, within);
  if (!exited) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return -1;
  }
  pid_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

void ServerProcess::kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

std::string ServerProcess::output() const {
  std::ifstream in(work_ / "output");
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace carebridge::testing
