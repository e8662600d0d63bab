// Large request bodies are answered one at a time, a few wait, the rest are told to
// retry; small ones never wait.
#include <catch2/catch.hpp>

#include <chrono>
#include <future>
#include <optional>
#include <thread>

#include "gateway/rest/large_requests.h"

using carebridge::gateway::rest::LargeRequests;
using namespace std::chrono_literals;

TEST_CASE("large requests take turns; small ones never wait; too many waiting are turned away", "[gateway][rest]") {
  LargeRequests gate(1000, 2);
  auto first = gate.enter(5000);
  REQUIRE(first);
  // A small body goes ahead while a large one is answered.
  auto small = std::async(std::launch::async, [&] { return gate.enter(999).has_value(); });
  REQUIRE(small.wait_for(5s) == std::future_status::ready);
  CHECK(small.get());

  std::promise<void> second_in, third_in;
  auto second = std::async(std::launch::async, [&] {
    auto turn = gate.enter(2000);
    second_in.set_value();
    return turn.has_value();
  });
  auto third = std::async(std::launch::async, [&] {
    auto turn = gate.enter(2000);
    third_in.set_value();
    return turn.has_value();
  });
  CHECK(second_in.get_future().wait_for(300ms) == std::future_status::timeout);
  for (int i = 0; i < 500 && gate.waiting() < 2; ++i) std::this_thread::sleep_for(10ms);
  REQUIRE(gate.waiting() == 2);
  // Two wait already: the next is refused at once.
  auto fourth = std::async(std::launch::async, [&] { return gate.enter(3000).has_value(); });
  REQUIRE(fourth.wait_for(5s) == std::future_status::ready);
  CHECK_FALSE(fourth.get());

  first.reset();  // done: the waiting ones get their turns, one after the other
  REQUIRE(second.wait_for(10s) == std::future_status::ready);
  REQUIRE(third.wait_for(10s) == std::future_status::ready);
  CHECK(second.get());
  CHECK(third.get());
  CHECK(gate.enter(5000).has_value());
}
