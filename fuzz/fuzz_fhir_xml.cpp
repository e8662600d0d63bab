// Fuzzes the FHIR XML reader and, when it accepts the input, the JSON writer.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fhir/xml/xml_reader.h"
#include "fhir/io/format.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = carebridge::fhir::xml::read(text, fuzz_definitions());
  if (parsed.document) {
    std::string out;
    std::vector<carebridge::fhir::model::Issue> issues;
    carebridge::fhir::io::write(*parsed.document->root(), carebridge::fhir::io::Format::Json, out, issues);
  }
  return 0;
}
