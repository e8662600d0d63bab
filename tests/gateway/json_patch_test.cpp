// JSON Patch (RFC 6902) on its own: the operations, JSON Pointer escapes, and the
// errors that name the failing operation.
#include <catch2/catch.hpp>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "gateway/rest/json_patch.h"

using carebridge::gateway::rest::apply_json_patch;

namespace {

// Applies `patch` to `document`; returns the result as compact JSON, or "error: ...".
std::string patched(const char* document, const char* patch) {
  rapidjson::Document target, ops;
  target.Parse(document);
  ops.Parse(patch);
  std::string error = apply_json_patch(target, ops);
  if (!error.empty()) return "error: " + error;
  rapidjson::StringBuffer out;
  rapidjson::Writer<rapidjson::StringBuffer> writer(out);
  target.Accept(writer);
  return out.GetString();
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
