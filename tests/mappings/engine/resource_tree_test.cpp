// The mapping engine's resource tree: paths read once set what their text set, and a
// value's source is found in the tree as it is found in what write_json records, with
// empty items (never written) not counted in the indexes the validator reports.
#include <catch2/catch.hpp>

#include "mappings/engine/resource_tree.h"

using carebridge::mappings::engine::Node;
using carebridge::mappings::engine::Path;
namespace engine = carebridge::mappings::engine;

namespace {

// An Observation as a v2 map builds it: values with their v2 positions, and an empty
// interpretation item (its field was empty) before the one with a value.
Node observation() {
  Node resource;
  engine::set_path(resource, "resourceType", Node::string("Observation"));
  engine::set_path(resource, "status", Node::string("final", "OBX[1]-11"));
  engine::set_path(resource, "code.coding[0].code", Node::string("2345-7", "OBX[1]-3[1].1"));
  engine::set_path(resource, "valueQuantity.value", Node::number("182", "OBX[1]-5[1].1"));
  resource["interpretation"].kind = Node::Kind::Array;
  resource["interpretation"].children.emplace_back();  // empty: not written
  engine::set_path(resource, "interpretation[]", Node::string("H", "OBX[1]-8[1]"));
  return resource;
}

}  // namespace

TEST_CASE("a path read once sets what its text sets", "[mappings][engine]") {
  Node by_text, by_path;
  for (std::string_view p : {"identifier[system=urn:x].value", "name[0].given[]", "name[0].given[]", "telecom[1].value"}) {
    engine::set_path(by_text, p, Node::string("v"));
    engine::set_path(by_path, Path(p), Node::string("v"));
  }
  std::string a, b;
  engine::write_json(by_text, a);
  engine::write_json(by_path, b);
  CHECK(a == b);
  // The same given name appended twice is there once; telecom's empty first item is not written.
  CHECK(a == R"({"identifier":[{"system":"urn:x","value":"v"}],"name":[{"given":["v"]}],"telecom":[{"value":"v"}]})");
  CHECK_FALSE(Path("name[0").valid());
  CHECK_FALSE(engine::set_path(by_path, Path("a..b"), Node::string("v")));
}

TEST_CASE("a value's source is found in the tree as in what write_json records", "[mappings][engine]") {
  Node resource = observation();
  engine::SourceMap recorded;
  std::string json;
  engine::write_json(resource, json, &recorded, "Observation");
  for (std::string_view expression :
       {"Observation.status", "Observation.code.coding[0].code", "Observation.code.coding[0]",
        "Observation.valueQuantity.value", "Observation.valueQuantity", "Observation.interpretation[0]",
        "Observation.interpretation[1]", "Observation.subject", "Observation.valueQuantity.value.extension[0]"}) {
    INFO(expression);
    CHECK(engine::source_at(resource, expression) == engine::source_of(recorded, expression));
  }
  CHECK(engine::source_at(resource, "Observation.interpretation[0]") == "OBX[1]-8[1]");  // the empty item is not counted
  CHECK(engine::source_at(resource, "Observation.valueQuantity.value") == "OBX[1]-5[1].1");
  CHECK(engine::source_at(resource, "Observation.interpretation[x]").empty());
}
