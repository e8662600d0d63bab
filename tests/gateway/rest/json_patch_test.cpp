// JSON Patch (RFC 6902) on its own: the operations, JSON Pointer escapes, and the
// errors that name the failing operation.
#include <catch2/catch.hpp>

#include "gateway/rest/json_patch.h"

using carebridge::gateway::rest::apply_json_patch;
using carebridge::gateway::rest::parse_json_keeping_numbers;
using carebridge::gateway::rest::PatchLimits;
using carebridge::gateway::rest::write_json_keeping_numbers;

namespace {

// Applies `patch` to `document`; returns the result as compact JSON, or "error: ...".
std::string patched(const char* document, const char* patch, const PatchLimits& limits = {}) {
  rapidjson::Document target, ops;
  REQUIRE(parse_json_keeping_numbers(document, limits.max_depth, target));
  REQUIRE(parse_json_keeping_numbers(patch, limits.max_depth, ops));
  std::string error = apply_json_patch(target, ops, limits);
  if (!error.empty()) return "error: " + error;
  return write_json_keeping_numbers(target);
}

}  // namespace

TEST_CASE("JSON Patch adds removes and replaces members and array elements", "[gateway][patch]") {
  CHECK(patched(R"({"a":1})", R"([{"op":"add","path":"/b","value":[1]}])") == R"({"a":1,"b":[1]})");
  CHECK(patched(R"({"a":[1,3]})", R"([{"op":"add","path":"/a/1","value":2}])") == R"({"a":[1,2,3]})");
  CHECK(patched(R"({"a":[1]})", R"([{"op":"add","path":"/a/-","value":2}])") == R"({"a":[1,2]})");
  CHECK(patched(R"({"a":[1,2,3]})", R"([{"op":"remove","path":"/a/0"}])") == R"({"a":[2,3]})");
  CHECK(patched(R"({"a":{"b":1}})", R"([{"op":"replace","path":"/a/b","value":"x"}])") == R"({"a":{"b":"x"}})");
  CHECK(patched(R"({"a/b":1,"m~n":2})", R"([{"op":"replace","path":"/a~1b","value":3},{"op":"remove","path":"/m~0n"}])") ==
        R"({"a/b":3})");
}

TEST_CASE("JSON Patch moves copies and tests values", "[gateway][patch]") {
  CHECK(patched(R"({"a":{"x":1},"b":{}})", R"([{"op":"move","from":"/a/x","path":"/b/y"}])") == R"({"a":{},"b":{"y":1}})");
  CHECK(patched(R"({"a":[1,2]})", R"([{"op":"copy","from":"/a","path":"/c"}])") == R"({"a":[1,2],"c":[1,2]})");
  CHECK(patched(R"({"a":{"b":[1,{"c":2}]}})", R"([{"op":"test","path":"/a/b","value":[1,{"c":2}]}])") ==
        R"({"a":{"b":[1,{"c":2}]}})");
}

TEST_CASE("a JSON Patch that cannot apply says which operation and why", "[gateway][patch]") {
  CHECK(patched(R"({"a":1})", R"([{"op":"add","path":"/b","value":1},{"op":"test","path":"/a","value":2}])") ==
        "error: operation 2 (test /a): the value at the path is not the one given");
  CHECK(patched(R"({"a":[1]})", R"([{"op":"replace","path":"/a/5","value":1}])") ==
        "error: operation 1 (replace /a/5): no element '5' in an array of 1");
  CHECK(patched(R"({"a":1})", R"([{"op":"remove","path":"/b"}])") == "error: operation 1 (remove /b): no such member 'b'");
  CHECK(patched(R"({"a":{}})", R"([{"op":"move","from":"/a","path":"/a/b"}])") ==
        "error: operation 1 (move /a/b): a value cannot be moved into itself");
  CHECK(patched(R"({})", R"([{"op":"frobnicate","path":"/a"}])").find("is not a JSON Patch operation") != std::string::npos);
  CHECK(patched(R"({})", R"([{"op":"add","path":"a","value":1}])").find("is not a JSON Pointer") != std::string::npos);
  CHECK(patched(R"({})", R"({"op":"add"})") == "error: a JSON Patch is an array of operations");
  CHECK(patched(R"({"a":[1]})", R"([{"op":"add","path":"/a/01","value":2}])").find("cannot insert") != std::string::npos);
}

TEST_CASE("JSON Patch keeps each number's text and compares numbers by value", "[gateway][patch]") {
  CHECK(patched(R"({"v":1.50,"w":0.10,"big":12345678901234567890.123})", R"([{"op":"add","path":"/x","value":2.500}])") ==
        R"({"v":1.50,"w":0.10,"big":12345678901234567890.123,"x":2.500})");
  CHECK(patched(R"({"v":1.50})", R"([{"op":"test","path":"/v","value":1.5}])") == R"({"v":1.50})");
  CHECK(patched(R"({"v":1.50})", R"([{"op":"test","path":"/v","value":"1.50"}])").starts_with("error:"));
}

TEST_CASE("a JSON Patch cannot grow a document past its limits", "[gateway][patch]") {
  PatchLimits limits;
  limits.max_bytes = 4096;
  limits.max_depth = 20;
  limits.max_operations = 50;
  // Copying the whole document into itself doubles it each time.
  std::string doubling = "[";
  for (int i = 0; i < 40; ++i) doubling += std::string(i ? "," : "") + R"({"op":"copy","from":"","path":"/a)" + std::to_string(i) + R"("})";
  doubling += "]";
  CHECK(patched(R"({"seed":"0123456789012345678901234567890123456789"})", doubling.c_str(), limits).find("larger than 4096") !=
        std::string::npos);
  std::string nesting = "[", path;
  for (int i = 0; i < 30; ++i) {
    path += "/n";
    nesting += std::string(i ? "," : "") + R"({"op":"add","path":")" + path + R"(","value":{}})";
  }
  nesting += "]";
  CHECK(patched(R"({"a":1})", nesting.c_str(), limits).find("nested deeper than 20") != std::string::npos);
  std::string many = "[";
  for (int i = 0; i < 51; ++i) many += std::string(i ? "," : "") + R"({"op":"test","path":"","value":{}})";
  many += "]";
  CHECK(patched(R"({})", many.c_str(), limits).find("more than the limit of 50") != std::string::npos);
}

TEST_CASE("JSON that is too deep or carries the number mark is refused before patching", "[gateway][patch]") {
  rapidjson::Document doc;
  std::string deep(300, '[');
  deep += std::string(300, ']');
  CHECK(!parse_json_keeping_numbers(deep, 200, doc));
  std::string bomb(1000000, '[');
  CHECK(!parse_json_keeping_numbers(bomb, 200, doc));
  CHECK(!parse_json_keeping_numbers(R"({"a":"\u00011,\"x\":{"})", 200, doc));
  CHECK(parse_json_keeping_numbers(R"({"a":[1,{"b":null}]})", 200, doc));
}
