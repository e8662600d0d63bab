// A refused transaction read back for a person: the gateway's OperationOutcome (its words in
// details.text, the entry in expression) gives what an upload's report and a v2 ACK say.
#include <catch2/catch.hpp>

#include "gateway/ingest/stored_updates.h"

using carebridge::gateway::ingest::refusals;

TEST_CASE("refusals: the gateway's outcome read in plain words, with the entry it names", "[gateway][ingest]") {
  carebridge::gateway::http::Response refused;
  refused.status = 412;
  refused.body = R"({"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"multiple-matches",)"
                 R"("details":{"text":"the criteria match more than one Patient"},"expression":["Bundle.entry[2]"]},)"
                 R"({"severity":"error","code":"conflict","diagnostics":"the record changed","expression":["Patient/1"]}]})";
  auto said = refusals(refused);
  REQUIRE(said.size() == 2);
  CHECK(said[0].message.starts_with("two or more stored Patient records have its identifier"));
  CHECK(said[0].entry == 2);
  CHECK(said[1].message == "the record changed");
  CHECK(said[1].entry == static_cast<size_t>(-1));
  refused.body = "not JSON";
  CHECK(refusals(refused).empty());
}
