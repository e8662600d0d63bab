// Fuzzes the bounded regex matcher of ValueSet regex filters: the input is a pattern,
// a newline and a text; compiling must refuse or accept, and matching must finish.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fhir/terminology/regex.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  size_t newline = input.find('\n');
  std::string_view pattern = input.substr(0, newline);
  std::string_view text = newline == std::string_view::npos ? std::string_view{} : input.substr(newline + 1);
  auto regex = carebridge::fhir::terminology::BoundedRegex::compile(pattern);
  if (regex) regex->full_match(text);
  return 0;
}
