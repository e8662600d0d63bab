// A mapping's tree read into the element model: taken apart as it is read (the memory of a
// large export), it gives the same document as when it is kept.
#include <catch2/catch.hpp>

#include "fhir/json/json_writer.h"
#include "mappings/engine/node_json.h"
#include "support/test_support.h"

namespace engine = carebridge::mappings::engine;
using carebridge::testing::core;

TEST_CASE("a tree taken apart as it is read gives the document a kept tree gives, and is left empty", "[mappings][engine]") {
  auto tree = engine::read_json(R"({"resourceType": "Bundle", "type": "transaction", "entry": [
    {"fullUrl": "urn:uuid:0b8a2f5e-1111-4e0a-9c1a-3d2f5b6a7c8d",
     "resource": {"resourceType": "Patient", "name": [{"family": "Delgado", "given": ["Maria"]}], "birthDate": "1984-03-14"},
     "request": {"method": "POST", "url": "Patient"}}]})");
  REQUIRE(tree);
  auto kept = engine::read_tree(*tree, core());
  engine::Node taken_apart = *tree;
  auto taken = engine::read_tree(std::move(taken_apart), core());
  REQUIRE(kept.document);
  REQUIRE(taken.document);
  CHECK(carebridge::fhir::json::write(*taken.document->root()) == carebridge::fhir::json::write(*kept.document->root()));
  CHECK(taken_apart.children.empty());
  CHECK(taken.issues.size() == kept.issues.size());
}
