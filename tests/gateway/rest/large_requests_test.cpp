// Large request bodies are answered together within a budget (one alone always), the
// others wait in arrival order, a few at most, the rest are told to retry; small ones never wait.
#include <catch2/catch.hpp>

#include <chrono>
#include <future>
#include <optional>
#include <thread>

#include "gateway/rest/large_requests.h"

using carebridge::gateway::rest::LargeRequests;
using namespace std::chrono_literals;

TEST_CASE("large requests take turns, small ones never wait, too many waiting are turned away", "[gateway][rest]") {
  LargeRequests gate(1000, 1000, 2);  // every large body here is over the budget: one at a time
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

TEST_CASE("large requests share the budget, one that does not fit waits, and no later one passes it", "[gateway][rest]") {
  LargeRequests gate(1000, 10000, 8);
  auto a = gate.enter(4000), b = gate.enter(5000);  // 9,000 of 10,000: both at once
  REQUIRE(a);
  REQUIRE(b);
  std::promise<void> big_in;
  auto big = std::async(std::launch::async, [&] {
    auto turn = gate.enter(6000);  // does not fit until one of them is done
    big_in.set_value();
    std::this_thread::sleep_for(100ms);
    return turn.has_value();
  });
  for (int i = 0; i < 500 && gate.waiting() < 1; ++i) std::this_thread::sleep_for(10ms);
  REQUIRE(gate.waiting() == 1);
  // 1,000 would fit, but the 6,000 came first: it waits behind it.
  std::promise<void> small_in;
  auto small = std::async(std::launch::async, [&] {
    auto turn = gate.enter(1000);
    small_in.set_value();
    return turn.has_value();
  });
  auto small_entered = small_in.get_future();
  CHECK(small_entered.wait_for(200ms) == std::future_status::timeout);
  a.reset();  // 5,000 + 6,000 is over the budget: still waiting
  auto big_entered = big_in.get_future();
  CHECK(big_entered.wait_for(200ms) == std::future_status::timeout);
  b.reset();
  REQUIRE(big_entered.wait_for(10s) == std::future_status::ready);
  REQUIRE(small_entered.wait_for(10s) == std::future_status::ready);  // 6,000 + 1,000 fit together
  CHECK(big.get());
  CHECK(small.get());
}
