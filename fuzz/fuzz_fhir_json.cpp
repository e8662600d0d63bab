// Fuzzes the FHIR JSON reader and, when it accepts the input, the XML writer.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fhir/json/json_reader.h"
#include "fhir/io/format.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = carebridge::fhir::json::read(text, fuzz_definitions());
  if (parsed.document) {
    std::string out;
    std::vector<carebridge::fhir::model::Issue> issues;
    carebridge::fhir::io::write(*parsed.document->root(), carebridge::fhir::io::Format::Xml, out, issues);
  }
  return 0;
}
