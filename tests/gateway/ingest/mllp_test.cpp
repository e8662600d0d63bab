// MLLP framing: messages split across reads or sent back to back, end blocks without the
// carriage return, frames past the limit, and bytes outside frames.
#include <catch2/catch.hpp>

#include "gateway/ingest/mllp.h"

using carebridge::gateway::ingest::MllpFramer;
using Kind = MllpFramer::Event::Kind;

TEST_CASE("frames are found whatever the reads split", "[gateway][mllp]") {
  std::string stream = MllpFramer::frame("MSH|one") + MllpFramer::frame("MSH|two");
  for (size_t chunk : {1, 2, 3, 7, 1000}) {
    MllpFramer framer(1 << 20);
    std::vector<MllpFramer::Event> events;
    for (size_t at = 0; at < stream.size(); at += chunk) framer.feed(std::string_view(stream).substr(at, chunk), events);
    REQUIRE(events.size() == 2);
    CHECK(events[0].message == "MSH|one");
    CHECK(events[1].message == "MSH|two");
    CHECK_FALSE(framer.in_frame());
  }
}

TEST_CASE("an end block without its carriage return still ends the frame", "[gateway][mllp]") {
  MllpFramer framer(1 << 20);
  std::vector<MllpFramer::Event> events;
  framer.feed("\x0bMSH|a\x1c\x0bMSH|b\x1c", events);
  REQUIRE(events.size() == 2);
  CHECK(events[1].message == "MSH|b");
}

TEST_CASE("a frame past the limit is dropped and reported, and the next one is read", "[gateway][mllp]") {
  MllpFramer framer(16);
  std::vector<MllpFramer::Event> events;
  framer.feed("\x0b" + std::string(100, 'x'), events);
  CHECK(events.empty());
  CHECK(framer.in_frame());
  framer.feed(std::string(100, 'y') + "\x1c\r" + MllpFramer::frame("MSH|ok"), events);
  REQUIRE(events.size() == 2);
  CHECK(events[0].kind == Kind::Oversized);
  CHECK(events[0].bytes == 200);
  CHECK(events[1].kind == Kind::Message);
  CHECK(events[1].message == "MSH|ok");
}

TEST_CASE("bytes outside frames are counted, not taken as messages", "[gateway][mllp]") {
  MllpFramer framer(1 << 20);
  std::vector<MllpFramer::Event> events;
  framer.feed("\r\nnoise", events);
  CHECK(events.empty());
  CHECK(framer.garbage() == 5);
  framer.feed(MllpFramer::frame("MSH|x"), events);
  REQUIRE(events.size() == 2);
  CHECK(events[0].kind == Kind::Garbage);
  CHECK(events[0].bytes == 5);
  CHECK(events[1].message == "MSH|x");
}
