// What the HMIS e2e tests share to make deltas of the sample export: a JSON answer read, and
// one row of a file taken with its header, its start changed.
#pragma once

#include <catch2/catch.hpp>
#include <rapidjson/document.h>

#include <string>

namespace carebridge::testing {

inline rapidjson::Document parsed(const std::string& body) {
  rapidjson::Document d;
  d.Parse(body.c_str());
  REQUIRE(d.IsObject());
  return d;
}

// The header of `text` and its row that starts with `row_start`, that row's start replaced.
inline std::string header_and(const std::string& text, const std::string& row_start, const std::string& replacement) {
  std::string header = text.substr(0, text.find('\n') + 1);
  size_t at = text.find("\n" + row_start) + 1;
  REQUIRE(at != 0);
  std::string row = text.substr(at, text.find('\n', at) + 1 - at);
  return header + replacement + row.substr(row_start.size());
}

}  // namespace carebridge::testing
