// `carebridge serve` usage errors: bad flags and configs exit 2 with a reason,
// an address that cannot be bound exits 1.
#include <catch2/catch.hpp>
#include <fstream>

#include "server_process.h"
#include "support/test_support.h"

using namespace carebridge::testing;

TEST_CASE("serve refuses bad flags and configs with exit 2 and a reason", "[gateway][cli]") {
  auto bad_flag = run_carebridge({"serve", "--bogus"});
  CHECK(bad_flag.exit_code == 2);
  CHECK(bad_flag.err.find("--bogus") != std::string::npos);
  auto bad_listen = run_carebridge({"serve", "--listen", "nowhere"});
  CHECK(bad_listen.exit_code == 2);
  CHECK(bad_listen.err.find("HOST:PORT") != std::string::npos);
  auto dir = temp_dir("serve-config");
  std::ofstream(dir / "config.json") << R"({"limits":{"max_body_bytes":"big"}})";
  auto bad_config = run_carebridge({"serve", "--config", (dir / "config.json").string()});
  CHECK(bad_config.exit_code == 2);
  CHECK(bad_config.err.find("max_body_bytes") != std::string::npos);
  auto help = run_carebridge({"serve", "--help"});
  CHECK(help.exit_code == 0);
  CHECK(help.out.find("--listen") != std::string::npos);
}

TEST_CASE("serve exits 1 when its address is taken", "[gateway][cli]") {
  ServerProcess first(temp_dir("serve-taken"));
  auto second = run_carebridge({"serve", "--listen", "127.0.0.1:" + std::to_string(first.port()), "--data-dir",
                                (temp_dir("serve-taken-2") / "data").string()});
  CHECK(second.exit_code == 1);
  CHECK(second.err.find("cannot listen") != std::string::npos);
}
