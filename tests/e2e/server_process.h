// Runs `carebridge serve` as a child process on a free loopback port (port 0 and
// --port-file) with its own data folder, for end-to-end tests. Waiting is done by
// polling with a deadline, never by sleeping a fixed time.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "gateway/http/client.h"
#include "support/test_support.h"

namespace carebridge::testing {

struct ServerSettings {
  std::string config_json;  // the config file's content, when not empty
  bool listen_flag = true;  // pass --listen 127.0.0.1:0 (else the config says where)
  bool tls = false;         // the (first) address serves HTTPS
};

// A plain TCP connection to 127.0.0.1:`port` (support/test_support.h), reads timing out after 20 s.
inline int connect_raw(uint16_t port) { return connect_loopback(port, 20); }

class ServerProcess {
 public:
  // Starts the server and waits until GET /fhir/metadata answers. Throws when it
  // does not start in time.
  explicit ServerProcess(std::filesystem::path data_dir, const std::string& config_json = "");
  ServerProcess(std::filesystem::path data_dir, const ServerSettings& settings);
  ~ServerProcess();

  uint16_t port() const { return port_; }
  const std::filesystem::path& data_dir() const { return data_dir_; }
  std::unique_ptr<gateway::http::Client> client() const;

  // Sends SIGTERM and waits for the exit; returns the exit status (-1 when killed by a signal).
  int terminate(std::chrono::seconds within = std::chrono::seconds(30));
  // SIGKILL, as a crash.
  void kill();
  bool running() const { return pid_ > 0; }
  // What the server printed (stdout and stderr).
  std::string output() const;

 private:
  std::filesystem::path data_dir_;
  std::filesystem::path work_;
  pid_t pid_ = -1;
  uint16_t port_ = 0;
};

// Polls `condition` until it holds or the deadline passes.
bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds within = std::chrono::seconds(20));

}  // namespace carebridge::testing
